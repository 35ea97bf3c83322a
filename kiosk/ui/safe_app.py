"""The App every kiosk screen runs in: notifications are literal text, and keys arrive one at a time.

Why the key part exists. Textual's App takes each key from its queue and forwards it to the
focused widget's queue at once; the key's effects come later (an Enter bubbles back to the App,
whose binding submits the field; a Tab moves the focus; F2 opens a dialog). A scanner or a
paste delivers a whole burst in one terminal write, so every key of ``A1001⏎A1002⏎`` was already
queued in the scan field before the first Enter submitted it: one rejected ``A1001A1002``,
twice. In a form, ``忘带胸卡⇥22:10⏎`` put the time into the reason field.

The fix is here, at the layer that causes it: after a key that can have effects beyond typing a
character into a text field, the next key waits until every message queue of the app and its
screens is idle (the previous key has fully taken effect) — at most ``SETTLE_LIMIT`` seconds, so
a busy screen never swallows keys. Typing into a field (the common case, and all but two keys of
a scan) still goes straight through. A bracketed paste that holds line breaks or tabs is replayed
as its text runs with Enter/Tab keys between them, and a scanner's LF is Enter (CRLF one Enter).

A form that closes or changes the screen on Enter (the admin console's) also asks for the rest of
the burst (``capture_burst``): the keys that came with its Enter are kept, not delivered, until
the burst is over and the form has decided what they are (another row of the same form, or
nothing, said on screen) — otherwise they would drive whatever lies under it (FINDINGS #30).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque

from textual import events
from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import Input

from kiosk.ui.plain import clean

log = logging.getLogger("kiosk.ui.keys")
SETTLE_LIMIT = 0.5  # seconds: a key never waits longer than this for the previous one's effects …
DIALOG_LIMIT = 5.0  # … except behind a dialog's check (scrypt, ~50 ms; slower on a loaded machine)
BURST_GAP = 0.05  # seconds without a key that end a burst (a paste arrives at once, a scanner
# types a key every few ms; nobody types twice within 50 ms after an Enter on purpose)
BURST_LIMIT = 2.0  # seconds a burst is kept for a form at most (a stuck key never holds it forever)
RUN_LIMIT = 1024  # printable keys in a row (no Enter/Tab/…) that any field of ours could want
_PASTE_BREAKS = re.compile(r"(\r\n|\r|\n|\t)")
_PASTE_KEYS = {"\r\n": ("enter", "\r"), "\r": ("enter", "\r"), "\n": ("enter", "\r"), "\t": ("tab", "\t")}


def paste_pieces(text: str) -> list[events.Key | events.Paste]:
    """A pasted text as what typing it would have been: text runs, Enter and Tab keys."""
    pieces: list[events.Key | events.Paste] = []
    for part in _PASTE_BREAKS.split(text):
        if part in _PASTE_KEYS:
            pieces.append(events.Key(*_PASTE_KEYS[part]))
        elif part:
            pieces.append(events.Paste(part))
    return pieces


def burst_rows(keys: list[events.Key | events.Paste]) -> list[list[events.Key | events.Paste]]:
    """The rest of a burst as its lines, each with its Enter (the last may lack one); lines with
    nothing but tabs and spaces are left out (a spreadsheet's trailing empty row)."""
    rows: list[list[events.Key | events.Paste]] = [[]]
    for key in keys:
        rows[-1].append(key)
        if isinstance(key, events.Key) and key.key == "enter":
            rows.append([])
    return [row for row in rows if any(_typed(key).strip() for key in row)]


def row_cells(row: list[events.Key | events.Paste]) -> tuple[list[str], bool] | None:
    """One line of a burst as the cells a form's fields take (split at its Tabs) and whether
    it ends with Enter; None when it holds another key (an arrow, a Backspace …) that a line
    meant for a form cannot be read without."""
    cells, ends = [""], False
    for key in row:
        if isinstance(key, events.Paste):
            cells[-1] += key.text
        elif key.key == "enter":
            ends = True
        elif key.key == "tab":
            cells.append("")
        elif key.is_printable and key.character:
            cells[-1] += key.character
        else:
            return None
    return cells, ends


def _typed(key: events.Key | events.Paste) -> str:
    if isinstance(key, events.Paste):
        return key.text
    return key.character if key.is_printable and key.character else ""


class SafeApp(App):
    """Base of the kiosk's, the host's and the admin's apps (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held: deque[events.Key | events.Paste] = deque()
        self._key_task: asyncio.Task | None = None
        self._settle_next = False  # the last key delivered may still be taking effect
        self._last_key = ""
        self._run = 0  # printable keys posted since the last other key (counted as they arrive)
        self._driver_filtered = False
        self._captured: deque[events.Key | events.Paste] | None = None  # see capture_burst
        self._last_key_at = 0.0

    # -- text, never markup -------------------------------------------------------------------
    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is literal text: names in it are never parsed as markup."""
        super().notify(clean(message), title=clean(title), severity=severity, timeout=timeout,
                       markup=False)

    # -- one key at a time ----------------------------------------------------------------------
    def _filter_driver(self) -> None:
        """Keys as they arrive from the terminal, on the driver's input thread: a run of more
        than ``RUN_LIMIT`` printable keys with no Enter is junk (a stuck or hostile keyboard-wedge
        device, a 100 KB paste without bracketed paste), and its rest is dropped there, before
        it becomes a task on the UI loop — each key cost ~70 µs of the UI thread, so 100 KB
        kept the door deaf for seconds (FINDINGS #30). The next Enter still arrives and submits
        what the field holds, which the rules refuse once as too long. Counted in arrival order
        on that thread, so the keys after that Enter are never the ones dropped."""
        driver = self._driver
        self._driver_filtered = driver is not None
        if driver is None:
            return
        self._send_to_app = driver.send_message

        def send_message(message) -> None:
            if self._keep(message):
                self._send_to_app(message)

        driver.send_message = send_message

    def _keep(self, message) -> bool:
        if not isinstance(message, events.Key):
            return True
        if not message.is_printable:
            if self._run > RUN_LIMIT:
                log.warning("keys: dropped %d keys of a run with no Enter", self._run - RUN_LIMIT)
            self._run = 0
            return True
        self._run += 1
        return self._run <= RUN_LIMIT

    async def on_event(self, event: events.Event) -> None:
        if not self._driver_filtered:
            self._filter_driver()
        if isinstance(event, events.Key) and not event.is_forwarded:
            key = self._as_typed(event)
            self._last_key_at = time.monotonic()
            if key is not None and self._captured is not None:
                self._captured.append(key)
            elif key is not None:
                await self._take(key)
            return
        if isinstance(event, events.Paste) and not event.is_forwarded and self._captured is not None:
            self._last_key_at = time.monotonic()
            self._captured.extend(paste_pieces(event.text))
            return
        if isinstance(event, events.Paste) and not event.is_forwarded and _PASTE_BREAKS.search(event.text):
            self._last_key_at = time.monotonic()
            self._held.extend(paste_pieces(event.text))
            self._start_draining()
            return
        await super().on_event(event)

    def keys_waiting(self) -> bool:
        """Keys that have arrived but not yet reached the screen (held behind a key still taking
        effect, or still in the app's queue): a screen that acts on a pause in the typing (the
        pick list's lone number key) asks this first, so a slow screen never reads a burst's gap
        as a pause."""
        return bool(self._held) or self.message_queue_size > 0

    # -- the rest of a burst, for the form whose Enter it followed -------------------------------
    def capture_burst(self) -> None:
        """Keep the keys still to come in this burst (those held behind the Enter being handled,
        and those that arrive before the burst is over) instead of delivering them: a form
        whose Enter closes it must not let them reach the screen underneath."""
        if self._captured is None:
            self._captured = deque()
        self._captured.extend(self._held)
        self._held.clear()

    async def burst_over(self) -> list[events.Key | events.Paste]:
        """Wait until the burst is over (nothing queued, no key for ``BURST_GAP`` seconds; at most
        ``BURST_LIMIT``), then hand over what was captured and deliver keys normally again."""
        start = time.monotonic()
        while self._captured is not None and time.monotonic() - start < BURST_LIMIT:
            if (self.message_queue_size == 0 and not self._held
                    and time.monotonic() - self._last_key_at >= BURST_GAP):
                break
            await asyncio.sleep(0.005)
        captured, self._captured = list(self._captured or ()), None
        return captured

    def keys_held(self) -> bool:
        """Keys of a burst wait behind the one being handled (a paste, not a lone key)."""
        return bool(self._held) or self._captured is not None

    def _as_typed(self, event: events.Key) -> events.Key | None:
        """A scanner's LF is Enter; the LF of a CRLF is dropped (the CR was the Enter)."""
        previous, self._last_key = self._last_key, event.key
        if event.key != "ctrl+j":
            return event
        if previous == "enter":
            return None
        enter = events.Key("enter", "\r")
        enter.set_sender(self)
        return enter

    async def _take(self, event: events.Key) -> None:
        if self._held or (self._settle_next and self._busy()):
            self._held.append(event)
            self._start_draining()
            return
        await self._deliver(event)

    async def _deliver(self, event: events.Key | events.Paste) -> None:
        if _overflows(self.focused, event):
            return  # dropped here: a 100 KB junk burst must not cost a re-render per key
        await super().on_event(event)  # priority bindings, then forwarded to the focused widget
        self._settle_next = not (isinstance(event, events.Key) and event.is_printable
                                 and isinstance(self.focused, Input))

    def _start_draining(self) -> None:
        if self._key_task is None or self._key_task.done():
            self._key_task = asyncio.create_task(self._drain(), name="kiosk-keys")

    async def _drain(self) -> None:
        try:
            while self._held:
                if self._settle_next or isinstance(self._held[0], events.Paste):
                    await self._settle()
                if self._held:  # (a form's Enter may have taken the rest: capture_burst)
                    await self._deliver(self._held.popleft())
        except Exception as error:  # what Textual does with an error in a key's handler
            self._handle_exception(error)

    async def _settle(self) -> None:
        """Wait until the app and every screen's widgets have processed their messages (and a
        dialog's check has answered)."""
        start = time.monotonic()
        quiet = spins = 0
        while quiet < 2:
            await asyncio.sleep(0 if spins < 100 else 0.001)
            spins += 1
            busy = self._busy()
            quiet = 0 if busy else quiet + 1
            limit = DIALOG_LIMIT if busy == "dialog" else SETTLE_LIMIT
            if busy and time.monotonic() - start > limit:
                log.warning("keys: the screen stayed busy for %.1f s; delivering the next key", limit)
                return

    def _busy(self) -> str:
        """"messages" while any message of the app or of a widget on a screen is still to be
        handled, "dialog" while a dialog's worker runs (the PIN check: what follows its Enter
        waits for the answer), "" when idle."""
        if _pending(self):
            return "messages"
        stack = self.screen_stack
        if any(_pending(node) for screen in stack for node in screen.walk_children(with_self=True)):
            return "messages"
        if any(worker.is_running and isinstance(worker.node, ModalScreen) and worker.node in stack
               for worker in self.workers):
            return "dialog"
        return ""


def _overflows(focused, event: events.Key | events.Paste) -> bool:
    """A printable key for a text field that is already full (its ``max_length``, no selection
    to type over): the field would ignore it anyway. Dropping it before the widget sees it keeps
    a door responsive while a broken or hostile keyboard-wedge device sends junk (FINDINGS #30):
    the keys after it, up to the next Enter, cost next to nothing, and that Enter submits what
    the field holds — over-long, so refused once."""
    return (isinstance(event, events.Key) and event.is_printable and isinstance(focused, Input)
            and bool(focused.max_length) and len(focused.value) >= focused.max_length
            and focused.selection.is_empty)


def _pending(pump) -> bool:
    return bool(pump.message_queue_size or pump._pending_message is not None or pump._next_callbacks)
