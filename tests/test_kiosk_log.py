"""``logs/kiosk.log``: bounded by rotation however long the kiosk runs; times carry their offset."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOD = """
import logging, sys
from pathlib import Path
from kiosk.cli.log_file import setup_logging
setup_logging(Path(sys.argv[1]))
log = logging.getLogger("kiosk.ui")
for n in range(60_000):  # ~12 MB: months of a busy door's refusals and warnings
    log.warning("sign-in rejected unknown_staff %06d %s", n, "x" * 150)
"""


def test_log_rotates_to_a_bound_and_times_carry_their_offset(home):
    done = subprocess.run([sys.executable, "-c", FLOOD, str(home)], cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "TZ": "Asia/Shanghai"},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    files = sorted((home / "logs").glob("kiosk.log*"))
    assert [f.name for f in files] == ["kiosk.log", "kiosk.log.1", "kiosk.log.2", "kiosk.log.3"]
    assert all(f.stat().st_size <= 2_000_000 for f in files)
    assert sum(f.stat().st_size for f in files) <= 8_000_000
    last = (home / "logs" / "kiosk.log").read_text(encoding="utf-8").splitlines()[-1]
    assert "059999" in last  # the newest record is kept, the oldest rotated away
    stamp = last.split(" ", 1)[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00", stamp), stamp
