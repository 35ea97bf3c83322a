"""Peak memory and time of ``kiosk staff import --dry-run`` on an XLSX whose last row is far away.

Finding 25: a 5 KB roster with one more row at r="1048576" (Excel's last row) cost 228 MB and
4.4 s to preview, because every absent row in between was made as an empty row. The reader now
walks only the rows the sheet holds (kiosk.tabular._present_rows). Measured in the same run, each
in a fresh ``kiosk`` process (peak RSS of the child):

- baseline: the same roster without the far row;
- far: the roster plus one row at ``--row`` (default 1048576).

    python bench/xlsx_far_row.py [--row 1048576]
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


def one_far_row(far_row: int):
    """A sheet writer adding one more person at row ``far_row``."""
    def write(data: bytes, dst: zipfile.ZipFile) -> None:
        row = (f'<row r="{far_row}"><c r="A{far_row}" t="inlineStr"><is><t>FAR1</t></is></c>'
               f'<c r="B{far_row}" t="inlineStr"><is><t>far</t></is></c>'
               f'<c r="C{far_row}" t="inlineStr"><is><t>办公室</t></is></c></row>')
        dst.writestr(SHEET, data.replace(b"</sheetData>", row.encode() + b"</sheetData>"))
    return write


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--row", type=int, default=1_048_576)
    parser.add_argument("--people", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KIOSK_HOME": str(Path(tmp) / "home"), "KIOSK_LANG": "en"}
        subprocess.run([KIOSK, "init", "--no-keys"], env=env, check=True, capture_output=True)
        plain, far = Path(tmp) / "roster.xlsx", Path(tmp) / "far.xlsx"
        roster_xlsx(plain, args.people)
        roster_xlsx(far, args.people, one_far_row(args.row))
        base_mb, base_s, base_rc = peak_rss_mb([KIOSK, "staff", "import", str(plain), "--dry-run"], env)
        far_mb, far_s, far_rc = peak_rss_mb([KIOSK, "staff", "import", str(far), "--dry-run"], env)
        print(f"roster {plain.stat().st_size / 1024:.0f} KB: exit {base_rc}, peak {base_mb:.0f} MB, "
              f"{base_s:.2f} s")
        print(f"far    {far.stat().st_size / 1024:.0f} KB (row {args.row}): exit {far_rc}, "
              f"peak {far_mb:.0f} MB, {far_s:.2f} s")
        print(f"ratio far/roster: memory {far_mb / base_mb:.2f}x, time {far_s / base_s:.2f}x")


if __name__ == "__main__":
    main()
