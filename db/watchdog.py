"""A read deadline for PostgreSQL statements that a socket option cannot give.

A centre that stops answering mid-transfer (a relay or a firewall that keeps the TCP connection
open, acknowledging every packet, but forwards nothing) leaves libpq waiting in ``recv`` for
ever: ``statement_timeout`` runs on the server, which never hears back; TCP keepalives and
``tcp_user_timeout`` see a healthy peer. psycopg2 has no read timeout, so each statement on a
bounded connection arms this watchdog; if the reply has not arrived by the deadline the watchdog
shuts the connection's socket down, libpq's ``recv`` returns, and the statement fails with an
``OperationalError`` ("no answer …") instead of hanging the sync round (and the kiosk's sync
thread) for ever.

One daemon thread serves every armed statement in the process.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable


class Watchdog:
    """Runs an action when a deadline passes unless it was disarmed first."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._actions: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, action: Callable[[], None]) -> int:
        with self._cond:
            token = next(self._ids)
            self._actions[token] = action
            heapq.heappush(self._heap, (time.monotonic() + seconds, token))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sql-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0][1] == token:  # the earliest deadline now: the thread must re-plan
                self._cond.notify()
            return token

    def disarm(self, token: int) -> bool:
        """Cancel; False when the action already ran (or is running)."""
        with self._cond:
            return self._actions.pop(token, None) is not None

    def _run(self) -> None:
        while True:
            with self._cond:
                action = self._next_due()
            if action is not None:
                try:
                    action()
                except Exception:  # an action must never kill the one watchdog thread
                    pass

    def _next_due(self) -> Callable[[], None] | None:
        """Wait (holding the condition) until some armed deadline passes; return its action."""
        while True:
            while self._heap and self._heap[0][1] not in self._actions:
                heapq.heappop(self._heap)  # disarmed
            if not self._heap:
                self._cond.wait()
                continue
            deadline, token = self._heap[0]
            left = deadline - time.monotonic()
            if left <= 0:
                heapq.heappop(self._heap)
                return self._actions.pop(token, None)
            self._cond.wait(left)


WATCHDOG = Watchdog()


def shut_down_socket(fd: int) -> None:
    """Shut a connected socket down by its descriptor, without closing the owner's descriptor:
    the owner's blocked ``recv`` returns at once and its next use fails cleanly."""
    dup = os.dup(fd)
    try:
        sock = socket.socket(fileno=dup)
    except OSError:
        os.close(dup)
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.close()


def pg_cursor_class(limit: float):
    """A psycopg2 cursor class whose every ``execute`` must be answered within ``limit`` s."""
    return _CURSORS.get(limit) or _CURSORS.setdefault(limit, _make_cursor_class(limit))


_CURSORS: dict[float, type] = {}


def _make_cursor_class(limit: float) -> type:
    import psycopg2.extensions

    class BoundedCursor(psycopg2.extensions.cursor):
        """``execute`` (and so BEGIN, COMMIT and every fetch, which psycopg2 reads whole)
        under the watchdog."""

        def execute(self, query, vars=None):  # noqa: A002 — psycopg2's own parameter name
            fd = self.connection.fileno()
            fired = threading.Event()

            def stop() -> None:
                fired.set()
                shut_down_socket(fd)

            token = WATCHDOG.arm(limit, stop)
            try:
                return super().execute(query, vars)
            except psycopg2.Error as exc:
                if fired.is_set():
                    raise psycopg2.OperationalError(
                        f"no answer from the server within {limit:g} s") from exc
                raise
            finally:
                WATCHDOG.disarm(token)

    return BoundedCursor
