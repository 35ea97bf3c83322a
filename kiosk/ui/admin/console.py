"""The console's one screen: a line of sections (F1–F5), the active section, a status line
(the last result, e.g. the path of the files written) and the keys of the section."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import ContentSwitcher

from kiosk import timefmt
from kiosk.i18n import again, current_language, t
from kiosk.ui.admin.badges import BadgeSection
from kiosk.ui.admin.base import Section
from kiosk.ui.admin.leave import LeaveSection
from kiosk.ui.admin.plan import PlanSection
from kiosk.ui.admin.reports import ReportSection
from kiosk.ui.admin.roster import RosterSection
from kiosk.ui.admin.widgets import HintBar, Static, clean

SECTIONS = ("roster", "plan", "leave", "badges", "reports")


class ConsoleScreen(Screen):
    DEFAULT_CSS = """
    ConsoleScreen { layout: vertical; }
    ConsoleScreen #console-tabs { height: 1; background: $panel; }
    ConsoleScreen ContentSwitcher { height: 1fr; padding: 1 1 0 1; }
    ConsoleScreen #console-status { height: auto; max-height: 3; padding: 0 1; color: $success; }
    """
    BINDINGS = [Binding(f"f{n}", f"section('{name}')", show=False, priority=True)
                for n, name in enumerate(SECTIONS, start=1)] + [
        Binding("f9", "language", show=False, priority=True),
        Binding("ctrl+q", "quit_console", show=False, priority=True),
    ]

    def __init__(self, active: str = "roster") -> None:
        super().__init__()
        self.active = active
        self.status = ""

    def compose(self) -> ComposeResult:
        app = self.app
        today = timefmt.local(app.clock(), app.settings.tz).date()
        yield Static(self.tabs(), id="console-tabs")
        with ContentSwitcher(initial=self.active):
            yield RosterSection(id="roster")
            yield PlanSection(app.settings.tz, today, id="plan")
            yield LeaveSection(id="leave")
            yield BadgeSection(id="badges")
            yield ReportSection(today, app.settings.home, id="reports")
        yield Static(clean(again(self.status)), id="console-status")
        yield HintBar(self.hint(), id="console-hint")

    def on_mount(self) -> None:
        self.call_after_refresh(self.section(self.active).focus_default)

    def tabs(self) -> Text:
        """``F1 人员 │ F2 学习计划 …`` with the active section shown reversed (translated text)."""
        line = Text(" " + t("console.title") + "  ", style="bold")
        for n, name in enumerate(SECTIONS, start=1):
            label = f" F{n} {t(f'console.section.{name}')} "
            line.append(label, style="reverse bold" if name == self.active else "")
            line.append(" ")
        return line

    def hint(self) -> str:
        other = "English" if current_language() == "zh" else "中文"
        return f"{t(f'console.hint.{self.active}')}  ·  {t('console.hint.global', language=other)}"

    def section(self, name: str) -> Section:
        return self.query_one(f"#{name}", Section)

    def action_section(self, name: str) -> None:
        self.active = name
        self.query_one(ContentSwitcher).current = name
        self.query_one("#console-tabs", Static).update(self.tabs())
        self.query_one("#console-hint", HintBar).update(self.hint())
        section = self.section(name)
        section.focus_default()
        section.reload()

    def say(self, text: str) -> None:
        """The last result on the status line; kept as said (:class:`kiosk.i18n.Words`), so a
        language switch (F9) shows it again in the new language (FINDINGS f)."""
        self.status = text
        self.query_one("#console-status", Static).update(clean(again(text)))

    async def action_language(self) -> None:
        self.app.switch_language("en" if current_language() == "zh" else "zh")
        await self.recompose()
        self.call_after_refresh(self.section(self.active).focus_default)

    def action_quit_console(self) -> None:
        self.app.exit()
