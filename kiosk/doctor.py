"""``kiosk doctor``: what an IT person checks at a door, each with the one thing to do about it.

Every check returns a :class:`Check`: ``ok`` or not, what was found (``detail``) and, when not
ok, the fix in one line. A check that does not apply here (no centre configured, a server
database, a home less than a day old without a backup yet) passes with a ``note`` saying why.
A check never raises: whatever goes wrong inside one becomes that check's failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import peewee as pw

from db import backup as db_backup
from db import database, migrations
from db.sync.public_setting import read_public
from kiosk import backups, config
from kiosk.config import Settings
from kiosk.i18n import t

MIN_FREE_BYTES = 200 * 1024 * 1024
MAX_CLOCK_SKEW = dt.timedelta(seconds=60)
BACKUP_MAX_AGE = dt.timedelta(hours=26)  # a day plus the kiosk's hourly check and some slack
MAX_LOG_BYTES = 10 * 1024 * 1024  # kiosk.log rotates at 2 MB with 3 kept: ~8 MB at most


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    note: str = ""

    def line(self) -> str:
        mark = t("doctor.ok") if self.ok else t("doctor.fail")
        tail = f" — {self.fix}" if self.fix else (f" ({self.note})" if self.note else "")
        return f"{mark:<6} {t('doctor.check.' + self.name)}: {self.detail}{tail}"

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class Doctor:
    settings: Settings
    db: pw.Database | None
    now: dt.datetime

    @property
    def home(self) -> Path:
        return self.settings.home

    @property
    def sqlite_file(self) -> Path | None:
        if not self.settings.is_sqlite:
            return None
        return Path(database.sqlite_path(self.settings.db_url))

    def run(self) -> list[Check]:
        checks: list[tuple[str, Callable[[], Check]]] = [
            ("schema", self.schema), ("integrity", self.integrity), ("disk", self.disk),
            ("modes", self.modes), ("clock", self.clock), ("key", self.key),
            ("centre", self.centre), ("backup", self.backup), ("log", self.log_size)]
        results = []
        for name, check in checks:
            try:
                results.append(check())
            except Exception as exc:  # one broken check must not hide the others
                detail = database.redact_text(f"{exc.__class__.__name__}: {exc}",
                                              self.settings.central_url)[:200]
                results.append(Check(name, False, detail, t("doctor.fix.unexpected")))
        return results

    # -- the database -------------------------------------------------------------------------
    def schema(self) -> Check:
        newest = max((m.version for m in migrations.available()), default=0)
        if self.db is None:
            return Check("schema", False, t("doctor.no_database"), self._init_or_restore())
        version = migrations.current_version(self.db)
        if version == 0:
            named = self.settings.db_url != config.sqlite_url_for(self.home)
            return Check("schema", False, t("doctor.not_initialised"),
                         t("doctor.fix.init_db") if named else self._init_or_restore())
        if version < newest:
            return Check("schema", False, t("doctor.schema_old", version=version, newest=newest),
                         t("doctor.fix.init"))
        if version > newest:
            return Check("schema", False, t("doctor.schema_new", version=version, newest=newest),
                         t("doctor.fix.upgrade_program"))
        if not self.settings.is_sqlite:  # this database is a centre (its owner's doctor)
            opened = _open_schema(self.db, database.redact_url(self.settings.db_url), "schema")
            if opened is not None:
                return opened
        return Check("schema", True, t("doctor.schema_ok", version=version))

    def integrity(self) -> Check:
        if self.sqlite_file is None:
            return Check("integrity", True, t("doctor.na"), note=t("doctor.note.server_db"))
        if self.db is None:
            return Check("integrity", False, t("doctor.no_database"), self._init_or_restore())
        rows = db_backup.integrity(self.sqlite_file)
        if rows == ["ok"]:
            return Check("integrity", True, "ok")
        return Check("integrity", False, "; ".join(rows)[:200], t("doctor.fix.integrity"))

    def _init_or_restore(self) -> str:
        """The fix for a home without its database: restore the newest backup when it has one
        (the office's database was deleted or emptied: ``kiosk init`` would start an empty one)."""
        kept = backups.newest_backup(self.settings)
        return t("doctor.fix.restore", backup=kept) if kept is not None else t("doctor.fix.init")

    def disk(self) -> Check:
        where = self.sqlite_file.parent if self.sqlite_file else self.home
        usage = shutil.disk_usage(where if where.exists() else self.home)
        size = self.sqlite_file.stat().st_size if self.sqlite_file and self.sqlite_file.exists() else 0
        need = max(MIN_FREE_BYTES, 2 * size)  # room for a backup beside the database
        detail = t("doctor.disk", free=_mb(usage.free), where=where)
        if where.exists() and not os.access(where, os.W_OK):  # a read-only mount, a copy: no scan
            return Check("disk", False, t("doctor.disk_read_only", where=where),
                         t("doctor.fix.disk_read_only"))
        if usage.free < need:
            return Check("disk", False, detail, t("doctor.fix.disk", need=_mb(need)))
        return Check("disk", True, detail)

    def modes(self) -> Check:
        foreign = self._foreign_paths()
        if foreign:  # another account's files (root ran a command here): this user can't use them
            shown = ", ".join(f"{p} ({owner})" for p, owner in foreign[:4])
            return Check("modes", False, t("doctor.modes_foreign", paths=shown),
                         f"sudo chown -R {_account(os.geteuid())}: {self.home}")
        loose = [p for p in self._private_paths() if stat.S_IMODE(p.stat().st_mode) & 0o077]
        if not loose:
            return Check("modes", True, t("doctor.modes_ok"))
        shown = ", ".join(f"{p} ({stat.S_IMODE(p.stat().st_mode):o})" for p in loose[:4])
        dirs = [str(p) for p in loose if p.is_dir()]
        files = [str(p) for p in loose if not p.is_dir()]
        fixes = ([f"chmod 700 {' '.join(dirs)}"] if dirs else []) + \
                ([f"chmod 600 {' '.join(files)}"] if files else [])
        return Check("modes", False, t("doctor.modes_loose", paths=shown), "; ".join(fixes))

    def _foreign_paths(self) -> list[tuple[Path, str]]:
        """The home's folders and files owned by another account, with that account's name."""
        me, found = os.geteuid(), []
        for top in (self.home, self.home / "keys", backups.policy(self.settings).folder,
                    self.home / "logs"):
            try:
                inside = [top, *top.iterdir()] if top.is_dir() else [top]
            except PermissionError:
                inside = [top]
            for path in inside:
                try:
                    uid = path.lstat().st_uid
                except OSError:
                    continue
                if uid != me:
                    found.append((path, _account(uid)))
        return found

    def _private_paths(self) -> list[Path]:
        home = self.home
        rules = backups.policy(self.settings)
        candidates = [home, home / "keys", rules.folder, home / "logs",
                      home / "admin_pin.json", home / "config.toml", home / "keys" / "badge_signing.pem"]
        if self.sqlite_file is not None:
            candidates += [self.sqlite_file, Path(f"{self.sqlite_file}-wal"),
                           Path(f"{self.sqlite_file}-shm")]
        candidates += backups.backups_in(rules.folder)
        candidates += sorted((home / "logs").glob("kiosk.log*")) if (home / "logs").is_dir() else []
        return [p for p in candidates if p.exists()]

    # -- the centre ---------------------------------------------------------------------------
    def _central(self) -> pw.Database:
        # bounded like a sync round: a centre that stops answering cannot hang the doctor
        central = database.make_database(self.settings.central_url,
                                         database.Timeouts(*self.settings.sync_timeouts))
        central.connect()
        return central

    def centre(self) -> Check:
        if not self.settings.central_url:
            return Check("centre", True, t("doctor.na"), note=t("doctor.note.no_centre"))
        where = database.redact_url(self.settings.central_url)
        try:
            central = self._central()
        except Exception as exc:
            detail = database.redact_text(str(exc).strip().splitlines()[0] if str(exc).strip()
                                          else exc.__class__.__name__, self.settings.central_url)
            return Check("centre", False, t("doctor.centre_down", where=where, detail=detail[:160]),
                         t("doctor.fix.centre"))
        try:
            from db import sync

            version = sync.central_version(central)
            sync.check_central(central)
            opened = _open_schema(central, where, "centre")
            if opened is not None:
                return opened
        except sync.CentralSchemaTooOld as exc:
            key = ("doctor.centre_not_initialised" if isinstance(exc, sync.CentralNotInitialised)
                   else "doctor.centre_old")
            return Check("centre", False, t(key, where=where), t("doctor.fix.init_centre"))
        finally:
            central.close()
        return Check("centre", True, t("doctor.centre_ok", where=where, version=version))

    def clock(self) -> Check:
        if not self.settings.central_url:
            return Check("clock", True, t("doctor.na"), note=t("doctor.note.no_centre"))
        from db import sync

        try:
            central = self._central()
        except Exception:
            return Check("clock", True, t("doctor.na"), note=t("doctor.note.centre_down"))
        try:
            if isinstance(central, pw.SqliteDatabase):
                return Check("clock", True, t("doctor.na"), note=t("doctor.note.same_machine"))
            theirs = sync.central_now(central).replace(tzinfo=dt.UTC)
        finally:
            central.close()
        skew = self.now - theirs
        seconds = round(skew.total_seconds())
        if abs(skew) > MAX_CLOCK_SKEW:
            return Check("clock", False, t("doctor.clock_off", seconds=seconds), t("doctor.fix.clock"))
        return Check("clock", True, t("doctor.clock_ok", seconds=seconds))

    def key(self) -> Check:
        if self.db is None:
            return Check("key", False, t("doctor.no_database"), self._init_or_restore())
        from kiosk.badges import keys

        published = keys.published_key()
        if keys.private_key_path(self.home).exists():
            mine = keys.load_signing_key(self.home).public_key()
            if published is None:
                return Check("key", False, t("doctor.key_unpublished"), t("doctor.fix.keys_init"))
            if not keys.same_key(mine, published):
                return Check("key", False, t("doctor.key_mismatch", home=keys.fingerprint(mine),
                                             db=keys.fingerprint(published)), t("doctor.fix.key_mismatch"))
            return Check("key", True, t("doctor.key_ok", fp=keys.fingerprint(mine)))
        if published is None:
            return Check("key", False, t("doctor.key_none"), t("doctor.fix.key_none"))
        centre_key = self._centre_key()
        if centre_key is not None and centre_key != keys.public_key_text(published):
            return Check("key", False, t("doctor.key_stale"), t("doctor.fix.sync"))
        return Check("key", True, t("doctor.key_verify_only", fp=keys.fingerprint(published)))

    def _centre_key(self) -> str | None:
        if not self.settings.central_url:
            return None
        try:
            central = self._central()
        except Exception:
            return None
        try:
            return read_public(central, ("badge_public_key",)).get("badge_public_key")
        except pw.DatabaseError:
            return None
        finally:
            central.close()

    # -- housekeeping -------------------------------------------------------------------------
    def backup(self) -> Check:
        if self.sqlite_file is None:
            return Check("backup", True, t("doctor.na"), note=t("doctor.note.server_db"))
        rules = backups.policy(self.settings)
        if rules.folder.is_dir() and not os.access(rules.folder, os.R_OK | os.X_OK):
            return Check("backup", False, t("doctor.backup_unreadable", folder=rules.folder),
                         f"sudo chown -R {_account(os.geteuid())}: {rules.folder}")
        found = backups.backups_in(rules.folder, self.now)
        ahead = [p for p in found if backups.from_future(p, self.now)]
        if ahead:  # this clock is behind, or was ahead when they were made: never "fine"
            last = max(ahead, key=lambda p: p.stat().st_mtime)
            when = backups.taken_at(last).astimezone(self.settings.tz)
            return Check("backup", False, t("doctor.backup_future", count=len(ahead), path=last,
                                            when=when.isoformat(timespec="minutes")),
                         t("doctor.fix.backup_future"))
        last = found[-1] if found else None
        when = backups.taken_at(last) if last else None
        if when is None:
            born = self._home_age()
            if born is not None and born < dt.timedelta(days=1):
                return Check("backup", True, t("doctor.backup_none"), note=t("doctor.note.new_home"))
            return Check("backup", False, t("doctor.backup_none"), t("doctor.fix.backup"))
        age = max(self.now - when, dt.timedelta(0))  # (within the few minutes of slack)
        detail = t("doctor.backup_age", hours=f"{age.total_seconds() / 3600:.1f}", path=last)
        if age > BACKUP_MAX_AGE:
            return Check("backup", False, detail, t("doctor.fix.backup"))
        return Check("backup", True, detail)

    def _home_age(self) -> dt.timedelta | None:
        """How long ago ``kiosk init`` made this database (its first recorded migration)."""
        if self.db is None:
            return None
        first = migrations.first_applied(self.db)
        return self.now - first.replace(tzinfo=dt.UTC) if first else None

    def log_size(self) -> Check:
        folder = self.home / "logs"
        files = sorted(folder.glob("kiosk.log*")) if folder.is_dir() else []
        total = sum(p.stat().st_size for p in files)
        detail = t("doctor.log", size=_mb(total), count=len(files))
        if total > MAX_LOG_BYTES:
            return Check("log", False, detail, t("doctor.fix.log", folder=folder))
        return Check("log", True, detail)


def hints(settings: Settings) -> list[str]:
    """Advice that is no failure (the checks and the exit code stay SPEC §9's): a home whose
    config names no issuing office prints its bulletin without "××编" — say where to set it."""
    office = settings.raw.get("office", {}) if isinstance(settings.raw, dict) else {}
    issuer = office.get("bulletin_issuer", "") if isinstance(office, dict) else ""
    if settings.office_name.strip() or str(issuer).strip():
        return []
    return [t("records.doctor.no_office")]


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def _account(uid: int) -> str:
    """An account's name (its number when it has none)."""
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _open_schema(db: pw.Database, where: str, name: str) -> Check | None:
    """A failed check when anyone may create objects in a PostgreSQL centre's schema (REVIEW B1)."""
    from db.sync.schema_acl import open_schema, revoke_from_public

    schema = open_schema(db)
    if schema is None:
        return None
    return Check(name, False, t("doctor.schema_open", schema=schema, where=where),
                 t("doctor.fix.schema_open", statement=revoke_from_public(schema)))
