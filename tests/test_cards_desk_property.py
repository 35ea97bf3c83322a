"""Property, through the real SignInDesk on a real SQLite file: whatever card is bound, in
whichever form it was bound and whichever form a reader types, the scan names its holder
(a database test: a hundred examples, not the pure functions' 10,000)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.models import Staff
from kiosk import card_numbers as cn
from kiosk import cards
from kiosk.desk import SignInDesk
from tests.conftest import TZ, make_office, wall

AT = wall("2026-11-28 09:02")
SIMPLE = ("dec10", "hex", "dec")  # forms a card is bound in without byte-order ambiguity


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(card=st.integers(1, cn.MAX_CARD), bound_as=st.sampled_from(SIMPLE),
       scanned_as=st.sampled_from(cn.DEFAULT_FORMATS), lower=st.booleans())
def test_any_bound_card_in_any_form_signs_in_its_holder(db, card, bound_as, scanned_as, lower):
    if not Staff.select().exists():
        make_office(db)
    text = cn.forms(card)[bound_as]
    if cn.parse(text) != card:  # an 8-digit decimal binds as hex (documented): bind by dec10
        text = cn.forms(card)["dec10"]
    Staff.update(card=None).execute()
    cards.bind(db, "B2001", text, kiosk_id="admin", at=AT)
    scan = cn.forms(card)[scanned_as]
    desk = SignInDesk(db, kiosk_id="k", tz=TZ, clock=lambda: AT)
    out = desk.sign_in(scan.lower() if lower else scan)
    if Staff.get_or_none(Staff.key == scan.upper()) is not None:  # a staff ID wins
        assert out.method == "id"
        return
    assert (out.method, out.staff_id, out.result) in {("card", "B2001", "present"),
                                                      ("card", "B2001", "already")}
    assert out.card == cn.mask(card)
    off = SignInDesk(db, kiosk_id="k", tz=TZ, clock=lambda: AT, cards_enabled=False).sign_in(scan)
    assert (off.result, off.reason, off.staff_id) == ("rejected", "card_disabled", None)
    typed_off = SignInDesk(db, kiosk_id="k", tz=TZ, clock=lambda: AT, allow_typed_id=False)
    assert typed_off.sign_in(scan).staff_id == "B2001"
