"""The admin screen behind the PIN: language, the kiosk's session, sync status, PIN, quit.

It returns to the sign-in screen on Esc, on "back" or after two idle minutes, so a kiosk is
never left in admin mode in front of attendees.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets.option_list import Option

from db.database import redact_url
from kiosk import timefmt
from kiosk.i18n import current_language, t
from kiosk.ui.dialogs import SetPinDialog
from kiosk.ui.plain import Button, Label, OptionList, Static
from kiosk.ui.today import TodayPlan, load_today

IDLE_SECONDS = 120.0
AUTO = "auto"


class AdminScreen(Screen):
    # Here, not in kiosk.tcss: parsed only when an administrator opens the screen (start-up time).
    DEFAULT_CSS = """
    AdminScreen { align: center top; }
    AdminScreen #admin-body { width: 100%; max-width: 100; padding: 0 2; }
    AdminScreen #admin-title {
        text-style: bold; color: $accent; width: 100%; content-align: center middle; margin: 1 0;
    }
    AdminScreen .admin-heading { text-style: bold; margin-top: 1; }
    AdminScreen .admin-row { height: auto; }
    AdminScreen .admin-row Button { margin-right: 2; }
    AdminScreen #session-list { height: auto; max-height: 8; }
    AdminScreen .admin-note { color: $text-muted; margin-top: 1; }
    /* focus must show in a 256-colour terminal too: Textual's own focus mark (a 5% tint and the
       label reversed) all but vanishes there, so the focused button gets accent bars above and
       below and an underlined label */
    AdminScreen Button:focus {
        border-top: tall $accent !important; border-bottom: tall $accent !important;
        text-style: bold underline !important;
    }
    """
    BINDINGS = [Binding("escape", "back", show=False)]

    class TodayLoaded(Message):
        def __init__(self, plan: TodayPlan) -> None:
            super().__init__()
            self.plan = plan

    def __init__(self) -> None:
        super().__init__()
        self._idle: Timer | None = None
        self._plan = TodayPlan()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="admin-body"):
            yield Label(t("ui.admin.title"), id="admin-title")
            yield Label(t("ui.admin.language"), classes="admin-heading")
            with Horizontal(classes="admin-row"):
                yield Button(t("ui.admin.lang_zh"), id="lang-zh",
                             variant="primary" if current_language() == "zh" else "default")
                yield Button(t("ui.admin.lang_en"), id="lang-en",
                             variant="primary" if current_language() == "en" else "default")
            yield Label(t("ui.admin.session"), classes="admin-heading")
            yield OptionList(id="session-list")
            yield Label(t("ui.admin.sync"), classes="admin-heading")
            yield Static(self.app.sync_state.detail(), id="sync-detail")
            settings = self.app.settings
            yield Static(t("ui.admin.kiosk", kiosk=settings.kiosk_id, db=redact_url(settings.db_url)),
                         id="kiosk-detail")
            with Horizontal(classes="admin-row"):
                yield Button(t("ui.admin.back"), id="admin-back", variant="primary")
                yield Button(t("ui.admin.change_pin"), id="admin-pin")
                yield Button(t("ui.admin.quit"), id="admin-quit", variant="error")
            yield Label(t("ui.admin.auto_back"), classes="admin-note")

    def on_mount(self) -> None:
        self._load(self.app.clock())
        self.query_one("#admin-back", Button).focus()
        self._touch()

    def _touch(self) -> None:
        if self._idle is not None:
            self._idle.stop()
        self._idle = self.set_timer(IDLE_SECONDS, self.action_back)

    def on_key(self) -> None:
        self._touch()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self, now) -> None:
        try:
            with self.app.db.connection_context():
                plan = load_today(now, self.app.settings.tz, self.app.chosen_session_id)
        except Exception:
            plan = TodayPlan(loaded=False, error=True)
        self.post_message(self.TodayLoaded(plan))

    @on(TodayLoaded)
    def _loaded(self, message: TodayLoaded) -> None:
        plan = message.plan
        options = self.query_one("#session-list", OptionList)
        options.clear_options()
        tz = self.app.settings.tz
        mark = "● "
        chosen = self.app.chosen_session_id
        options.add_option(Option(("" if chosen else mark) + t("ui.admin.session_auto"), id=AUTO))
        for s in plan.open_now:
            label = f"{timefmt.hhmm(s.start, tz)}–{timefmt.hhmm(s.end, tz)}  {s.title}"
            options.add_option(Option((mark if s.id == chosen else "") + label, id=str(s.id)))
        if not plan.open_now:
            options.add_option(Option(t("ui.admin.session_none"), id="none", disabled=True))
        self._plan = plan

    @on(OptionList.OptionSelected, "#session-list")
    def _session_chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        if option_id == AUTO:
            self.app.chosen_session_id = None
            self.notify(t("ui.admin.session_cleared"))
        elif option_id and option_id.isdigit():
            self.app.chosen_session_id = int(option_id)
            title = next((s.title for s in self._plan.open_now if s.id == int(option_id)), option_id)
            self.notify(t("ui.admin.session_set", title=title))
        self._load(self.app.clock())

    @on(Button.Pressed, "#lang-zh")
    async def _zh(self) -> None:
        await self._switch("zh")

    @on(Button.Pressed, "#lang-en")
    async def _en(self) -> None:
        await self._switch("en")

    async def _switch(self, lang: str) -> None:
        self.app.switch_language(lang)
        await self.recompose()
        self._load(self.app.clock())
        self.query_one(f"#lang-{lang}", Button).focus()

    @on(Button.Pressed, "#admin-pin")
    def _change_pin(self) -> None:
        self.app.push_screen(SetPinDialog(self.app.settings.home))

    @on(Button.Pressed, "#admin-quit")
    def _quit(self) -> None:
        self.app.exit()

    @on(Button.Pressed, "#admin-back")
    def action_back(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()
        else:  # a dialog is open on top: wait for it
            self._touch()
