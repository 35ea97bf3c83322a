"""Memory: ``kiosk run`` on a home with 10,000 staff (a session for everyone open now), full
screen in a pseudo-terminal; resident memory once the session title is on screen, after a few
scans, and the peak (``VmHWM``). Baseline in the same run: a bare Textual app. Target ≤ 80 MB.

    python bench/memory.py [--staff 10000]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from homes import kiosk_command, kiosk_env, machine, prepare_home, staff_ids, table  # noqa: E402
from startup import BARE_APP, BARE_TEXT, COLS, ROWS, TITLE  # noqa: E402


def _status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            name, value = line.split(":", 1)
            out[name] = int(value.split()[0]) // 1024  # MiB
    return out


def measure(cmd: list[str], env: dict, marker: str, scans: list[str], timeout: float = 60) -> dict:
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.execvpe(cmd[0], cmd, env)
    wanted, seen, began = marker.encode(), b"", time.perf_counter()

    def drain(seconds: float) -> None:
        nonlocal seen
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen = (seen + os.read(fd, 65536))[-4096:]
                except OSError:
                    return

    try:
        while wanted not in seen:
            if time.perf_counter() - began > timeout:
                raise TimeoutError(f"{marker!r} never appeared")
            drain(0.05)
        drain(1.0)
        result = {"ready": _status(pid)["VmRSS"]}
        for staff_id in scans:  # scans typed like a scanner: text then Enter
            os.write(fd, staff_id.encode() + b"\r")
            drain(0.15)
        drain(1.0)
        status = _status(pid)
        result.update(after=status["VmRSS"], peak=status["VmHWM"])
        return result
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        home = Path(tmp) / "home"
        prepare_home(home, staff=args.staff, title=TITLE, admin_pin="246810")
        bare = Path(tmp) / "bare_app.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        env = kiosk_env(home, TERM="xterm-256color")
        kiosk = measure(kiosk_command() + ["run"], env, TITLE, staff_ids(20))
        plain = measure([sys.executable, str(bare)], env, BARE_TEXT, [])
    print(f"memory: kiosk run with {args.staff:,} staff — {machine()}")
    print(table([
        ("kiosk run", kiosk["ready"], kiosk["after"], kiosk["peak"]),
        ("bare Textual app", plain["ready"], plain["after"], plain["peak"]),
    ], ("process", "RSS ready MiB", "RSS after 20 scans MiB", "peak MiB")))
    print(f"target ≤ 80 MB: {'met' if kiosk['peak'] <= 80 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
