"""报表 (reports): a month (YYYY-MM) or a year (YYYY) and formats → files in a folder the admin
picks (e.g. a USB stick); the paths are shown afterwards."""

from __future__ import annotations

import datetime as dt

from textual import on, work
from textual.containers import Horizontal, Vertical
from textual.widgets import Input

from kiosk.i18n import Words, again, t
from kiosk.lifecycle import Refused
from kiosk.ui.admin.base import Section
from kiosk.ui.admin.widgets import Label, Static
from kiosk.ui.safe_app import burst_rows

DEFAULT_FORMATS = "docx,xlsx,html"


class ReportSection(Section):
    DEFAULT_CSS = """
    ReportSection .form-row { height: 1; margin-bottom: 1; }
    ReportSection > Vertical { height: auto; }
    ReportSection .form-label { width: 16; color: $text-muted; }
    ReportSection .form-row Input, ReportSection .form-row Input:focus {
        width: 1fr; height: 1; border: none; padding: 0 1; background: $boost;
    }
    ReportSection .form-row Input:focus { background: $accent 40%; }
    ReportSection #report-result { height: auto; margin-top: 1; }
    ReportSection .form-hint { width: 100%; color: $text-muted; }
    """

    def __init__(self, today: dt.date, home, **kwargs) -> None:
        super().__init__(**kwargs)
        last = today.replace(day=1) - dt.timedelta(days=1)
        self.defaults = {"period": f"{last.year:04d}-{last.month:02d}", "formats": DEFAULT_FORMATS,
                         "folder": str(home / "reports")}
        self.busy = False

    def compose(self):
        with Vertical():
            for name in ("period", "formats", "folder"):
                with Horizontal(classes="form-row"):
                    yield Label(t(f"console.reports.{name}"), classes="form-label")
                    yield Input(self.defaults[name], id=f"report-{name}")
            yield Label(t("console.reports.explain"), classes="form-hint")
            # the last result, again in the current language after F9 (the screen recomposes)
            yield Static(again(getattr(self.app, "report_result", "")), id="report-result")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = getattr(self.app, "cursor_blink", True)

    def focus_default(self) -> None:
        self.query_one("#report-period", Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:  # each Enter is one submission: not a second run while one works
            return
        self.busy = True
        capture = getattr(self.app, "capture_burst", None)
        if capture is not None:  # what a paste brings after this Enter: left unused, said
            capture()
        values = {n: self.query_one(f"#report-{n}", Input).value for n in self.defaults}
        self.query_one("#report-result", Static).update(t("console.working"))
        self._write(values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reports")
    def _write(self, values: dict[str, str]) -> None:
        from kiosk.admin_output import bulletin_notes, folder, report_files

        app = self.app
        formats = [f.strip().lower() for f in values["formats"].replace("，", ",").split(",")
                   if f.strip()]
        try:
            with app.db.connection_context():
                paths = report_files(values["period"], formats, app.settings,
                                     folder(values["folder"]), app.clock())
            text = Words(lambda: "\n".join([
                t("console.reports.written", count=len(paths)), *(str(p) for p in paths),
                *bulletin_notes([p.suffix[1:] for p in paths], app.settings)]))
        except Refused as exc:
            text = str(exc)
        except Exception as exc:
            app.log_error(exc)
            text = t("console.failed")
        app.call_from_thread(self._written, text)

    async def _written(self, text: str) -> None:
        over = getattr(self.app, "burst_over", None)
        unused = len(burst_rows(await over())) if over is not None else 0
        if unused:  # (FINDINGS #30: never typed into the fields after the Enter that wrote)
            said = text
            text = Words(lambda: "\n".join([again(said), t("console.burst_unused", count=unused)]))
        self.busy = False
        self.app.report_result = text
        if self.is_attached:
            self.query_one("#report-result", Static).update(text)
