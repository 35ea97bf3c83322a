"""Card bindings travel to the doors with the roster (SPEC §12), against a real PostgreSQL centre."""

from __future__ import annotations

from db import database
from db.models import SignInEvent
from tests.cli_runner import kiosk

AT = ["--at", "2026-11-28 09:02"]


def test_bindings_reach_the_door_and_card_scans_reach_the_centre(pg_url, home, tmp_path, capsys):
    assert kiosk(capsys, "init", "--db", pg_url, "--no-keys").code == 0
    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,部门,卡号\nA1001,张三,办公室,0169552957\nA1002,李四,办公室,\n",
                      encoding="utf-8")
    assert kiosk(capsys, "staff", "import", roster, "--db", pg_url).code == 0
    for title, start, end in (("上午", "09:00", "11:00"), ("下午", "14:00", "16:00")):
        assert kiosk(capsys, "session", "add", "--title", title, "--kind", "lecture", "--start",
                     f"2026-11-28 {start}", "--end", f"2026-11-28 {end}", "--db", pg_url).code == 0

    synced = kiosk(capsys, "sync", "--once", "--central", pg_url)
    assert synced.code == 0, synced.err
    out = kiosk(capsys, "signin", "3D2C1B0A", *AT, "--json").json()  # at the door, offline data
    assert (out["result"], out["method"], out["staff_id"]) == ("present", "card", "A1001")

    # the admin moves the card at the centre; the next round carries the change to the door
    assert kiosk(capsys, "card", "unbind", "A1001", "--db", pg_url).code == 0
    assert kiosk(capsys, "card", "bind", "A1002", "169552957", "--db", pg_url).code == 0
    assert kiosk(capsys, "sync", "--once", "--central", pg_url).code == 0
    out = kiosk(capsys, "signin", "0169552957", "--at", "2026-11-28 14:01", "--json").json()
    assert (out["result"], out["method"], out["staff_id"]) == ("present", "card", "A1002")
    listed = kiosk(capsys, "card", "list", "--json").json()
    assert [(r["staff_id"], r["card"]) for r in listed] == [("A1002", "******2957")]
    assert kiosk(capsys, "sync", "--once", "--central", pg_url).code == 0

    central = database.bind(pg_url)
    rows = list(SignInEvent.select(SignInEvent.method, SignInEvent.result, SignInEvent.staff_key,
                                   SignInEvent.input).where(SignInEvent.method == "card")
                .order_by(SignInEvent.at).tuples())
    central.close()
    assert rows == [("card", "present", "A1001", "******2957"),
                    ("card", "present", "A1002", "******2957")]
    register = kiosk(capsys, "report", "monthly", "--month", "2026-11", "--format", "json",
                     "--out", "-", "--db", pg_url).json()
    assert register["totals"]["present"] == 2
