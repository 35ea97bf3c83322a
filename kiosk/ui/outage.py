"""A background job that keeps failing (the database down under the host view): its log and pace.

Logging every failed attempt with its traceback fills ``logs/kiosk.log`` (2 MB, rotated) with the
same few kilobytes twice a second, so an outage of a morning rotates away the evidence of what
happened before it. An :class:`Outage` logs the first failure with its traceback, then one line
when the error changes and one when the job is back, and it spaces the retries out ×2 up to a
bound, the way the door's sync backs off (kiosk.ui.sync_poll). A retry asked for by hand (F5)
still runs at once: the caller just stops waiting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from db.database import redact_text

MAX_DELAY = 30.0  # seconds between retries at most: the host view comes back within this


class Outage:
    """The state of one job's failures; ``failed()`` inside the ``except``, ``succeeded()`` after
    each attempt that went through. Both return the seconds to wait before the next attempt."""

    def __init__(self, log: logging.Logger, what: str, every: float, *,
                 max_delay: float = MAX_DELAY, clock: Callable[[], float] = time.monotonic,
                 url: str | None = None) -> None:
        self.log, self.what, self.every, self.max_delay = log, what, every, max(every, max_delay)
        self.clock, self.url = clock, url
        self.failures = 0  # attempts failed in a row
        self.delay = every
        self._since = 0.0
        self._kind = ""

    @property
    def down(self) -> bool:
        return self.failures > 0

    def failed(self, exc: BaseException) -> float:
        kind = self._describe(exc)
        if not self.failures:
            self._since = self.clock()
            self.log.warning("%s failed; retrying, at most every %.0f s", self.what,
                             self.max_delay, exc_info=exc)
        elif kind != self._kind:
            self.log.warning("%s still failing, now with %s", self.what, kind)
        self._kind = kind
        self.failures += 1
        self.delay = self.every if self.failures == 1 else min(self.max_delay, self.delay * 2)
        return self.delay

    def succeeded(self) -> float:
        if self.failures:
            self.log.warning("%s back after %d failed attempts in %.0f s", self.what,
                             self.failures, self.clock() - self._since)
        self.failures, self.delay, self._kind = 0, self.every, ""
        return self.every

    def _describe(self, exc: BaseException) -> str:
        first = (str(exc).strip().splitlines() or [""])[0]
        return f"{exc.__class__.__name__}: {redact_text(first, self.url)[:200]}"
