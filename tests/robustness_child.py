"""A child process for the robustness tests: signs staff IDs in through the real SignInDesk.

    python -m tests.robustness_child DB_URL AT_ISO KIOSK_ID ID [ID …]   (or "-" to read IDs on stdin)

With "-" each ID is signed in as soon as its line arrives, so a parent can drive the kiosk one
scan at a time (write an ID, read its answer) as well as send a whole batch and close stdin.

After each ``sign_in`` has returned it prints ``ok <staff id> <result> <event id>`` and flushes:
a line on stdout is a sign-in the screen would have confirmed. Errors print ``error <message>``
instead of stopping, so the parent can see any that surfaced (e.g. "database is locked").
"""

from __future__ import annotations

import datetime as dt
import sys
from zoneinfo import ZoneInfo

from db import database
from kiosk.desk import SignInDesk


def main(argv: list[str]) -> int:
    url, at_text, kiosk_id, *ids = argv
    if ids == ["-"]:  # read as they arrive: a parent may send the next ID after each answer
        ids = (line.strip() for line in sys.stdin if line.strip())
    handle = database.bind(url)
    desk = SignInDesk(handle, kiosk_id=kiosk_id, tz=ZoneInfo("Asia/Shanghai"))
    at = dt.datetime.fromisoformat(at_text)
    for staff_id in ids:
        try:
            outcome = desk.sign_in(staff_id, at=at)
        except Exception as exc:  # reported, not hidden: the parent asserts there are none
            sys.stdout.write(f"error {staff_id} {exc.__class__.__name__}: {exc}\n")
            sys.stdout.flush()
            continue
        sys.stdout.write(f"ok {staff_id} {outcome.result} {outcome.event_id}\n")
        sys.stdout.flush()
    handle.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
