"""Modal dialogs of the kiosk: the admin PIN gate, setting a PIN, and the session pick list.

``PinDialog`` is shared with the host view: it dismisses ``True`` only when the PIN matches the
scrypt hash in ``KIOSK_HOME`` and ``False`` on Escape/cancel, so callers never see the PIN.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input
from textual.widgets.option_list import Option

from kiosk import pin as admin_pin
from kiosk import timefmt
from kiosk.i18n import t
from kiosk.ui.plain import Button, Label, OptionList

log = logging.getLogger("kiosk.ui")
DIALOG_CSS = """
PinDialog, SetPinDialog, SessionPickDialog {
    align: center middle;
    background: $background 70%;
}
.dialog {
    width: 60;
    max-width: 95%;
    height: auto;
    padding: 1 2;
    border: thick $accent;
    background: $surface;
}
.dialog .dialog-title { text-style: bold; width: 100%; content-align: center middle; }
.dialog .dialog-error { color: $error; text-style: bold; height: auto; min-height: 1; }
.dialog .buttons { height: auto; align-horizontal: right; margin-top: 1; }
.dialog .buttons Button { margin-left: 1; }
"""


IDLE_SECONDS = 20.0  # the PIN dialog closes after this long without a key, once not locked
SCAN_LIMIT = 4096  # the field takes a whole scan, so a badge is recognised rather than cut at 32
BADGE_PREFIX = "SK1."


def could_be_pin(value: str) -> bool:
    """False for what a scanner sends (a badge payload, more than a PIN's 32 characters) and
    for anything but digits: a PIN is digits only (kiosk.pin.validate), a staff ID like A1001 is
    a scan."""
    text = value.strip()
    return (len(text) <= admin_pin.MAX_LEN and not text.upper().startswith(BADGE_PREFIX)
            and text.isascii() and text.isdigit())


def wait_text(seconds: int) -> str:
    """``30 秒`` / ``2 分钟`` / ``1 分 30 秒`` in the current language."""
    minutes, rest = divmod(max(0, int(seconds)), 60)
    if not minutes:
        return t("ui.pin.wait_s", s=rest)
    return t("ui.pin.wait_min", m=minutes) if not rest else t("ui.pin.wait_min_s", m=minutes, s=rest)


class PinDialog(ModalScreen[bool]):
    """Ask for the admin PIN; dismiss True when right, False on cancel. Wrong PIN: stay, say so.

    After three wrong PINs in a row (in any dialog on this home) the gate locks: 30 s, then 1,
    2, 4 … minutes, at most 15 (kiosk.pin). A kiosk's scanner keeps typing while the dialog is
    open, so the dialog closes itself after ``IDLE_SECONDS`` without a key, and an entry that
    cannot be a PIN (a badge payload ``SK1.…``, a staff ID with letters, anything longer than a
    PIN) closes it without counting as a wrong PIN; ``on_scan`` (the kiosk's sign-in) then gets
    that entry, so the scan is not lost.

    Locked, it stays up for the whole lock, however long, with the time left counting down, then
    says "unlocked" and closes only after ``IDLE_SECONDS`` more without a key (or on Esc; opened
    again while locked, it says so at once). Closing while locked sent the admin's next try —
    the PIN — into the scan field (FINDINGS #28); a 4–15 minute lock outlasted the 2 minutes the
    dialog used to wait. The door keeps working meanwhile: scans still pass through as above.
    A PIN typed while locked is not checked (the lock holds) and the dialog says how long is
    left. The lock is read from the home's lock file each second, so a lock set by another
    dialog, the host view or a restart shows the same time here.
    """

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, home: Path, *, on_scan: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.home = Path(home)
        self.on_scan = on_scan
        self._last_key = time.monotonic()
        self._was_locked = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("ui.pin.title"), classes="dialog-title")
            yield Label(t("ui.pin.prompt"))
            yield Input(password=True, id="pin-input", max_length=SCAN_LIMIT)
            yield Label("", id="pin-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button(t("ui.pin.cancel"), id="pin-cancel")
                yield Button(t("ui.pin.ok"), id="pin-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#pin-input", Input).focus()
        self._touch()
        self._tick()  # opened while locked: say so before a try
        self.set_interval(1.0, self._tick)

    def _touch(self) -> None:
        """A key: the idle time starts again."""
        self._last_key = time.monotonic()

    def _locked_left(self) -> int:
        return math.ceil(admin_pin.locked_for(self.home))

    def _tick(self) -> None:
        """Each second: the lock's time left (or "unlocked" once it has run out); close after
        the idle time once not locked."""
        left = self._locked_left()
        error = self.query_one("#pin-error", Label)
        if left > 0:
            error.update(t("ui.pin.locked_wait", wait=wait_text(left)))
            self._was_locked = True
            return
        if self._was_locked:  # the lock has just run out: the idle time starts from here
            self._was_locked = False
            error.update(t("ui.pin.unlocked"))
            self._touch()
        if time.monotonic() - self._last_key >= IDLE_SECONDS:
            self.action_cancel()

    def on_key(self) -> None:
        self._touch()

    @on(Input.Changed, "#pin-input")
    def _typed(self) -> None:
        self._touch()  # the Input consumes printable keys, so count its changes too

    @on(Input.Submitted, "#pin-input")
    @on(Button.Pressed, "#pin-ok")
    def submit(self) -> None:
        field = self.query_one("#pin-input", Input)
        if not could_be_pin(field.value):
            self._not_a_pin(field.value)
            return
        if self._locked_left() > 0:  # the lock holds: nothing is checked, nothing counted
            field.value = ""
            self._tick()
            self.app.bell()
            return
        self.query_one("#pin-error", Label).update(t("ui.pin.checking"))
        field.disabled = True
        self._check(field.value)

    def _not_a_pin(self, value: str) -> None:
        """A scan landed here: close without counting a wrong PIN and hand the scan on."""
        self.dismiss(False)
        if self.on_scan is not None and value.strip():
            self.app.call_later(self.on_scan, value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _check(self, value: str) -> None:
        """The gate (kiosk.pin.verify) off the UI thread: scrypt takes ~50 ms on purpose, and a
        wrong PIN writes its lockout file and its audited event."""
        check = admin_pin.verify(self.home, value)
        if check.counted:
            app = self.app
            try:
                admin_pin.log_failure(app.db, kiosk_id=app.settings.kiosk_id, at=app.clock(),
                                      failures=check.failures, lock=check.locked_for,
                                      actor=getattr(app, "actor", "") or "kiosk")
            except Exception as exc:  # the lockout file counts it anyway; the log says why not here
                log.warning("could not log a wrong admin PIN: %s", exc.__class__.__name__)
        self.app.call_from_thread(self._checked, check)

    def _checked(self, check: admin_pin.Check) -> None:
        if not self.is_attached:
            return
        if check.ok:
            self.dismiss(True)
            return
        field = self.query_one("#pin-input", Input)
        field.disabled = False
        field.value = ""
        field.focus()
        if check.locked_for:
            self._tick()
        else:
            self.query_one("#pin-error", Label).update(
                t("ui.pin.wrong_left", left=admin_pin.LOCK_AFTER - check.failures))
        self.app.bell()

    @on(Button.Pressed, "#pin-cancel")
    def action_cancel(self) -> None:
        if self.is_current:
            self.dismiss(False)


class SetPinDialog(ModalScreen[bool]):
    """Change the admin PIN from the admin screen (already behind the PIN): typed twice, stored hashed.

    There is deliberately no "first PIN" on screen: whoever walked up first would own the kiosk.
    A home without a PIN gets one from the command line (``kiosk init --no-keys --pin …``).
    """

    DEFAULT_CSS = DIALOG_CSS.replace("PinDialog, SetPinDialog, SessionPickDialog", "SetPinDialog")
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, home: Path) -> None:
        super().__init__()
        self.home = Path(home)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("ui.pin.set_title"), classes="dialog-title")
            yield Label(t("ui.pin.new"))
            yield Input(password=True, id="pin-new", max_length=admin_pin.MAX_LEN)
            yield Label(t("ui.pin.repeat"))
            yield Input(password=True, id="pin-repeat", max_length=admin_pin.MAX_LEN)
            yield Label("", id="pin-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button(t("ui.pin.cancel"), id="pin-cancel")
                yield Button(t("ui.pin.ok"), id="pin-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#pin-new", Input).focus()

    @on(Input.Submitted, "#pin-new")
    def next_field(self) -> None:
        self.query_one("#pin-repeat", Input).focus()

    @on(Input.Submitted, "#pin-repeat")
    @on(Button.Pressed, "#pin-ok")
    def submit(self) -> None:
        new = self.query_one("#pin-new", Input).value
        repeat = self.query_one("#pin-repeat", Input).value
        error = self.query_one("#pin-error", Label)
        if new != repeat:
            error.update(t("ui.pin.mismatch"))
        else:
            try:
                admin_pin.validate(new)
            except admin_pin.PinError:
                error.update(t("ui.pin.invalid"))
            else:
                self._save(new)
                return
        self.query_one("#pin-repeat", Input).value = ""
        self.query_one("#pin-new", Input).focus()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _save(self, value: str) -> None:
        admin_pin.set_pin(self.home, value)
        self.app.call_from_thread(self._saved)

    def _saved(self) -> None:
        self.app.notify(t("ui.pin.saved"))
        self.dismiss(True)

    @on(Button.Pressed, "#pin-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


@dataclass(frozen=True)
class ScanInstead:
    """What closed the pick list: a line typed (a scanner's characters and Enter), not a choice."""

    line: str


@dataclass(frozen=True)
class PickClosed:
    """The pick list closed with no choice: ``why`` is ``cancelled`` (Esc) or ``timeout``."""

    why: str


class SessionPickDialog(ModalScreen["int | ScanInstead | PickClosed"]):
    """Pick one of several open sessions; dismisses its id, :class:`PickClosed` on Esc or after
    30 s idle, or :class:`ScanInstead`.

    A scanner keeps typing while the list is up (``X2⏎E1⏎`` in one write: X2 asked which
    session), and Enter is the list's "choose". So characters typed here are not a choice: they
    are kept, and their Enter closes the list with :class:`ScanInstead` — the next person's scan,
    which the caller signs in on its own (SPEC §7: each Enter is one scan; FINDINGS #8).

    A choice is ↑↓ then Enter, or a number key 1–9 on its own: it marks its line at once and
    chooses it when no other key follows within ``DIGIT_QUIET`` seconds. A digit followed by
    more characters or an Enter — a staff ID ``7⏎`` scanned or typed — is a scan like any other
    line, never a choice (a scanner sends its keys milliseconds apart, so its whole line is in
    before the quiet time runs out; SafeApp hands them over one by one as they arrive).
    """

    DEFAULT_CSS = DIALOG_CSS.replace("PinDialog, SetPinDialog, SessionPickDialog", "SessionPickDialog") + """
    SessionPickDialog .dialog { width: 80%; max-width: 100; }
    SessionPickDialog OptionList { height: auto; max-height: 12; }
    SessionPickDialog .pick-hint { width: 100%; height: auto; color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", show=False)]
    TIMEOUT = 30.0
    DIGIT_QUIET = 0.4

    def __init__(self, choices, tz, *, name: str = "") -> None:
        super().__init__()
        self.choices = tuple(choices)
        self.tz = tz
        self.person = name
        self._typed: list[str] = []  # characters since the last Enter or arrow key
        self._digit: Timer | None = None  # a lone number key, waiting to see if more follows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = t("ui.pick.title")
            yield Label(f"{self.person}  {title}" if self.person else title, classes="dialog-title")
            yield OptionList(*[
                Option(f"{n}. {timefmt.hhmm(s.start, self.tz)}–{timefmt.hhmm(s.end, self.tz)}  {s.title}"
                       + (f"  ({s.location})" if s.location else ""), id=str(s.id))
                for n, s in enumerate(self.choices, start=1)
            ], id="pick-list")
            yield Label(t("ui.pick.hint_typed"), classes="pick-hint")  # wraps: never cut at 80

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.query_one(OptionList).highlighted = 0
        self.set_timer(self.TIMEOUT, self._timed_out)

    def on_key(self, event: events.Key) -> None:
        """Before the list's own Enter binding (bindings are checked once the key has bubbled
        up to the app): typed characters are kept, and their Enter is a scan, not a choice."""
        self._stop_digit()
        if event.key == "enter":
            line, self._typed = "".join(self._typed), []
            if not line:
                return  # ↑↓ then Enter: the list chooses the highlighted session
            event.stop()
            event.prevent_default()
            self.dismiss(ScanInstead(line))
        elif event.is_printable and event.character:
            self._typed.append(event.character)
            event.stop()
            number = int(event.character) if event.character in "123456789" else 0
            if len(self._typed) == 1 and number <= len(self.choices) and number:
                self.query_one(OptionList).highlighted = number - 1
                self._digit = self.set_timer(self.DIGIT_QUIET, lambda: self._choose_number(number))
        elif event.key in ("up", "down", "home", "end", "pageup", "pagedown"):
            self._typed = []

    def _stop_digit(self) -> None:
        if self._digit is not None:
            self._digit.stop()
            self._digit = None

    def _choose_number(self, number: int) -> None:
        """A number key and nothing after it: that line is the choice."""
        self._digit = None
        waiting = getattr(self.app, "keys_waiting", None)
        if waiting is not None and waiting():  # more keys are on their way: let them decide
            self._digit = self.set_timer(self.DIGIT_QUIET, lambda: self._choose_number(number))
            return
        if self.is_current and self._typed == [str(number)]:
            self.dismiss(self.choices[number - 1].id)

    def on_option_list_option_selected(self, event) -> None:
        self.dismiss(int(event.option.id))

    def _timed_out(self) -> None:
        if self.is_current:
            self.dismiss(PickClosed("timeout"))

    def action_cancel(self) -> None:
        if self.is_current:
            self.dismiss(PickClosed("cancelled"))
