"""Peak memory of ``kiosk staff import`` on an XLSX zip bomb, against a plain roster import.

Issue 10 measured a 199 KB XLSX holding one 200 MB cell peaking at 457 MB while openpyxl parsed
it. The import now sums the zip members' uncompressed sizes and refuses anything over 50 MB before
parsing. Measured in the same run, each in a fresh ``kiosk`` process (peak RSS of the child):

- baseline: importing a normal 500-person roster XLSX;
- the bomb: the same roster with one extra cell of ``--cell-mb`` MB (refused).

    python bench/import_bomb.py [--cell-mb 200]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from roster_xlsx import SHEET, roster_xlsx  # noqa: E402
from timing import peak_rss_mb  # noqa: E402

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def one_big_cell(cell_mb: int):
    """A sheet writer adding one inline cell of ``cell_mb`` MB to row 2, streamed, never whole."""
    def write(data: bytes, dst: zipfile.ZipFile) -> None:
        with dst.open(SHEET, "w", force_zip64=True) as out:
            head, tail = data.split(b'<c r="C2"', 1)
            out.write(head + b'<c r="D2" t="inlineStr"><is><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(cell_mb):
                out.write(chunk)
            out.write(b'</t></is></c><c r="C2"' + tail)
    return write


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cell-mb", type=int, default=200)
    parser.add_argument("--people", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_LANG": "en"}
        subprocess.run([KIOSK, "init", "--no-keys"], env=env, check=True, capture_output=True)
        plain, bomb = Path(tmp) / "roster.xlsx", Path(tmp) / "bomb.xlsx"
        roster_xlsx(plain, args.people)
        roster_xlsx(bomb, args.people, one_big_cell(args.cell_mb))
        base_mb, base_s, base_rc = peak_rss_mb([KIOSK, "staff", "import", str(plain)], env)
        bomb_mb, bomb_s, bomb_rc = peak_rss_mb([KIOSK, "staff", "import", str(bomb)], env)
        print(f"roster {plain.stat().st_size / 1024:.0f} KB: exit {base_rc}, peak {base_mb:.0f} MB, "
              f"{base_s:.2f} s")
        print(f"bomb   {bomb.stat().st_size / 1024:.0f} KB ({args.cell_mb} MB cell): exit {bomb_rc}, "
              f"peak {bomb_mb:.0f} MB, {bomb_s:.2f} s")
        print(f"ratio bomb/roster: memory {bomb_mb / base_mb:.2f}x, time {bomb_s / base_s:.2f}x")


if __name__ == "__main__":
    main()
