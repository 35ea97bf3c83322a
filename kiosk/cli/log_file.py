"""The kiosk's own log file: ``KIOSK_HOME/logs/kiosk.log``, private, rotated, opened only when
a record comes, its times with their UTC offset and no badge signature or terminal escape in it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from kiosk.text_safety import clean_document


class LogFile(logging.Handler):
    """``KIOSK_HOME/logs/kiosk.log``, rotated at 2 MB (3 kept), opened at the first record.

    ``logging.handlers`` (and pickle, queue) is imported only then: a run that logs nothing — a
    clean ``kiosk signin --from-file`` — does not pay for it (bench/scans.py counts start-up).
    """

    kiosk_file = True

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            import logging.handlers

            try:
                self._file = logging.handlers.RotatingFileHandler(
                    self.path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
            except OSError:
                self.handleError(record)
                return
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


class OffsetFormatter(logging.Formatter):
    """Log times as ISO 8601 with their UTC offset (``2026-12-01T09:15:02.123+08:00``).

    A door's log is read months later, often next to the centre's: without the offset a time is
    ambiguous across time zones, DST changes and a machine whose zone was set after install.
    """

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        import datetime as dt

        return dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class SecretFreeFormatter(OffsetFormatter):
    """Log lines (tracebacks included) with any badge payload cut to ``SK1.<id>.<version>`` and
    control characters escaped: a log file never holds a printable badge or a terminal escape."""

    def format(self, record: logging.LogRecord) -> str:
        from db.redact import drop_badge_signatures

        return clean_document(drop_badge_signatures(super().format(record)))


def setup_logging(home: Path) -> Path | None:
    """Log to ``KIOSK_HOME/logs/kiosk.log`` (rotated); silently skip if it cannot be written."""
    path = home / "logs" / "kiosk.log"
    root = logging.getLogger()
    if any(getattr(h, "kiosk_file", False) for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))  # writable?
    except OSError:
        return None
    handler = LogFile(path)
    handler.setFormatter(SecretFreeFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.raiseExceptions = False  # a log file on a full disk must not print a traceback
    return path


def move_logging(home: Path) -> Path | None:
    """Send this process's log to ``home`` from now on (the demo logs into its own home)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "kiosk_file", False)]:
        root.removeHandler(handler)
        handler.close()
    return setup_logging(home)
