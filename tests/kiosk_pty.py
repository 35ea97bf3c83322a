"""Run the real ``kiosk`` command on a pseudo-terminal, as a door's console would, and watch it.

Used by the tests of what only a whole process shows: its exit code after a crash, its daily
backup, its refusal on an out-of-date home.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class KioskOnPty:
    """``python -c CODE`` (by default: the ``kiosk`` entry point with ``argv``) on a 120x40 pty."""

    def __init__(self, argv: list[str], env: dict[str, str], *, prelude: str = "") -> None:
        code = (f"{prelude}\nimport sys\nfrom kiosk.cli import main\n"
                f"sys.argv = ['kiosk', *{argv!r}]\nmain()\n")
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.output = b""
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", **env},
            start_new_session=True)
        os.close(slave)

    def read(self, seconds: float = 0.2) -> bytes:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                break
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            self.output += chunk
        return self.output

    def wait_for(self, condition, timeout: float = 30.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read(0.2)
            if condition():
                return True
        return False

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def finish(self, timeout: float = 30.0) -> int:
        self.wait_for(lambda: self.proc.poll() is not None, timeout)
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait(timeout=10)
        self.read(0.3)
        os.close(self.master)
        return code

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")
