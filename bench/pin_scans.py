"""Refused PIN-shaped scans (6–32 digits) at a kiosk whose admin PIN is set, and what they cost
a second door writing to the same database meanwhile.

A refused scan of 6–32 digits could be the admin PIN typed into the scan field, so the kiosk
checks it against the stored scrypt hash (~50 ms, on purpose) before the refusal is logged
without its input. Two figures, each with its baseline measured in the same run:

1. door A's refused scans per second: 6-digit unknown IDs (they pay the PIN check) against
   letter IDs that are refused just the same (they do not);
2. door B's accepted sign-ins (another process, same SQLite file, one every 20 ms: a queue at
   the door — back to back it would hold the write lock and starve A): their latency while
   door A refuses a 6-digit scan every ``--pace`` seconds (0.1: ten a second, faster than any
   hand types), against B alone. A PIN check made while the
   scan's write transaction is open holds the write lock ~50 ms and B waits for it; made
   outside, B never notices A.

    python bench/pin_scans.py [--scans 60] [--rounds 3] [--pace 0.1]

To compare with an older tree: ``git archive REV | tar -x -C /tmp/old``, copy this script to
``/tmp/old/bench/`` and run it from there (it imports the code of the tree it lies in).

Measured on the shared 2-core machine (``--rounds 2``; before = the check inside the scan's
write transaction, re-reading the PIN file; after = kept in memory, checked between the
decision and the write): door B's p50 61.4 → 2.4 ms, p95 3139 → 9.9 ms, max 7041 → 26 ms
(ratios to B alone 28.5 / 389 / 410 → 1.16 / 1.26 / 1.14); door A's own refused 6-digit
scans ~11–14/s either way (scrypt-bound, on purpose).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from homes import machine, prepare_home, staff_ids, table  # noqa: E402

PIN = "20261201"
B_SCANS = 100  # door B's sign-ins per round and phase
DOOR_B = r'''
import sys, time
from zoneinfo import ZoneInfo
from db import database
from kiosk.desk import SignInDesk
handle = database.bind(sys.argv[1])
desk = SignInDesk(handle, kiosk_id="door-b", tz=ZoneInfo("Asia/Shanghai"))
print("ready", flush=True)
sys.stdin.readline()
for staff_id in sys.argv[2:]:
    started = time.perf_counter()
    try:
        desk.sign_in(staff_id)
    except Exception as exc:  # "database is locked" after the 15 s busy timeout: counted
        print("failed", exc, file=sys.stderr)
    print(f"{(time.perf_counter() - started) * 1000:.3f}", flush=True)
    time.sleep(0.02)  # a queue at the door: 50 a second (back to back, B would starve A)
'''


def door_a(home: Path):
    from db import database
    from kiosk import pin
    from kiosk.desk import SignInDesk

    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    return SignInDesk(handle, kiosk_id="door-a", tz=ZoneInfo("Asia/Shanghai"),
                      withhold=pin.matcher(home))


def refused_per_second(desk, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        assert desk.sign_in(text).result == "rejected"
    return len(texts) / (time.perf_counter() - started)


def door_b_latencies(home: Path, ids: list[str], busy=None) -> list[float]:
    """Door B signs ``ids`` in, one process, timing each; ``busy`` runs meanwhile in door A."""
    child = subprocess.Popen([sys.executable, "-c", DOOR_B, f"sqlite:///{home / 'kiosk.db'}", *ids],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
    assert child.stdout.readline().strip() == "ready"
    child.stdin.write("go\n")
    child.stdin.flush()
    times: list[float] = []
    if busy is not None:
        while child.poll() is None:
            busy()
    out, _ = child.communicate(timeout=300)
    times = [float(x) for x in out.split()]
    assert len(times) == len(ids), out[-300:]
    return times


def paced(desk, pace: float) -> None:
    started = time.perf_counter()
    assert desk.sign_in("987654").result == "rejected"
    time.sleep(max(0.0, pace - (time.perf_counter() - started)))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=60, help="refused scans per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pace", type=float, default=0.1, help="seconds between door A's scans")
    args = parser.parse_args()
    from kiosk import pin

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        prepare_home(home, staff=args.rounds * 2 * B_SCANS + B_SCANS)
        pin.set_pin(home, PIN)
        desk = door_a(home)
        digits = [f"{900000 + n}" for n in range(args.scans)]  # unknown 6-digit IDs
        letters = [f"X{900000 + n}" for n in range(args.scans)]  # unknown, not PIN-shaped
        pin_rate = max(refused_per_second(desk, digits) for _ in range(args.rounds))
        plain_rate = max(refused_per_second(desk, letters) for _ in range(args.rounds))
        people = iter(staff_ids(args.rounds * 2 * B_SCANS + B_SCANS))
        alone, beside = [], []
        for _ in range(args.rounds):
            alone += door_b_latencies(home, [next(people) for _ in range(B_SCANS)])
            beside += door_b_latencies(home, [next(people) for _ in range(B_SCANS)],
                                       busy=lambda: paced(desk, args.pace))
    q = statistics.quantiles
    rows = [
        ("door A: refused 6-digit scans / s", f"{pin_rate:.1f}", f"{pin_rate / plain_rate:.3f}",
         f"vs refused letter IDs ({plain_rate:.0f}/s)"),
        ("door B: sign-in p50 ms, A refusing 6-digit", f"{statistics.median(beside):.2f}",
         f"{statistics.median(beside) / statistics.median(alone):.2f}",
         f"vs B alone ({statistics.median(alone):.2f} ms)"),
        ("door B: sign-in p95 ms, A refusing 6-digit", f"{q(beside, n=20)[-1]:.2f}",
         f"{q(beside, n=20)[-1] / q(alone, n=20)[-1]:.2f}", f"vs B alone ({q(alone, n=20)[-1]:.2f} ms)"),
        ("door B: sign-in max ms, A refusing 6-digit", f"{max(beside):.1f}",
         f"{max(beside) / max(alone):.2f}", f"vs B alone ({max(alone):.1f} ms)"),
    ]
    print(machine())
    print(table(rows, ("measure", "value", "ratio", "baseline")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
