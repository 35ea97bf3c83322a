"""SyncAgent: one round of push-then-pull between this kiosk and the central database.

The kiosk screen calls :meth:`SyncAgent.run_once` (and :meth:`SyncAgent.push_now` right after a
scan) from its one sync thread (:mod:`kiosk.sync_loop`) while its UI thread keeps signing people
in through the models bound to the local database. The agent therefore never rebinds the models:
the centre is a separate ``peewee.Database`` (its connection lives in the calling thread, kept
open between rounds while it works, closed after a failure) and every central query names it
explicitly (see :mod:`db.sync`). Local reads and writes use the already bound local database,
each in a short transaction, so a sign-in never waits for the network.

Every exchange with the centre is bounded (:class:`db.database.Timeouts`, ``[sync]
connect_timeout`` / ``statement_timeout`` / ``read_timeout``): a centre that stops answering
mid-transfer ends the round with "stopped answering" instead of hanging it. Each round ends by
reporting this door's state to the centre's fleet table (:mod:`db.fleet`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import re
import threading
import time
from dataclasses import dataclass

import peewee as pw

from db import database, fleet
from db import sync as store
from db.models import SignInEvent, utcnow
from db.register_watch import RegisterWatch
from db.sync import taken_ids, verdicts
from db.sync.centre_guard_sql import RENAMED_BACK
from kiosk import __version__, door_identity, rules, timefmt
from kiosk.config import Settings
from kiosk.i18n import t

log = logging.getLogger("kiosk.sync")
DEADLOCK_RETRIES = 5
# what the drivers say when a reply never came: db.watchdog (PostgreSQL), PyMySQL's socket timeout
STALL_MARKS = ("no answer from the server", "timed out")


@dataclass
class SyncReport:
    """The outcome of one round, for the status mark and the CLI.

    ``reachable`` is None when no central database is configured; ``error`` is a short,
    password-free text ("" when all went well).
    """

    reachable: bool | None
    pushed: int
    pulled: int
    queued: int
    error: str
    refused: bool = False  # the centre was reached and refused this home (it mirrors another)
    stalled: bool = False  # the centre stopped answering mid-round (not merely unreachable)
    # this door's events of today the centre kept but did not apply (db.sync.verdicts), and
    # its clock's offset from the centre's as last measured (None: not yet)
    not_applied: int = 0
    clock_offset_s: float | None = None
    # the centre refused this door's fleet row: its kiosk id is another door's (FINDINGS 26)
    id_taken: str = ""


def arrival_status(session_row: dict, at: dt.datetime) -> str:
    """present / late at the centre by the same rule the kiosks apply (kiosk.rules)."""
    view = _session_view(session_row["id"], session_row["title"], session_row["kind"],
                         session_row["start"], session_row["end"], session_row["open_before"],
                         session_row["late_after"])
    return rules.arrival_status(view, at)


@functools.lru_cache(maxsize=256)
def _session_view(sid: int, title: str, kind: str, start: dt.datetime, end: dt.datetime,
                  open_before: int, late_after: int) -> rules.SessionView:
    """One view per session version, not one per pushed event."""
    return rules.SessionView(id=sid, title=title, kind=kind, start=start, end=end,
                             open_before=open_before, late_after=late_after)


class SyncAgent:
    """Pushes this database's unacknowledged events to the centre and pulls what changed there."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeouts = database.Timeouts(*settings.sync_timeouts)
        self._central: pw.Database | None = None
        self._lock = threading.Lock()  # one round at a time, whichever thread asks
        self._fleet_warned = False
        self._register = RegisterWatch()
        self._install_id: str | None = None  # this home's (kiosk.door_identity), read once
        self.clock_offset_s: float | None = None  # at the last fleet report
        self._held: tuple[str, int] | None = None  # (local day, events not applied that day)
        self._verdicts_warned = False
        self.id_taken = ""  # this door's kiosk id, while the centre says another door holds it
        self._taken_warned = False

    @property
    def central_url(self) -> str | None:
        return self.settings.central_url or None

    def where(self) -> str:
        """The centre as host:port/name — never with credentials."""
        return database.redact_url(self.central_url) if self.central_url else ""

    def run_once(self) -> SyncReport:
        """Push, then pull; never raises for a down or refusing centre (see the report)."""
        return self._guarded(pull=True)

    def push_now(self) -> SyncReport:
        """Push only (right after a scan): the sign-in reaches the centre within a second."""
        return self._guarded(pull=False)

    def watch_register(self) -> SyncReport:
        """Between rounds, once a second: merge the sign-ins other doors pushed since the last
        look (db.register_watch), so this door answers "already … (east door)" within 2 s."""
        return self._guarded(pull=None)

    def _guarded(self, pull: bool | None) -> SyncReport:
        with self._lock:
            local = None
            opened_here = False
            try:
                local = self._local()
                opened_here = local.is_closed()
                report = self._round(local, pull)
                report.not_applied = self.not_applied_today()
                report.clock_offset_s = self.clock_offset_s
                report.id_taken = self.id_taken
                return report
            except Exception as exc:  # the kiosk's worker must get a report, never a traceback
                detail = f"{exc.__class__.__name__}: {self._detail(exc)}"
                log.error("sync round failed: %s", detail)  # redacted: no traceback with a URL
                report = self._failed(True, t("sync.failed", where=self.where(), detail=detail))
                report.reachable = False if self.central_url else None
                return report
            finally:
                if local is not None and opened_here and not local.is_closed():
                    local.close()  # only this thread's connection

    # -- one round ---------------------------------------------------------------------------
    def _round(self, local: pw.Database, pull: bool | None = True) -> SyncReport:
        url = self.central_url
        if not url:
            return SyncReport(None, 0, 0, store.queued_count(), "")
        if database.redact_url(url) == database.redact_url(self.settings.db_url):
            return self._failed(True, t("sync.same_database", where=self.where()))
        try:
            central = self._central_db(url)
            reused = not central.is_closed()
            central.connect(reuse_if_open=True)
        except database.DatabaseUrlError as exc:
            return self._failed(False, t("sync.bad_url", detail=str(exc)))
        except (pw.DatabaseError, pw.InterfaceError, OSError) as exc:
            if store.denied_database(exc):  # reached, but this role holds no right there
                return self._failed(True, t("sync.permission_denied_db", where=self.where(),
                                            database=store.denied_database(exc)))
            return self._failed(False, t("sync.unreachable", where=self.where(),
                                         detail=self._detail(exc)))
        report = self._exchange(central, pull)
        if report.error:
            self._close(central)
            if reused and report.reachable is False and not report.pushed and not report.stalled:
                # the kept connection had gone stale (a server restart, an idle cut): once more
                return self._round(local, pull)
        return report

    def _exchange(self, central: pw.Database, pull: bool | None) -> SyncReport:
        """Push (and pull), then tell the centre how this door is; the report says how it went.
        ``pull`` None: only the quick look at the other doors' sign-ins."""
        pushed = pulled = 0
        try:
            if pull is None:
                pulled = self._register.look(central)
                return SyncReport(True, 0, pulled, store.queued_count(), "")
            store.ready_to_push(central)
            if store.queued_count():
                # the centre judges a door's order in its clock as of its last report: report
                # first (a clock stepped back, FINDINGS 32; a renamed door, FINDINGS 34)
                self._report_contact(central, store.queued_count())
            pushed = self._push(central)
            if pull:
                snapshot = store.read_central(central)
                self._register.through_view = snapshot.through_view
                pulled = store.apply_snapshot(snapshot)
            queued = store.queued_count()
            self._report_contact(central, queued)
        except store.CentralSchemaTooOld as exc:
            key = "sync.central_schema"
            if isinstance(exc, store.CentralNotInitialised) or not _has_schema(central):
                key = "sync.central_not_initialised"
            return self._failed(True, t(key, where=self.where()), pushed)
        except store.CentralPermissionDenied as exc:
            return self._denied(exc.table, pushed, central)
        except IdRefused as exc:  # nothing pushed under an id the centre would not apply
            return self._failed(True, exc.message, pushed)
        except store.ForeignHome as exc:
            report = self._failed(True, t("sync.foreign_home", where=self.where(), staff=exc.staff,
                                          sessions=exc.sessions), pushed)
            report.refused = True
            return report
        except (pw.OperationalError, pw.InterfaceError) as exc:
            if store.denied_table(exc):  # MariaDB reports a missing grant as "operational"
                return self._denied(store.denied_table(exc), pushed, central)
            if _rows_held(exc):  # reached: another connection holds these register rows
                return self._failed(True, t("sync.rows_held", where=self.where(),
                                            seconds=f"{self.timeouts.lock:g}"), pushed)
            if _stalled(exc):
                report = self._failed(False, t("fleet.stalled", where=self.where(),
                                               seconds=f"{self.timeouts.reply:g}"), pushed)
                report.stalled = True
                return report
            return self._failed(False, t("sync.unreachable", where=self.where(),
                                         detail=self._detail(exc)), pushed)
        except pw.DatabaseError as exc:
            if store.denied_table(exc):
                return self._denied(store.denied_table(exc), pushed, central)
            return self._failed(True, t("sync.failed", where=self.where(),
                                        detail=self._detail(exc)), pushed)
        if pushed or pulled:
            log.info("sync with %s: pushed %d, pulled %d, queued %d", self.where(), pushed, pulled,
                     queued)
        return SyncReport(True, pushed, pulled, queued, "")

    def _denied(self, table: str, pushed: int, central: pw.Database) -> SyncReport:
        """A right the centre did not grant this door's role: named as such, with the fix — or,
        when the centre runs a newer release whose grants this door's reads predate (FINDINGS
        21), the upgrade this door needs (re-running the grant would change nothing)."""
        from db.migrations import available

        ours = max(m.version for m in available())
        try:
            theirs = store.central_version(central)
        except Exception:  # (unreadable too: the grant is the likelier fix)
            theirs = 0
        if theirs > ours:
            return self._failed(True, t("sync.centre_newer", where=self.where(), centre=theirs,
                                        ours=ours), pushed)
        return self._failed(True, t("sync.permission_denied", where=self.where(), table=table),
                            pushed)

    def _report_contact(self, central: pw.Database, queued: int) -> None:
        """This door's row in the centre's fleet table; a centre without the table (older
        schema) or a role without the right is logged once, never a failed round."""
        try:
            with central.atomic():
                self.clock_offset_s = fleet.report_contact(central, self.contact(queued))
            self.id_taken = ""
        except (pw.ProgrammingError, pw.IntegrityError, pw.OperationalError) as exc:
            refused = id_refused(str(exc), self.settings.kiosk_id)
            if refused is not None:
                log.warning("fleet row for kiosk id %s refused at %s: %s", self.settings.kiosk_id,
                            self.where(), self._detail(exc))
                raise refused from None
            if isinstance(exc, pw.OperationalError) and not store.denied_table(exc) \
                    and "another door" not in str(exc):
                raise  # a dropped connection is the round's failure, as before
            if not self._fleet_warned:
                self._fleet_warned = True
                detail = self._detail(exc)
                if taken_ids.refused_for_id(exc):
                    log.warning("fleet row for kiosk id %s refused at %s: another door holds this "
                                "id there; give this door its own [kiosk] id (%s)",
                                self.settings.kiosk_id, self.where(), detail)
                else:
                    log.warning("fleet row not written at %s: %s", self.where(), detail)
            if taken_ids.refused_for_id(exc):
                self.id_taken = self.settings.kiosk_id
                self._record_taken(central)

    def _record_taken(self, central: pw.Database) -> None:
        """Have the centre record the collision, so ``kiosk fleet`` flags the id (taken_ids); a
        centre before 0021 (or a MariaDB door granted before it) cannot: logged once."""
        try:
            taken_ids.report_refused(central, self.settings.kiosk_id)
        except pw.DatabaseError as exc:  # (a dropped connection fails the next round)
            if not self._taken_warned:
                self._taken_warned = True
                log.warning("the centre at %s cannot record the taken kiosk id (older schema, or "
                            "run `kiosk centre grant-door ROLE` there again): %s", self.where(),
                            self._detail(exc))

    def contact(self, queued: int) -> fleet.Contact:
        """What this door tells the centre about itself."""
        now = timefmt.utc_now()
        tz = self.settings.tz
        local_day = now.replace(tzinfo=dt.UTC).astimezone(tz).date()
        start = (dt.datetime.combine(local_day, dt.time(), tz).astimezone(dt.UTC)
                 .replace(tzinfo=None))
        kiosk_id = self.settings.kiosk_id
        events = (SignInEvent.select().where((SignInEvent.kiosk_id == kiosk_id)
                                             & (SignInEvent.at >= start)
                                             & (SignInEvent.at < start + dt.timedelta(days=1)))
                  .count())
        if self._install_id is None:
            self._install_id = door_identity.install_id(self.settings.home)
        return fleet.Contact(kiosk_id=kiosk_id, day=local_day.isoformat(), events_today=events,
                             queued=queued, version=__version__, install_id=self._install_id)

    @staticmethod
    def _close(central: pw.Database) -> None:
        if not central.is_closed():
            try:
                central.close()
            except (pw.DatabaseError, pw.InterfaceError):
                pass

    def _push(self, central: pw.Database) -> int:
        """Batches until nothing is queued (bounded, so a busy kiosk cannot keep us forever)."""
        pushed = 0
        rounds = store.queued_count() // store.PUSH_BATCH + 2
        for _ in range(rounds):
            rows = store.queued_batch()
            if not rows:
                break
            self._push_batch(central, rows)
            store.mark_pushed([r["id"] for r in rows], utcnow())
            pushed += len(rows)
            self._read_verdicts(central, rows)
        return pushed

    def _read_verdicts(self, central: pw.Database, rows: list[dict]) -> None:
        """Ask the centre which of the events just pushed it kept but did not apply (a door's
        clock too far ahead, a scan out of the door's order …): each is logged, and counted on
        the status line, so a sign-in confirmed here is never silently lost there."""
        ids = verdicts.still_to_ask() + [r["id"] for r in rows]
        try:
            found = verdicts.not_applied(central, ids)
        except (pw.OperationalError, pw.InterfaceError) as exc:  # (review m2) not lost: next round
            verdicts.ask_again(ids)
            log.info("could not ask the centre which events it did not apply (%s): asking again "
                     "next round", self._detail(exc))
            return
        if len(ids) > len(rows):
            verdicts.ask_again([])
        if found is None:
            if not self._verdicts_warned:
                self._verdicts_warned = True
                log.warning("the centre at %s cannot say which events it did not apply "
                            "(older schema, or run `kiosk centre grant-door ROLE` there again)",
                            self.where())
            return
        if not found:
            return
        for r in rows:
            if r["id"] in found:
                log.warning("the centre kept but did not apply event %s (%s %s at %s UTC, "
                            "kiosk %s): %s (%s)", r["id"], r["result"], r["staff_key"] or "-",
                            r["at"], r["kiosk_id"], found[r["id"]],
                            verdicts.EXPLAINED.get(found[r["id"]], "see the centre's event log"))
        day = self._local_day()
        self._held = (day, verdicts.remember(found, day))

    def _local_day(self) -> str:
        now = timefmt.utc_now().replace(tzinfo=dt.UTC)
        return now.astimezone(self.settings.tz).date().isoformat()

    def not_applied_today(self) -> int:
        """Events of this door the centre did not apply, recorded today (local day)."""
        day = self._local_day()
        if self._held is None or self._held[0] != day:
            try:
                self._held = (day, len(verdicts.held_back(day)))
            except pw.DatabaseError:
                return 0
        return self._held[1]

    def _push_batch(self, central: pw.Database, rows: list[dict]) -> None:
        """One batch, retried on a deadlock/serialisation failure (the batch is idempotent)."""
        for attempt in range(DEADLOCK_RETRIES):
            try:
                store.push_batch(central, rows, arrival_status)
                return
            except pw.DatabaseError as exc:
                if attempt == DEADLOCK_RETRIES - 1 or not _is_retryable(exc):
                    raise
                time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))

    # -- plumbing ------------------------------------------------------------------------------
    def _local(self) -> pw.Database:
        """The database the models are bound to (the kiosk's own); bound here only if nobody did."""
        if database.proxy.obj is None:
            return database.bind(self.settings.db_url)
        return database.proxy.obj

    def _central_db(self, url: str) -> pw.Database:
        if self._central is None:
            self._central = database.make_database(url, self.timeouts)
        return self._central

    def close(self) -> None:
        """Close this thread's central connection (the kiosk on its way out)."""
        if self._central is not None:
            self._close(self._central)

    def _detail(self, exc: BaseException) -> str:
        lines = str(exc).strip().splitlines()
        text = lines[0] if lines else exc.__class__.__name__
        return database.redact_text(text, self.central_url)[:160]

    def _failed(self, reachable: bool, error: str, pushed: int = 0) -> SyncReport:
        log.warning("sync: %s", error)
        try:
            queued = store.queued_count()
        except Exception:  # the local database itself is the trouble: the count is unknown
            queued = -1
        return SyncReport(reachable, pushed, 0, queued, error)


class IdRefused(Exception):
    """The centre binds this door's credential to another kiosk id: the door pushes nothing
    (its scans stay queued, to count once the binding is put right) and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def id_refused(text: str, kiosk_id: str) -> IdRefused | None:
    """The refusal of this door's fleet row as a round's message, when it is about its id."""
    if RENAMED_BACK in text:
        moved = re.search(r"\(now ([^)]*)\)", text)
        return IdRefused(t("sync.renamed_away", kiosk_id=kiosk_id,
                           now=moved.group(1) if moved else "?"))
    if "one row, its own" in text:
        return IdRefused(t("sync.kiosk_id_bound", kiosk_id=kiosk_id))
    return None


def _stalled(exc: BaseException) -> bool:
    """A reply that never came (as opposed to a refused or dropped connection). PyMySQL says
    only ``(0, '')`` when the watchdog shut a socket the server had stopped answering on."""
    text = str(exc).lower()
    return any(mark in text for mark in STALL_MARKS) or tuple(exc.args[:2]) == (0, "")


def _is_retryable(exc: BaseException) -> bool:
    text = str(exc).lower()
    return ("deadlock" in text or "serializ" in text) and not _rows_held(exc)


def _rows_held(exc: BaseException) -> bool:
    """The centre waited :attr:`Timeouts.lock` for rows another connection holds (a push of
    another door in flight, or one that vanished mid-push: the server ends that one when it has
    sat idle in its transaction — FINDINGS 29). Not retried at once: the next round tries."""
    text = str(exc).lower()
    return getattr(exc, "pgcode", None) == "55P03" or "lock timeout" in text \
        or "lock wait timeout" in text or (bool(exc.args) and exc.args[0] == 1205)


def _has_schema(central: pw.Database) -> bool:
    """Has anyone ever run ``kiosk init`` on the centre (an old schema, not none at all)?"""
    try:
        return central.table_exists("schema_version")
    except pw.DatabaseError:
        return True  # (cannot tell: the older-schema message is the safe one)
