"""``kiosk sync [--once] [--central URL]``: push this home's events, pull the office's roster.

The central URL comes from ``--central``, else ``KIOSK_CENTRAL``, else ``[sync] central`` in
``KIOSK_HOME/config.toml``; given with ``--central`` on a home with none in its config file, it is
remembered there (mode 0600, the rest of the file untouched). A fresh home gets its local schema
here, and never a signing key: a kiosk set up only by ``sync`` can verify badges, not mint them.
"""

from __future__ import annotations

import random
import sys
import time

import peewee as pw

from db import database, migrations
from db import sync as store
from kiosk import config, door_identity
from kiosk.cli.context import CommandError, Context
from kiosk.config_file import ConfigWriteError, write_setting
from kiosk.i18n import t
from kiosk.syncer import SyncAgent, SyncReport

MAX_BACKOFF = 300.0


def register(commands, common) -> None:
    p = commands.add_parser("sync", parents=[common],
                            help="push local events to the central database and pull the roster")
    p.add_argument("--once", action="store_true",
                   help="one round: exit 0 when fully synced, 1 when the centre can't be reached")
    p.add_argument("--central", metavar="URL", help="the central database URL (remembered)")
    p.add_argument("--adopt", action="store_true",
                   help="move this home whole (roster, plan, leaves, events) to a centre that "
                        "holds no plan yet, then sync once")
    p.add_argument("--keep-centre-roster", action="store_true",
                   help="with --adopt: where the centre already holds a staff ID with another "
                        "name or department, keep the centre's record (here too)")
    p.set_defaults(handler=sync)


def sync(ctx: Context) -> int:
    a = ctx.args
    url = a.central or ctx.settings.central_url
    if not url:
        raise CommandError(t("sync.no_central"))
    try:
        database.engine_of(url)
    except database.DatabaseUrlError as exc:
        raise CommandError(t("sync.bad_url", detail=str(exc))) from None
    _prepare_local(ctx)
    configured = _configured_central(ctx.settings.raw)
    remember = bool(a.central) and not configured
    # a home attaching with no [kiosk] id of its own gets a unique one (kiosk.door_identity),
    # written to config.toml once the centre took this home (a refusal changes nothing)
    own = door_identity.ensure_kiosk_id(ctx.settings, write=False)
    agent = SyncAgent(own.with_overrides(central_url=url))
    if a.adopt:
        adopt(ctx, agent, url)
    report = agent.run_once()
    if report.refused:  # a home that does not mirror this centre: nothing changes, config neither
        return _once(ctx, agent, report)
    attached = _Attach(ctx, own, configured)
    note = ""
    if report.reachable and not report.error:
        attached.succeeded()
    elif a.central and remember:  # a mistyped URL is never remembered: said on the same line
        note = t("sync.not_remembered", where=database.redact_url(a.central))
    if a.once or a.adopt:
        return _once(ctx, agent, report, note)
    return _loop(ctx, agent, attached)


class _Attach:
    """What a first successful round with ``--central URL`` writes to config.toml: the URL (when
    the file names none; never one no round succeeded with) and the home's kiosk id."""

    def __init__(self, ctx: Context, own: config.Settings, configured: str) -> None:
        self.ctx, self.own, self.configured, self.done = ctx, own, configured, False

    def succeeded(self) -> None:
        if self.done:
            return
        self.done = True
        ctx, central = self.ctx, self.ctx.args.central
        if central and not self.configured:
            remember_central(ctx, central)
        elif central and central != self.configured:
            _err(t("sync.config_names_other", path=ctx.settings.home / config.CONFIG_FILE,
                   where=database.redact_url(self.configured)))
        if not door_identity.has_own_id(ctx.settings) and door_identity.has_own_id(
                door_identity.remember_id(self.own)):
            ctx.out(t("fleet.id_assigned", kiosk=self.own.kiosk_id))


def adopt(ctx: Context, agent: SyncAgent, url: str) -> None:
    """Upload this home whole to a centre without a plan (see :mod:`db.sync.adopt`)."""
    from db.sync.adopt import CentreHoldsPlan, CentreKeyDiffers, RosterDiffers, adopt_home

    central = database.make_database(url, agent.timeouts)  # bounded like every round
    try:
        central.connect()
        done = adopt_home(central, keep_centre=ctx.args.keep_centre_roster)
    except RosterDiffers as exc:
        lines = [t("sync.roster_differs_person", staff_id=staff_id, home=" / ".join(home),
                   centre=" / ".join(there)) for staff_id, home, there in exc.differences]
        raise CommandError("\n".join([t("sync.roster_differs", where=agent.where(),
                                         count=len(lines))] + lines)) from None
    except CentreHoldsPlan as exc:
        raise CommandError(t("sync.centre_has_plan", where=agent.where(),
                             sessions=exc.sessions)) from None
    except CentreKeyDiffers:
        raise CommandError(t("sync.centre_key_differs", where=agent.where())) from None
    except store.CentralNotInitialised:
        raise CommandError(t("sync.central_not_initialised", where=agent.where())) from None
    except store.CentralSchemaTooOld:
        raise CommandError(t("sync.central_schema", where=agent.where())) from None
    except (pw.DatabaseError, pw.InterfaceError, OSError) as exc:
        if store.denied_table(exc):  # reached, but adopting writes what only the owner may
            raise CommandError(t("sync.adopt_needs_owner", where=agent.where(),
                                 table=store.denied_table(exc))) from None
        detail = database.redact_text(str(exc).strip().splitlines()[0] if str(exc).strip() else
                                      exc.__class__.__name__, url)[:160]
        raise CommandError(t("sync.unreachable", where=agent.where(), detail=detail)) from None
    finally:
        if not central.is_closed():
            central.close()
    ctx.out(t("sync.adopted", where=agent.where(), staff=done.staff, sessions=done.sessions,
              leaves=done.leaves, register=done.register))


def _prepare_local(ctx: Context) -> None:
    """The kiosk's own database: created on a fresh SQLite home, required current elsewhere."""
    db = ctx.database(require_schema=False)
    if ctx.settings.is_sqlite:
        migrations.upgrade(db)
    elif not migrations.is_current(db):
        raise CommandError(t("sync.local_server"))


def _once(ctx: Context, agent: SyncAgent, report: SyncReport, note: str = "") -> int:
    if report.reachable and not report.error and report.queued:
        report = _add(report, agent.run_once())  # events signed in while we were pushing
    _print(ctx, agent, report, note)
    done = report.reachable and not report.error and report.queued == 0
    return 0 if done and not report.id_taken else 1  # a taken id: nothing it sends counts


def _add(first: SyncReport, second: SyncReport) -> SyncReport:
    return SyncReport(second.reachable, first.pushed + second.pushed, first.pulled + second.pulled,
                      second.queued, second.error, not_applied=second.not_applied,
                      clock_offset_s=second.clock_offset_s, id_taken=second.id_taken)


def _print(ctx: Context, agent: SyncAgent, report: SyncReport, note: str = "") -> None:
    if report.reachable and not report.error:
        ctx.out(t("sync.done", where=agent.where(), pushed=report.pushed, pulled=report.pulled,
                  queued=report.queued))
        _warn_door(report)
        return
    _err(f"{report.error}{t('sep')}{t('sync.queued', queued=report.queued)}"
         + (f"{t('sep')}{note}" if note else ""))


def _warn_door(report: SyncReport) -> None:
    """What the centre did not take from this door today, and a clock off the centre's: the
    door's own word that a confirmed sign-in did not count (FINDINGS 6)."""
    from db.fleet import SKEW_LIMIT_S
    from kiosk.fleet_view import offset_text

    if report.id_taken:
        _err(t("sync.kiosk_id_taken", kiosk=report.id_taken))
    if report.not_applied:
        _err(t("sync.not_applied", count=report.not_applied))
    if report.clock_offset_s is not None and abs(report.clock_offset_s) > SKEW_LIMIT_S:
        _err(t("sync.clock_off", offset=offset_text(report.clock_offset_s)))


def _loop(ctx: Context, agent: SyncAgent, attached: _Attach) -> int:
    """Sync every ``sync.interval`` seconds; back off (doubling, with jitter) while the centre is down."""
    interval = float(ctx.settings.sync_interval)
    delay = interval
    last_ok: bool | None = None
    try:
        while True:
            report = agent.run_once()
            if report.refused:  # not a passing trouble: retrying cannot help
                _print(ctx, agent, report)
                return 1
            ok = bool(report.reachable and not report.error)
            if ok:
                attached.succeeded()
                if report.pushed or report.pulled or last_ok is not True:
                    _print(ctx, agent, report)
                delay = interval
            else:
                _print(ctx, agent, report)
                delay = interval if last_ok else min(delay * 2, MAX_BACKOFF)
                _err(t("sync.retry_in", seconds=round(delay)))
            last_ok = ok
            sys.stdout.flush()
            time.sleep(delay * random.uniform(0.9, 1.1))
    except KeyboardInterrupt:
        ctx.out(t("sync.stopped"))
        return 0


def _err(text: str) -> None:
    sys.stderr.write(text.replace("\n", " ") + "\n")
    sys.stderr.flush()


def _configured_central(raw: dict) -> str:
    """``[sync] central`` as config.toml holds it ("" when none)."""
    table = raw.get("sync")
    return str(table.get("central") or "") if isinstance(table, dict) else ""


def remember_central(ctx: Context, url: str) -> None:
    """Set ``central = URL`` under ``[sync]`` in config.toml, keeping everything else as it is."""
    try:
        path = write_setting(ctx.settings.home, "sync", "central", url)
    except ConfigWriteError:
        raise CommandError(t("sync.config_unwritable",
                             path=ctx.settings.home / config.CONFIG_FILE)) from None
    ctx.out(t("sync.remembered", where=database.redact_url(url), path=path))
