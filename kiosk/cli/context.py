"""What every command needs: settings, the bound database, output, and one error policy."""

from __future__ import annotations

import errno
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import peewee as pw

from db import database
from db.migrations import is_current
from kiosk import config, timefmt
from kiosk.cli.log_file import setup_logging
from kiosk.i18n import language_from_environment, set_language, t
from kiosk.private_file import ensure_private_home, make_process_private
from kiosk.text_safety import BinaryToTerminal, clean_document, json_text

log = logging.getLogger("kiosk.cli")


class CommandError(Exception):
    """A refusal with a translated one-line message and an exit code (1 by default)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def check_option_text(option: str, value: str | None) -> None:
    """Refuse (exit 1) an option's text that holds a control character; it would be stored."""
    from kiosk.text_safety import has_controls

    if not value or not has_controls(value):
        return
    from kiosk.roster import control_problem

    problem = control_problem(option, value or "", key="cli.option_control_chars")
    if problem:
        raise CommandError(problem)


@dataclass
class Context:
    args: object
    settings: config.Settings
    _db: pw.Database | None = field(default=None, repr=False)

    @property
    def tz(self):
        return self.settings.tz

    def database(self, *, require_schema: bool = True) -> pw.Database:
        """Open (once) the database; refuse with a clear line if unreachable or uninitialised."""
        if self._db is None:
            if require_schema and _sqlite_file_missing(self.settings.db_url):
                # opening would create an empty file in its place: say what is wrong instead
                folder = Path(database.sqlite_path(self.settings.db_url)).parent
                if not folder.is_dir():
                    raise CommandError(t("cli.db_folder_missing", folder=folder))
                raise CommandError(not_initialised(self.settings))
            try:
                self._db = database.bind(self.settings.db_url)
            except database.DatabaseUrlError as exc:
                raise CommandError(t("cli.db_url_invalid", detail=str(exc))) from None
            except database.UnreachableDatabase as exc:
                denied = permission_line(exc, self)
                if denied:
                    raise CommandError(denied) from None
                if self.settings.is_sqlite and _damaged(str(exc)):
                    raise CommandError(t("cli.db_damaged", path=database.sqlite_path(
                        self.settings.db_url))) from None
                if self.settings.is_sqlite and _disk_trouble(str(exc)):
                    raise CommandError(t("cli.disk_full")) from None
                raise CommandError(t("cli.db_unreachable", detail=str(exc))) from None
        if require_schema and not is_current(self._db):
            _refuse_out_of_date(self._db, self.settings)
        return self._db

    def refuse_on_a_mirror(self) -> None:
        """Refuse a roster, plan or card change on a home that mirrors a centre (SPEC §8): the
        next pull would undo it."""
        from kiosk.lifecycle import mirror_refusal

        refusal = mirror_refusal(self.settings)
        if refusal:
            raise CommandError(refusal)

    def admin_actions(self):
        """The admin's actions; refused at once on a home that mirrors a centre."""
        from kiosk.lifecycle import AdminActions

        self.refuse_on_a_mirror()
        return AdminActions(self.database(), tz=self.tz, kiosk_id=self.settings.kiosk_id)

    def close(self) -> None:
        if self._db is not None and not self._db.is_closed():
            self._db.close()

    def out(self, text: str = "") -> None:
        """One or more lines to standard output; control characters from data are escaped."""
        sys.stdout.write(clean_document(text) + "\n")

    def json(self, data) -> None:
        """One JSON document; control characters in text written as ``\\u`` escapes."""
        sys.stdout.write(json_text(data) + "\n")


def foreign_owner(home: Path) -> str | None:
    """The account owning ``home`` when root runs a command on another account's home, else
    None. Root's files there (a log, a backup, SQLite's -wal/-shm) would be root's, and the
    account's kiosk could no longer open them: such a command runs as that account instead."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    try:
        uid = home.stat().st_uid
    except OSError:
        return None
    if uid == 0:
        return None
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def run_guarded(args) -> int:
    """Run ``args.handler`` with the error policy: one line on stderr, never a traceback."""
    set_language(getattr(args, "lang", None) or language_from_environment())
    make_process_private()
    log_path: Path | None = None
    ctx = None
    try:
        settings = config.load(db=getattr(args, "db", None), lang=getattr(args, "lang", None))
        set_language(settings.lang)
        owner = foreign_owner(settings.home)
        if owner is not None and getattr(args, "command", "") != "service":
            raise CommandError(t("cli.home_of_other_account", home=settings.home, user=owner))
        ensure_private_home(settings.home)
        # root's `kiosk service …` on the account's home writes nothing into it (no root-owned log)
        log_path = None if owner is not None else setup_logging(settings.home)
        ctx = Context(args=args, settings=settings)
        return int(args.handler(ctx) or 0)
    except BinaryToTerminal:
        _say(t("cli.binary_to_terminal"))
        return 1
    except CommandError as exc:
        _say_lines(str(exc))
        log.info("refused: %s", exc)
        return exc.code
    except config.ConfigError as exc:
        _say(t("cli.config_invalid", detail=str(exc)))
        return 1
    except timefmt.BadTime as exc:
        if exc.kind in ("nonexistent", "ambiguous"):  # a daylight-saving gap or overlap
            _say(t(f"cli.time_{exc.kind}", value=exc.value, tz=exc.tz))
        else:
            _say(t(f"cli.bad_{exc.kind}", value=exc.value))
        return 1
    except KeyboardInterrupt:
        _say(t("cli.interrupted"))
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except pw.IntegrityError as exc:
        return _unexpected(exc, log_path)
    except pw.OperationalError as exc:
        return _database_error(exc, ctx)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
            _say(t("cli.disk_full"))
            return 1
        if exc.filename is not None:  # a path that cannot be read or written: name it
            log.info("file error: %s", exc)
            _say(t("cli.file_error", path=exc.filename, detail=exc.strerror or exc.errno))
            return 1
        if exc.errno == errno.EACCES:
            _say(t("cli.disk_full"))
            return 1
        return _unexpected(exc, log_path)
    except pw.DatabaseError as exc:
        return _database_error(exc, ctx)
    except Exception as exc:  # the last line of defence: log it, say one line
        return _unexpected(exc, log_path)
    finally:
        if ctx is not None:
            ctx.close()


def not_initialised(settings: config.Settings) -> str:
    """The line for a database nobody ran ``kiosk init`` on. A database named by ``--db`` /
    ``KIOSK_DB`` (a centre, most often) is named, with the command that initialises *it*: a bare
    ``kiosk init`` would set up the home's own SQLite file instead."""
    if settings.db_url == config.sqlite_url_for(settings.home):
        from kiosk.backups import newest_backup

        kept = newest_backup(settings)
        if kept is not None:  # an empty file where the office's database was: restore, not init
            return t("cli.db_empty_restore", backup=kept)
        return t("cli.db_not_initialised")
    return t("cli.db_not_initialised_at", where=database.redact_url(settings.db_url))


def _refuse_out_of_date(db: pw.Database, settings: config.Settings) -> None:
    """One line: never initialised, or made by an earlier release and waiting for ``kiosk init``."""
    from db.migrations import available, current_version

    version = current_version(db)
    if version == 0:
        raise CommandError(not_initialised(settings))
    newest = max(m.version for m in available())
    raise CommandError(t("ops.db_needs_upgrade", version=version, newest=newest))


def _sqlite_file_missing(url: str) -> bool:
    try:
        if database.engine_of(url) != "sqlite":
            return False
    except database.DatabaseUrlError:
        return False
    path = database.sqlite_path(url)
    return path != ":memory:" and not Path(path).exists()


def _damaged(text: str) -> bool:
    """SQLite's words for a file that is not (or no longer) a database."""
    text = text.lower()
    return "file is not a database" in text or "malformed" in text


def _disk_trouble(text: str) -> bool:
    text = text.lower()
    return any(s in text for s in ("disk i/o error", "readonly", "read-only", "disk is full",
                                   "unable to open database file"))


# which grant a command's role needs at a centre (the rest are the admin's)
DOOR_COMMANDS = {"signin", "sync", "run"}
HOST_COMMANDS = {"leave", "host", "export", "report", "fleet"}


def _grant_kind(ctx) -> str:
    command = getattr(getattr(ctx, "args", None), "command", None)
    return "door" if command in DOOR_COMMANDS else "host" if command in HOST_COMMANDS else "admin"


def permission_line(exc: BaseException, ctx) -> str | None:
    """A refused right, named as one with the grant to run (SPEC §13); None if it is not one.

    The one place every command's database error passes: a role that connected but lacks a
    right is never told "cannot connect" or "not initialised".
    """
    from db.sync.common import denied_database, denied_table

    table = denied_table(exc)
    if table:
        return t("cli.permission_denied", table=table, kind=_grant_kind(ctx))
    name = denied_database(exc)
    if name:
        return t("cli.permission_denied_db", database=name, kind=_grant_kind(ctx))
    return None


def _database_error(exc: Exception, ctx) -> int:
    exc = database.root_cause(exc)
    text = str(exc).lower()
    url = ctx.settings.db_url if ctx else None
    log.warning("database error: %s", database.redact_text(str(exc), url))
    denied = permission_line(exc, ctx)
    if denied:
        _say(denied)
    elif ctx is not None and ctx.settings.is_sqlite and _damaged(text):
        _say(t("cli.db_damaged", path=database.sqlite_path(ctx.settings.db_url)))
    elif "locked" in text or "busy" in text:
        _say(t("cli.db_locked"))
    elif _disk_trouble(text):
        _say(t("cli.disk_full"))
    elif "no such table" in text or "doesn't exist" in text or "does not exist" in text:
        _say(not_initialised(ctx.settings) if ctx is not None else t("cli.db_not_initialised"))
    else:
        detail = database.redact_text(str(exc).strip().splitlines()[0] if str(exc).strip() else
                                      exc.__class__.__name__, url)
        _say(t("cli.db_unreachable", detail=detail))
    return 1


def _unexpected(exc: Exception, log_path: Path | None) -> int:
    log.exception("unexpected error")
    _say(t("cli.unexpected", kind=exc.__class__.__name__, log=log_path or "-"))
    return 1


MAX_PROBLEM_LINES = 30


def _say_lines(message: str) -> None:
    """A refusal: its first line, then (for a refused import) one line per problem, capped."""
    lines = [line for line in message.splitlines() if line.strip()] or [message]
    shown = lines[: MAX_PROBLEM_LINES + 1]
    if len(lines) > len(shown):
        shown.append(t("cli.more_problems", count=len(lines) - len(shown)))
    for line in shown:
        _say(line)


def _say(message: str) -> None:
    try:
        sys.stderr.write(clean_document(message.replace("\n", " ")) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
