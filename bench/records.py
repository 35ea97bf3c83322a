"""Study records on the demo office (``kiosk demo``: ~200 staff, a year of sessions up to today):
what the Word documents cost on top of the figures.

* the 学习情况通报 as docx vs the same month as Markdown (same model; the docx adds python-docx's
  document building);
* one person's study record (学习档案) as docx vs as json (the figures alone).

Target: each Word document in < 0.25 s (python-docx opens its template, ~40 ms, for every
document: the ratios are shown for information). Best of ``--rounds`` on a shared machine.

    python bench/records.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from homes import kiosk_command, kiosk_env, machine, table  # noqa: E402
from timing import best_of  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None)
_LOCAL = NOW.replace(tzinfo=dt.UTC).astimezone(TZ)
# the last month that is over: the bulletin the clerk prints at the start of the next one
MONTH = (_LOCAL.year, _LOCAL.month - 1) if _LOCAL.month > 1 else (_LOCAL.year - 1, 12)


def _options():
    from kiosk.config import DEFAULT_TARGETS
    from kiosk.reports.model import ReportOptions

    return ReportOptions(tz=TZ, now=NOW, targets=DEFAULT_TARGETS, office_name="市政府办公室")


def monthly(fmt: str) -> int:
    from kiosk.reports import model, monthly_document

    return len(monthly_document(model.monthly(*MONTH, _options(), detail=False), fmt))


def person(key: str, fmt: str) -> int:
    from kiosk.reports.person import person_record
    from kiosk.reports.person_render import person_document

    return len(person_document(person_record(key, MONTH[0], _options()), fmt))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import subprocess

    from db import database
    from db.models import Attendance, Staff

    with tempfile.TemporaryDirectory(prefix="bench-records-") as tmp:
        home = Path(tmp) / "demo"
        subprocess.run(kiosk_command() + ["demo", "--no-run"], env=kiosk_env(home), check=True,
                       capture_output=True)
        handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
        info = {"attendance": Attendance.select().count(), "staff": Staff.select().count()}
        key = Staff.select(Staff.key).order_by(Staff.key).first().key
        md = best_of(lambda: monthly("md"), args.rounds, warm=True)
        docx = best_of(lambda: monthly("docx"), args.rounds, warm=True)
        record_json = best_of(lambda: person(key, "json"), args.rounds, warm=True)
        record_docx = best_of(lambda: person(key, "docx"), args.rounds, warm=True)
        handle.close()
    rows = [("monthly bulletin", "docx", f"{docx:.3f}", "md", f"{md:.3f}", f"{docx / md:.2f}×"),
            ("study record, 1 person", "docx", f"{record_docx:.3f}", "json", f"{record_json:.3f}",
             f"{record_docx / record_json:.2f}×")]
    print(f"records: demo office, {info['staff']} staff, {info['attendance']:,} register rows, "
          f"month {MONTH[0]}-{MONTH[1]:02d}, {args.rounds} rounds — {machine()}")
    print(table(rows, ("what", "format", "best s", "baseline", "baseline s", "ratio")))
    ok = docx < 0.25 and record_docx < 0.25
    print(f"target (each docx < 0.25 s): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
