"""FINDINGS #8 (SPEC §7, each Enter ends one scan): a burst that arrives while the "which
session?" pick list is up. The list must not take the next person's characters and Enter as a
choice for the previous one, and no scan may be silently lost.

B2002 is expected by two sessions open at 14:01 (中心组 and 财务培训), so his scan asks which.
"""

from __future__ import annotations

from db.models import Attendance, SignInEvent
from kiosk import cards
from kiosk.ui.dialogs import SessionPickDialog
from kiosk.ui.screens.signin import SignInScreen
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
    # before the fix: B2002 ambiguous, then B2002 signed in to the first session (A1001's Enter), no A1001
    events = events_in_order()
    assert [key for key, _, _ in events] == ["B2002", "A1001", "B2002"]  # one outcome per Enter
    assert events[0][1:] == ("rejected", "ambiguous_session")
    assert events[1][0] == "A1001" and events[1][2] != "ambiguous_session"
    assert signed_in(ids, "B2002") == {"central": "pending", "finance": "pending"}


async def test_arrows_or_a_number_key_then_enter_still_choose(db, home):
    ids = make_office(db)
    app, _ = kiosk(db, home, at=AFTERNOON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "B2002\r")
        await settled(app, pilot)
        assert isinstance(app.screen, SessionPickDialog)
        second = app.screen.choices[1].id
        await pilot.press("2", "enter")
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
    chosen = "central" if second == ids["central"] else "finance"
    assert signed_in(ids, "B2002")[chosen] == "present"


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
    assert len(events_in_order()) == 2


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
    assert signed_in(ids, "B2002") == {"central": "pending", "finance": "pending"}
