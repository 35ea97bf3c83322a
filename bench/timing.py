"""What the benchmarks measure with: the best wall time of a call, and one child process's time
and peak memory. Shared so every script times the same way."""

from __future__ import annotations

import os
import subprocess
import time


def call_times(fn, rounds: int, *, warm: bool = False) -> list[float]:
    """Seconds each of ``rounds`` calls of ``fn`` took (after one untimed call if ``warm``:
    caches and imports filled)."""
    if warm:
        fn()
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return times


def best_of(fn, rounds: int, *, warm: bool = False) -> float:
    """The fastest of ``rounds`` calls of ``fn``: the best, not the mean, on a shared machine."""
    return min(call_times(fn, rounds, warm=warm))


def peak_rss_mb(argv: list[str], env: dict) -> tuple[float, float, int]:
    """(peak RSS of the child in MB, seconds, exit code) for one fresh process."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - started, os.waitstatus_to_exitcode(status)
