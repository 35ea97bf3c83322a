"""Memory over many scans: ``kiosk run`` full screen in a pseudo-terminal, fed ``--scans`` scans
(default 20,000) in scanner bursts, as a door sees over months without a restart (FINDINGS #36:
44 → 85 MB after 29,500 scans). Resident memory (VmRSS) at start, after warm-up, every
``--every`` scans, the peak (VmHWM) and at the end after an idle pause. Baseline in the same run:
a bare Textual app with one Input, fed the same keys. A benchmark, not a test: it prints figures.

    python bench/scan_memory.py [--scans 20000] [--staff 200] [--burst 100] [--trace]

Each scan is recorded as an event whatever its result (mostly "already signed in", as at the
tester's door), so the kiosk's progress is read from the database's event count; the bare app
appends to a file per Enter. ``--trace`` runs tracemalloc inside the kiosk and prints the 15
call sites whose memory grew most between the warm-up and the end (traced from the warm-up
on: slower from there).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import sqlite3
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from homes import kiosk_env, machine, prepare_home, staff_ids, table  # noqa: E402

COLS, ROWS = 100, 30
TITLE = "BenchScanMemory"
WARM_UP = 1000  # scans before the "warm" figure: caches filled, the first collections done
BARE_APP = '''
import os, sys
from textual.app import App
from textual.widgets import Input, Static


class Bare(App):
    def compose(self):
        yield Static("BareReady")
        yield Input(id="scan", max_length=257)

    def on_input_submitted(self, event):
        event.input.value = ""
        with open(os.environ["BENCH_COUNT"], "a") as out:
            out.write(".")


Bare().run()
'''
KIOSK_RUN = r'''
import os, sys
if os.environ.get("BENCH_TRACE"):  # 1st SIGUSR1: start tracing; 2nd: what grew since
    import signal, threading, tracemalloc
    snaps = []

    def _snap(signum, frame):
        threading.Thread(target=_take, daemon=True).start()

    def _take():
        import gc
        gc.collect()
        if not snaps:
            tracemalloc.start(int(os.environ.get("BENCH_FRAMES", "1")))
        snaps.append(tracemalloc.take_snapshot())
        if len(snaps) == 2:
            with open(os.environ["BENCH_TRACE"], "w") as out:
                for stat in snaps[1].compare_to(snaps[0], "traceback")[:15]:
                    out.write(f"{stat.size_diff / 1024:+.0f} KiB in {stat.count_diff:+d} blocks\n")
                    out.writelines(f"    {line}\n" for line in stat.traceback.format()[-8:])
        with open(os.environ["BENCH_TRACE"] + f".{len(snaps)}", "w") as out:
            out.write("done")

    signal.signal(signal.SIGUSR1, _snap)
if os.environ.get("BENCH_CACHE_KIB"):  # --cache-kib: the SQLite page cache of every connection
    from db import database
    database.SQLITE_PRAGMAS["cache_size"] = -int(os.environ["BENCH_CACHE_KIB"])
from kiosk.cli import main
sys.argv = ["kiosk", "run"]
main()
'''


def _status(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            name, value = line.split(":", 1)
            out[name] = int(value.split()[0]) / 1024  # MiB
    return out


class OnPty:
    """A program on a 100x30 pseudo-terminal whose output is read (and dropped) as it comes."""

    def __init__(self, cmd: list[str], env: dict) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
            os.execvpe(cmd[0], cmd, env)
        self.tail = b""

    def drain(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if ready:
                try:
                    self.tail = (self.tail + os.read(self.fd, 65536))[-8192:]
                except OSError:
                    return

    def wait_for(self, done, timeout: float, what: str) -> None:
        end = time.perf_counter() + timeout
        while not done():
            if time.perf_counter() > end:
                raise TimeoutError(f"{what} not within {timeout:.0f} s; screen: {self.tail[-600:]!r}")
            self.drain(0.05)

    def type(self, text: str) -> None:
        data = text.encode()
        while data:
            self.drain(0)  # (keep the terminal's output flowing while typing)
            _, ready, _ = select.select([], [self.fd], [], 0.5)
            if ready:
                data = data[os.write(self.fd, data[:4096]):]

    def rss(self) -> dict[str, float]:
        return _status(self.pid)

    def stop(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def drive(proc: OnPty, count, ids: list[str], scans: int, burst: int, every: int,
          on_warm=None) -> dict:
    """Feed ``scans`` scans in bursts, each burst once the previous one is done; the figures."""
    figures = {"start": proc.rss()["VmRSS"], "marks": []}
    done, began = 0, time.perf_counter()
    while done < scans:
        size = min(burst, scans - done)
        proc.type("".join(f"{ids[(done + n) % len(ids)]}\r" for n in range(size)))
        target = done + size
        proc.wait_for(lambda target=target: count() >= target, 600, f"{target} scans")
        previous, done = done, target
        if previous < WARM_UP <= done:
            proc.drain(1.0)
            figures["warm"] = proc.rss()["VmRSS"]
            if on_warm:
                on_warm()
        if done // every != previous // every:
            figures["marks"].append((done, proc.rss()["VmRSS"]))
    figures["seconds"] = time.perf_counter() - began
    figures["peak"] = proc.rss()["VmHWM"]
    proc.drain(5.0)
    figures["end"] = proc.rss()["VmRSS"]
    return figures


def events_in(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute("SELECT COUNT(*) FROM sign_in_event").fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=20_000)
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--burst", type=int, default=100, help="scans per burst (a paste)")
    parser.add_argument("--every", type=int, default=2_000, help="RSS printed every N scans")
    parser.add_argument("--trace", action="store_true", help="tracemalloc: what grew most")
    parser.add_argument("--cache-kib", type=int, help="SQLite page cache per connection (KiB) for "
                        "this run, instead of the product's (an experiment: what the cache costs)")
    args = parser.parse_args()
    ids = staff_ids(args.staff)
    with tempfile.TemporaryDirectory(prefix="bench-scan-memory-") as tmp:
        home = Path(tmp) / "home"
        prepare_home(home, staff=args.staff, title=TITLE, admin_pin="246810")
        (home / "config.toml").write_text("[backup]\ndaily = false\n", encoding="utf-8")
        env = kiosk_env(home, TERM="xterm-256color", PYTHONPATH=str(Path(__file__).parents[1]))
        trace = Path(tmp) / "trace.txt"
        if args.trace:
            env["BENCH_TRACE"] = str(trace)
        if args.cache_kib:
            env["BENCH_CACHE_KIB"] = str(args.cache_kib)
        kiosk = OnPty([sys.executable, "-c", KIOSK_RUN], env)
        try:
            kiosk.wait_for(lambda: TITLE.encode() in kiosk.tail, 60, "the kiosk's first frame")
            kiosk.drain(1.0)
            warm_snap = (lambda: os.kill(kiosk.pid, signal.SIGUSR1)) if args.trace else None
            ran = drive(kiosk, lambda: events_in(home / "kiosk.db"), ids, args.scans, args.burst,
                        args.every, on_warm=warm_snap)
            if args.trace:
                os.kill(kiosk.pid, signal.SIGUSR1)
                kiosk.wait_for(lambda: Path(f"{trace}.2").exists(), 300, "the trace")
        finally:
            traced = trace.read_text(encoding="utf-8") if trace.exists() else ""
            kiosk.stop()
        counter = Path(tmp) / "bare-count"
        counter.touch()
        bare_app = Path(tmp) / "bare_app.py"
        bare_app.write_text(BARE_APP, encoding="utf-8")
        bare = OnPty([sys.executable, str(bare_app)], {**env, "BENCH_COUNT": str(counter)})
        try:
            bare.wait_for(lambda: b"BareReady" in bare.tail, 60, "the bare app's first frame")
            bare.drain(1.0)
            base = drive(bare, lambda: counter.stat().st_size, ids, args.scans, args.burst, args.every)
        finally:
            bare.stop()
    print(f"memory over {args.scans:,} scans ({args.staff} staff, bursts of {args.burst}) — {machine()}")
    rows = []
    for name, f in (("kiosk run", ran), ("bare Textual app + Input", base)):
        rows.append((name, f"{f['start']:.1f}", f"{f.get('warm', f['start']):.1f}", f"{f['peak']:.1f}",
                     f"{f['end']:.1f}", f"{f['end'] - f.get('warm', f['start']):+.1f}",
                     f"{args.scans / f['seconds']:.0f}"))
    print(table(rows, ("process", "start MiB", f"after {WARM_UP:,} MiB", "peak MiB", "end MiB",
                       "end − warm MiB", "scans/s")))
    print("kiosk RSS every", args.every, "scans:", " ".join(f"{m:.0f}" for _, m in ran["marks"]))
    print("bare  RSS every", args.every, "scans:", " ".join(f"{m:.0f}" for _, m in base["marks"]))
    growth = (ran["end"] - ran.get("warm", ran["start"])) - (base["end"] - base.get("warm", base["start"]))
    print(f"kiosk growth after warm-up beyond the bare app's: {growth:+.1f} MiB; "
          f"peak vs bare peak: ×{ran['peak'] / base['peak']:.2f}; "
          f"README budget 80 MB: {'met' if ran['peak'] <= 80 else 'MISSED'}")
    if traced:
        print("\ngrew most between the warm-up and the end (tracemalloc):")
        print(traced)
    return 0


if __name__ == "__main__":
    sys.exit(main())
