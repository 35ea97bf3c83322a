"""``kiosk report monthly|annual``: the monthly report with its bulletin, and annual targets.

``--format`` is one of csv, xlsx, md, html, json; when left out it follows the ``--out`` file's
extension (json for standard output). ``--out -`` writes to standard output. While it works, a
short progress line is shown on stderr when stderr is a terminal.

A report that cannot be written (disk full — ``--out /dev/full`` —, no permission, a folder that
cannot be created) is refused with one translated line naming the file and the reason, exit 1;
"report written" is only said once every byte is out.
"""

from __future__ import annotations

import errno
import sys

from kiosk import timefmt
from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t

FORMATS = ("csv", "xlsx", "md", "html", "json")
MONTHLY_FORMATS = (*FORMATS, "docx")
PERSON_FORMATS = ("json", "md", "html", "xlsx", "docx")


def register(commands, common) -> None:
    report = commands.add_parser("report", help="monthly report and annual targets")
    sub = report.add_subparsers(dest="what", metavar="WHAT", parser_class=commands._parser_class)
    sub.required = True
    monthly = sub.add_parser("monthly", parents=[common], help="monthly report and bulletin")
    monthly.add_argument("--month", required=True, help="YYYY-MM")
    _output_options(monthly, MONTHLY_FORMATS)
    monthly.set_defaults(handler=report_monthly)
    annual = sub.add_parser("annual", parents=[common], help="annual target progress per person")
    annual.add_argument("--year", required=True, help="YYYY")
    _output_options(annual)
    annual.set_defaults(handler=report_annual)
    person = sub.add_parser("person", parents=[common], help="one person's study record (学习档案)")
    person.add_argument("staff_id")
    person.add_argument("--year", required=True, help="YYYY")
    _output_options(person, PERSON_FORMATS)
    person.set_defaults(handler=report_person)


def _output_options(parser, formats: tuple[str, ...] = FORMATS) -> None:
    parser.add_argument("--format", choices=formats, help=", ".join(formats))
    parser.add_argument("--out", default="-", metavar="FILE", help="file, or - for standard output")


def _format(ctx: Context) -> str:
    if ctx.args.format:
        return ctx.args.format
    suffix = ctx.args.out.rsplit(".", 1)[-1].lower() if "." in ctx.args.out else ""
    allowed = {"monthly": MONTHLY_FORMATS, "person": PERSON_FORMATS}.get(ctx.args.what, FORMATS)
    return suffix if suffix in allowed else "json"


def _options(ctx: Context):
    from kiosk.reports import ReportOptions

    s = ctx.settings
    return ReportOptions(tz=ctx.tz, now=timefmt.utc_now(), warn_rate_below=s.warn_rate_below,
                         warn_absences_over=s.warn_absences_over, targets=s.targets,
                         office_name=s.office_name, first_issue=s.bulletin_first_issue)


class StepLine:
    """A one-line progress indicator on stderr (only when stderr is a terminal)."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.done = 0
        self.live = sys.stderr.isatty()

    def __call__(self, step: str) -> None:
        self.done += 1
        if self.live:
            filled = round(20 * self.done / self.steps)
            bar = "█" * filled + "░" * (20 - filled)
            text = t("report.cli.progress", step=t(f"report.step.{step}"))
            sys.stderr.write(f"\r{bar} {text}\033[K")
            sys.stderr.flush()

    def finish(self) -> None:
        if self.live:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def report_monthly(ctx: Context) -> int:
    from kiosk.reports import model, monthly_document
    from kiosk.reports.issues import record

    year, month = timefmt.parse_month(ctx.args.month)
    fmt = _format(ctx)
    ctx.database()
    steps = StepLine(7)
    options = _options(ctx)
    try:
        report = model.monthly(year, month, options, steps, detail=fmt in ("csv", "xlsx"))
        steps("render")
        distribution = _distribution(ctx) if fmt == "docx" else None
        data = monthly_document(report, fmt, distribution)
    finally:
        steps.finish()
    code = _write(ctx, data)
    # written: a finished month's 第N期 is now issued and never changes (read-only: not stored)
    record(report, options.tz, options.now, options.first_issue)
    if distribution is not None and not (distribution.issuer or ctx.settings.office_name).strip():
        sys.stderr.write(t("records.docx.no_issuer_hint") + "\n")
    return code


def _distribution(ctx: Context):
    """The Word bulletin's addressees, copy list and printer from ``[office]`` in config.toml."""
    from kiosk.reports.render_docx import Distribution

    return Distribution.from_config(ctx.settings.raw)


def report_annual(ctx: Context) -> int:
    from kiosk.reports import annual_document, model

    year = _year(ctx.args.year)
    fmt = _format(ctx)
    ctx.database()
    steps = StepLine(3)
    try:
        report = model.annual(year, _options(ctx), steps)
        steps("render")
        data = annual_document(report, fmt)
    finally:
        steps.finish()
    return _write(ctx, data)


def report_person(ctx: Context) -> int:
    from kiosk import rules
    from kiosk.reports.person import person_record
    from kiosk.reports.person_render import person_document

    year = _year(ctx.args.year)
    fmt = _format(ctx)
    ctx.database()
    record = person_record(rules.normalise_staff_id(ctx.args.staff_id), year, _options(ctx))
    if record is None:
        raise CommandError(t("cli.unknown_staff", value=ctx.args.staff_id.strip()))
    return _write(ctx, person_document(record, fmt))


def _year(text: str) -> int:
    value = (text or "").strip()
    if len(value) != 4 or not value.isdigit() or int(value) < 1900:
        raise CommandError(t("report.cli.bad_year", value=text))
    return int(value)


WRITE_REASONS = {errno.ENOSPC: "no_space", errno.EDQUOT: "no_space", errno.EFBIG: "no_space",
                 errno.EACCES: "denied", errno.EPERM: "denied", errno.EROFS: "read_only",
                 errno.ENOENT: "no_folder", errno.ENOTDIR: "no_folder", errno.EISDIR: "is_folder"}


def _write(ctx: Context, data: bytes) -> int:
    from kiosk.sheets import write_bytes

    try:
        write_bytes(ctx.args.out, data)
    except BrokenPipeError:
        raise  # ``… --out - | head``: the reader left; the CLI's policy is a quiet exit
    except OSError as exc:
        reason = t(f"report.cli.reason.{WRITE_REASONS.get(exc.errno, 'other')}")
        raise CommandError(t("report.cli.write_failed", path=ctx.args.out, reason=reason)) from None
    if ctx.args.out != "-":
        ctx.out(t("report.cli.written", path=ctx.args.out))
    return 0
