"""Start-up: ``kiosk run`` until the open session's title is on screen vs a bare Textual app
until its text is, both as whole processes in a pseudo-terminal (100×30, xterm-256color).

The clock starts just before the fork and stops when the marker text first appears in what the
process wrote to the terminal (same method for both). Rounds alternate the order; best and
median are reported and the ratio of the best runs is the target (≤ 1.2×).

    python bench/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from homes import kiosk_command, kiosk_env, machine, prepare_home, table  # noqa: E402

COLS, ROWS = 100, 30
TITLE = "BenchSessionTitle"
BARE_TEXT = "BareTextualReady"
BARE_APP = f'''
from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("{BARE_TEXT}")


Bare().run()
'''


def time_to_text(cmd: list[str], env: dict, marker: str, timeout: float = 30.0) -> float:
    """Seconds from fork until ``marker`` appears in the process's terminal output."""
    wanted = marker.encode("utf-8")
    began = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child: size the terminal, then become the program
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.execvpe(cmd[0], cmd, env)
    seen = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - began)
            if left <= 0:
                raise TimeoutError(f"{marker!r} never appeared; last output: {seen[-400:]!r}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise RuntimeError(f"process ended before {marker!r}: {seen[-400:]!r}")
            seen = seen[-len(wanted):] + chunk
            if wanted in seen:
                return time.perf_counter() - began
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--staff", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        home = Path(tmp) / "home"
        prepare_home(home, staff=args.staff, title=TITLE, admin_pin="246810")
        bare = Path(tmp) / "bare_app.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        env = kiosk_env(home, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS))
        for name in ("TEXTUAL", "TEXTUAL_DEBUG", "TEXTUAL_DEVTOOLS_PORT"):
            env.pop(name, None)
        kiosk = kiosk_command() + ["run"]
        plain = [sys.executable, str(bare)]
        time_to_text(plain, env, BARE_TEXT)  # warm the file cache once for both
        time_to_text(kiosk, env, TITLE)
        times: dict[str, list[float]] = {"kiosk": [], "bare": []}
        for round_no in range(args.rounds):
            order = [("kiosk", kiosk, TITLE), ("bare", plain, BARE_TEXT)]
            for name, cmd, marker in order if round_no % 2 == 0 else order[::-1]:
                times[name].append(time_to_text(cmd, env, marker))
    best_k, best_b = min(times["kiosk"]), min(times["bare"])
    med_k, med_b = statistics.median(times["kiosk"]), statistics.median(times["bare"])
    print(f"startup: {args.rounds} rounds, {args.staff} staff — {machine()}")
    print(table([
        ("kiosk run → session title on screen", f"{best_k:.3f}", f"{med_k:.3f}"),
        ("bare Textual app → its text on screen", f"{best_b:.3f}", f"{med_b:.3f}"),
        ("ratio", f"{best_k / best_b:.2f}×", f"{med_k / med_b:.2f}×"),
    ], ("process", "best s", "median s")))
    print(f"target ≤ 1.2×: {'met' if best_k / best_b <= 1.2 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
