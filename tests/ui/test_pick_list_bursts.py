"""FINDINGS #8 (SPEC §7, each Enter ends one scan): a burst that arrives while the "which
session?" pick list is up. The list must not take the next person's characters and Enter as a
choice for the previous one, and no scan may be silently lost.

B2002 is expected by two sessions open at 14:01 (中心组 and 财务培训), so his scan asks which.
"""

from __future__ import annotations

from db.models import Attendance, SignInEvent
from db.roster import StaffRecord, upsert_staff
from kiosk import cards
from kiosk.ui.dialogs import SessionPickDialog
from kiosk.ui.screens.signin import SignInScreen
from tests.cli_runner import kiosk as cli
from tests.conftest import make_office
from tests.ui.bursts import settled, type_burst
from tests.ui.kiosk_office import kiosk

AFTERNOON = "2026-11-28 14:01"


def events_in_order() -> list[tuple[str, str, str]]:
    return [(e.staff_key or e.input, e.result, e.reason)
            for e in SignInEvent.select().order_by(SignInEvent.seq)]


def signed_in(ids, staff: str) -> dict[str, str]:
    return {name: Attendance.get(session=ids[name], staff=staff).status for name in ("central", "finance")}


async def test_the_next_scan_in_the_burst_is_its_own_scan_not_a_choice(db, home):
    ids = make_office(db)
    app, _ = kiosk(db, home, at=AFTERNOON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "B2002\rA1001\rB2002\r")  # X2⏎E1⏎E3⏎ in one terminal write
        await settled(app, pilot, rounds=6)
        assert isinstance(app.screen, SessionPickDialog)  # asking again, for the last B2002
        assert len(events_in_order()) == 2  # the question itself writes nothing
        await pilot.press("escape")
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
    # before the fix: B2002 ambiguous, then B2002 signed in to the first session (A1001's Enter), no A1001
    events = events_in_order()
    assert [key for key, _, _ in events] == ["B2002", "A1001", "B2002"]  # one event per Enter
    assert events[0][1:] == ("rejected", "ambiguous_session")
    assert events[1][0] == "A1001" and events[1][2] != "ambiguous_session"
    assert events[2][1:] == ("rejected", "ambiguous_session")
    assert signed_in(ids, "B2002") == {"central": "pending", "finance": "pending"}


async def test_the_person_left_unchosen_has_a_refusal_of_their_own_in_the_export(db, home, capsys):
    """FINDINGS c: the question wrote an ``ambiguous_session`` event whether or not a choice
    followed, and nothing when the next scan closed the list. Now each scan leaves one event:
    the person left unchosen a refusal like any other (their staff ID, the scan's time and
    method, the note saying how the list closed), the one who chose only the sign-in."""
    make_office(db)
    app, _ = kiosk(db, home, at=AFTERNOON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "B2002\rA1001\r")
        await settled(app, pilot, rounds=6)
        assert isinstance(app.screen, SignInScreen)
        type_burst(app, "B2002\r")
        await settled(app, pilot)
        await pilot.press("down", "enter")  # this time he chooses
        await settled(app, pilot)
    run = cli(capsys, "export", "log", "--from", "2026-11-28", "--to", "2026-11-28",
              "--format", "jsonl", "--out", "-", "--db", f"sqlite:///{db.database}")
    rows = [(r["staff_id"], r["result"], r["reason"], r["note"], r["method"], r["session"])
            for r in run.jsonl()]
    assert rows[0] == ("B2002", "rejected", "ambiguous_session", "unchosen:next_scan", "id", None)
    assert rows[1][:2] == ("A1001", "present")
    assert len(rows) == 3 and rows[2][:2] == ("B2002", "present")  # no refusal before a choice
    assert run.jsonl()[0]["name"] == "赵六" and run.jsonl()[0]["input"] == "B2002"


async def test_a_number_key_alone_chooses_and_arrows_then_enter_choose(db, home):
    ids = make_office(db)
    app, _ = kiosk(db, home, at=AFTERNOON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "B2002\r")
        await settled(app, pilot)
        assert isinstance(app.screen, SessionPickDialog)
        second = app.screen.choices[1].id
        await pilot.press("2")  # no Enter: the line is marked at once, chosen once nothing follows
        assert app.screen.query_one("#pick-list").highlighted == 1
        await pilot.pause(SessionPickDialog.DIGIT_QUIET + 0.3)
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
    chosen = "central" if second == ids["central"] else "finance"
    assert signed_in(ids, "B2002")[chosen] == "present"
    assert [r for _, r, _ in events_in_order()] == ["present"]


async def test_a_digit_and_enter_is_a_scan_even_for_a_one_digit_staff_id(db, home):
    """A staff ID may be one digit: ``2⏎`` while the list is up is that person's scan (never
    line 2 chosen for B2002), whether it arrives in the burst or typed a moment later."""
    ids = make_office(db)
    with db.atomic():
        upsert_staff([StaffRecord("2", "2", "钱七", "办公室", "科员", ("中心组",))])
    app, _ = kiosk(db, home, at=AFTERNOON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "B2002\r2\r")
        await settled(app, pilot, rounds=6)
        assert isinstance(app.screen, SignInScreen)
        type_burst(app, "B2002\r")
        await settled(app, pilot)
        await pilot.press("1", "enter")  # typed by hand, quickly: still a scan of staff "1"
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
    assert events_in_order() == [("B2002", "rejected", "ambiguous_session"), ("2", "present", ""),
                                 ("B2002", "rejected", "ambiguous_session"),
                                 ("1", "rejected", "unknown_staff")]
    assert Attendance.get(session=ids["central"], staff="2").status == "present"
    assert signed_in(ids, "B2002") == {"central": "pending", "finance": "pending"}


async def test_a_typed_line_then_arrows_is_not_a_scan_but_the_arrows_choose(db, home):
    """A person who pressed a letter by mistake, then ↓ and Enter: the arrows decide."""
    ids = make_office(db)
    app, _ = kiosk(db, home, at=AFTERNOON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "B2002\r")
        await settled(app, pilot)
        second = app.screen.choices[1].id
        await pilot.press("x", "down", "enter")
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
    chosen = "central" if second == ids["central"] else "finance"
    assert signed_in(ids, "B2002")[chosen] == "present"
    assert len(events_in_order()) == 1


async def test_left_to_time_out_the_person_is_refused_with_the_reason(db, home):
    make_office(db)
    app, _ = kiosk(db, home, at=AFTERNOON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "B2002\r")
        await settled(app, pilot)
        app.screen._timed_out()  # (the 30 s timer's own callback)
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
        banner = app.screen.query_one("#banner").text
        assert "赵 六" in banner and "未选择场次" in banner
    note = SignInEvent.get().note
    assert events_in_order() == [("B2002", "rejected", "ambiguous_session")] and note == "unchosen:timeout"


async def test_qr_only_a_card_then_a_typed_id_in_one_write(db, home):
    ids = make_office(db)
    cards.bind(db, "B2002", "3D2C1B0A", kiosk_id="admin")
    app, _ = kiosk(db, home, at=AFTERNOON, qr_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "3D2C1B0A\rA1001\r")
        await settled(app, pilot, rounds=6)
        assert isinstance(app.screen, SignInScreen)
    assert [(k, r, why) for k, r, why in events_in_order() if r != "card_bound"] == [
        ("B2002", "rejected", "ambiguous_session"), ("A1001", "rejected", "typed_id_disabled")]
    refused = SignInEvent.get((SignInEvent.staff_key == "B2002") & (SignInEvent.result == "rejected"))
    assert refused.note == "unchosen:next_scan" and refused.method == "card"
    assert signed_in(ids, "B2002") == {"central": "pending", "finance": "pending"}


async def test_the_whole_hint_shows_at_80x24_in_english(db, home):
    """Seen in tmux: the hint was cut after "Esc to cancel;", hiding that a scan closes the list."""
    make_office(db)
    app, _ = kiosk(db, home, at=AFTERNOON, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "B2002\r")
        await settled(app, pilot)
        hint = app.screen.query_one(".pick-hint")
        assert str(hint.content).endswith("a scan closes this list")
        assert hint.size.height >= 2 and hint.size.width <= app.screen.query_one(".dialog").size.width


async def test_the_choice_is_timed_at_the_scan_not_at_the_answer(db, home):
    """Review m1: an answer given after the late mark must not make an on-time scan late."""
    from tests.conftest import wall

    ids = make_office(db)
    app, clock = kiosk(db, home, at=AFTERNOON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "B2002\r")
        await settled(app, pilot)
        assert isinstance(app.screen, SessionPickDialog)
        first = app.screen.choices[0].id
        clock.set("2026-11-28 14:25")  # the person hesitates; the late mark passes meanwhile
        await pilot.press("enter")
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
    chosen = "central" if first == ids["central"] else "finance"
    assert signed_in(ids, "B2002")[chosen] == "present"
    [event] = SignInEvent.select()
    assert event.at == wall(AFTERNOON) and event.result == "present"
