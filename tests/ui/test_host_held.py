"""FINDINGS 7: the host's 最新签到 shows a door's events the centre kept but did not apply as
待核实 (the register does not hold them), and the date of an event of another day."""

from __future__ import annotations

import uuid

from db.models import SignInEvent
from db.sync.verdicts import NOT_APPLIED
from tests.conftest import make_office, wall
from tests.ui.test_host import Clock, make_app, table_text, tile, until


def event(session_id: int, staff: str, at: str, result: str = "present", method: str = "id",
          note: str = "", seq: int = 1) -> None:
    SignInEvent.insert(id=str(uuid.uuid4()), seq=seq, kiosk_id="west-door", at=wall(at),
                       method=method, result=result, staff_key=staff, session_id=session_id,
                       note=note).execute()


async def test_not_applied_events_are_to_check_and_other_days_are_dated(db, sqlite_url):
    ids = make_office(db)
    morning = ids["morning"]
    event(morning, "A1002", "2026-11-28 08:58", seq=1)  # a real one (the register is not
    # touched here: the host view lists events, the tiles read the register)
    event(morning, "A1001", "2026-11-28 09:01", note=f"{NOT_APPLIED}:out_of_order", seq=2)
    event(morning, "B2001", "2026-11-28 09:03", result="undo", method="manual",
          note=f"{NOT_APPLIED} x", seq=3)
    event(morning, "B2002", "2099-01-01 08:00", note=NOT_APPLIED, seq=4)
    event(morning, "A1002", "2026-11-27 18:00", result="signed_out", seq=5)
    app = make_app(db, sqlite_url, morning, Clock(wall("2026-11-28 09:05")))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        await until(pilot, lambda: "赵六" in table_text(app, "#host-recent"))
        text = table_text(app, "#host-recent").splitlines()
        assert text[0].startswith("2099-01-01 赵六 财务科 待核实（准时）"), text
        assert text[1].startswith("09:03:00 王五 财务科 待核实（撤销签到）"), text
        assert text[2].startswith("09:01:00 张三 办公室 待核实（准时）"), text
        assert text[3].startswith("08:58:00 李四 办公室 准时"), text
        assert text[4].startswith("11-27 18:00 李四 办公室 签退"), text
