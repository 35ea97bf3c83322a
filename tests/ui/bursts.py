"""Keys as a terminal delivers them: one write, parsed by Textual's own XTermParser.

``type_burst(app, "A1001\\rA1002\\r")`` is what a USB scanner (or a paste without bracketed
paste) does: every byte arrives in one read, the parser turns it into key events, and the driver
hands them all to the app before it has handled the first. ``paste_burst`` wraps the text in
bracketed-paste markers, as a terminal does for a paste. Both go through the app's real driver
(``process_message``), exactly where the input thread of ``kiosk run`` puts them.
"""

from __future__ import annotations

import asyncio

from textual._xterm_parser import XTermParser
from textual.worker import WorkerCancelled

F2, F3, F4 = "\x1bOQ", "\x1bOR", "\x1bOS"


def type_burst(app, data: str) -> int:
    """Feed ``data`` as one terminal write; returns how many events the parser made of it."""
    parser = XTermParser()
    count = 0
    for message in parser.feed(data):
        app._driver.process_message(message)
        count += 1
    return count


def paste_burst(app, text: str) -> int:
    return type_burst(app, f"\x1b[200~{text}\x1b[201~")


async def settled(app, pilot, rounds: int = 3) -> None:
    """Let the burst, the workers it started and the screen updates finish (the host view's
    live poller never completes: only the workers that do are waited for)."""
    for _ in range(rounds):
        await pilot.pause(0.05)
        done = [w for w in app.workers if w.group not in ("host-live", "host-action", "host-doors")]
        if done:  # (an empty list would mean "all of them")
            try:
                await asyncio.wait_for(app.workers.wait_for_complete(done), 5)
            except (WorkerCancelled, TimeoutError):  # an exclusive worker replaced by a newer one: fine
                pass
    await pilot.pause()
