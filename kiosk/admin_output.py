"""Files the admin's console writes to a folder the admin picks (e.g. a USB stick).

The same renderers and writer as ``kiosk badge make --format html`` and ``kiosk report``: the
signed badge payloads and ``kiosk.badges.render.html_sheet``; ``kiosk.reports.model`` and
``monthly_document``/``annual_document``; ``kiosk.sheets.write_bytes`` (atomic, private file).
A refusal raises :class:`kiosk.lifecycle.Refused` with one translated line.
"""

from __future__ import annotations

import datetime as dt
import errno
from pathlib import Path

from kiosk import timefmt
from kiosk.config import Settings
from kiosk.i18n import t
from kiosk.lifecycle import Refused

SHEET_NAME = "badges.html"
WRITE_REASONS = {errno.ENOSPC: "no_space", errno.EDQUOT: "no_space", errno.EFBIG: "no_space",
                 errno.EACCES: "denied", errno.EPERM: "denied", errno.EROFS: "read_only",
                 errno.ENOENT: "no_folder", errno.ENOTDIR: "no_folder", errno.EISDIR: "is_folder"}


def folder(text: str) -> Path:
    """The folder the admin typed (``~`` expanded), created if missing; refused if not a folder."""
    value = (text or "").strip()
    if not value:
        raise Refused(t("console.folder_required"))
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise Refused(t("badge.out_not_dir", path=path))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Refused(_write_failed(path, exc)) from None
    return path


def _write_failed(path: Path, exc: OSError) -> str:
    reason = t(f"report.cli.reason.{WRITE_REASONS.get(exc.errno, 'other')}")
    return t("report.cli.write_failed", path=path, reason=reason)


def _write(path: Path, data: bytes) -> Path:
    from kiosk.sheets import write_bytes

    try:
        write_bytes(str(path), data)
    except OSError as exc:
        raise Refused(_write_failed(path, exc)) from None
    return path


def badge_sheet(rows: list[dict], settings: Settings, out: Path) -> Path:
    """One printable HTML sheet of signed badges for ``rows`` (roster rows) in ``out``."""
    from kiosk.badges import keys, render
    from kiosk.badges.payload import sign

    if not rows:
        raise Refused(t("badge.nothing_to_do"))
    try:
        key = keys.load_signing_key(settings.home)
    except keys.SigningKeyMissing as exc:
        raise Refused(str(exc)) from None
    published = keys.published_key()
    if published is None:
        raise Refused(t("keys.not_published"))
    if not keys.same_key(published, key.public_key()):
        raise Refused(t("keys.wrong_key", home_fp=keys.fingerprint(key.public_key()),
                        db_fp=keys.fingerprint(published)))
    faces = [render.BadgeFace(staff_id=r["staff_id"], name=r["name"], department=r["department"],
                              title=r.get("title") or "",
                              payload=sign(key, r["staff_id"], r["badge_version"]))
             for r in rows]
    sheet = render.html_sheet(faces, settings.office_name, lang=settings.lang)
    return _write(out / SHEET_NAME, sheet.encode("utf-8"))


def report_options(settings: Settings, now: dt.datetime):
    from kiosk.reports import ReportOptions

    return ReportOptions(tz=settings.tz, now=now, warn_rate_below=settings.warn_rate_below,
                         warn_absences_over=settings.warn_absences_over, targets=settings.targets,
                         office_name=settings.office_name,
                         first_issue=settings.bulletin_first_issue)


def report_files(period: str, formats: list[str], settings: Settings, out: Path,
                 now: dt.datetime | None = None) -> list[Path]:
    """The monthly report (``period`` YYYY-MM: also ``docx``, the bulletin as a Word document)
    or the annual one (YYYY; a ``docx`` asked for with other formats is left out) per format."""
    from kiosk.reports import MONTHLY_FORMATS, annual, annual_document, monthly, monthly_document

    text = (period or "").strip()
    annual_period = len(text) == 4 and text.isdigit()
    if annual_period and len(formats) > 1:
        formats = [f for f in formats if f != "docx"]
    allowed = tuple(f for f in MONTHLY_FORMATS if f != "docx" or not annual_period)
    unknown = [f for f in formats if f not in allowed]
    if unknown or not formats:
        raise Refused(t("console.bad_formats", value=",".join(unknown) or "-",
                        choices=", ".join(allowed)))
    options = report_options(settings, now or timefmt.utc_now())
    if annual_period:
        report = annual(int(text), options, lambda step: None)
        documents = [(f"annual-{text}.{fmt}", annual_document(report, fmt)) for fmt in formats]
    else:
        try:
            year, month = timefmt.parse_month(text)
        except timefmt.BadTime:
            raise Refused(t("console.bad_period", value=text[:20])) from None
        report = monthly(year, month, options, lambda step: None,
                         detail=any(f in ("csv", "xlsx") for f in formats))
        documents = [(f"monthly-{year:04d}-{month:02d}.{fmt}",
                      monthly_document(report, fmt, _distribution(settings) if fmt == "docx"
                                       else None))
                     for fmt in formats]
        written = [_write(out / name, data) for name, data in documents]
        from kiosk.reports.issues import record

        record(report, options.tz, options.now, options.first_issue)  # 第N期 issued: kept
        return written
    return [_write(out / name, data) for name, data in documents]


def bulletin_notes(formats: list[str], settings: Settings) -> list[str]:
    """What to tell whoever writes the Word bulletin: with no ``[office] name`` nor
    ``bulletin_issuer`` it carries no issuing office — where to set one (as ``kiosk report``)."""
    if "docx" not in formats:
        return []
    if (_distribution(settings).issuer or settings.office_name).strip():
        return []
    return [t("records.docx.no_issuer_hint")]


def _distribution(settings: Settings):
    """The bulletin's addressees and printer from the config (as ``kiosk report`` reads them)."""
    from kiosk.reports.render_docx import Distribution

    return Distribution.from_config(settings.raw)
