"""Work-card numbers (kiosk.card_numbers): every reader form of a card reads back to that card.

Default run: a few hundred examples per property. ``HYPOTHESIS_PROFILE=ci`` (or ``cards-ci``):
10,000 each (pure functions only).
"""

from __future__ import annotations

import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import card_numbers as cn

settings.register_profile("cards-dev", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("cards-ci", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = settings.get_profile(
    "cards-ci" if os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "cards-ci") else "cards-dev")

CARDS = st.integers(min_value=1, max_value=cn.MAX_CARD)
CARD = 169552957  # 0x0A1B2C3D


def test_the_issue_s_card_in_every_form():
    assert cn.forms(CARD) == {"dec10": "0169552957", "hex": "0A1B2C3D", "hex_reversed": "3D2C1B0A",
                              "dec": "169552957", "dec_reversed": "1026300682",
                              "hex10": "000A1B2C3D"}
    for text in ("0169552957", "169552957", "0A1B2C3D", "0a1b2c3d", "3D2C1B0A", "3d2c1b0a"):
        assert CARD in cn.readings(text), text
    assert cn.parse("0169552957") == cn.parse("169552957") == cn.parse("0A1B2C3D") == CARD
    assert cn.parse(" 0169552957\r\n") == CARD


@pytest.mark.parametrize("text,expected", [
    ("0169552957", (CARD,)),                    # dec10 (dec refuses the leading zero)
    ("169552957", (CARD,)),                     # dec only (9 digits)
    ("0A1B2C3D", (CARD, 0x3D2C1B0A)),           # hex, then the other byte order
    ("12345678", (0x12345678, 0x78563412, 12345678)),  # 8 digits: hex both ways, then decimal
    ("4294967295", (cn.MAX_CARD,)),             # the largest 32-bit number
    ("4294967296", ()),                         # one more is no card
    ("0000000000", ()), ("00000000", ()),       # card 0 does not exist
    ("", ()), ("A1001", ()), ("12345678901", ()),
    ("0x1A2B3C", ()), ("+1234567", ()), ("1_234_567", ()), (" 1234567", ()),
    ("١٢٣٤٥٦٧٨", ()), ("１２３４５６７８", ()),   # other scripts' digits are no card number
    ("0G1B2C3D", ()),
])
def test_readings_in_order(text, expected):
    assert cn.readings(text) == expected


@pytest.mark.parametrize("typed", ["0A:1B:2C:3D", "0a-1b-2c-3d", "0A 1B 2C 3D", "０１６９５５２９５７",
                                   " 169552957\t", "0A1B2C3D"])
def test_what_a_person_types_is_tidied_before_binding(typed):
    assert cn.parse(typed) == CARD


@pytest.mark.parametrize("typed", ["0A:1B-2C:3D", "0A:1B:2C", "0A::1B:2C:3D", "1 6 9 5", "0A:1B:2C:3G"])
def test_mixed_or_short_separators_are_no_card(typed):
    assert cn.parse(typed) is None
    assert cn.readings(typed) == ()  # a scan at the door is never tidied


def test_formats_narrow_and_widen():
    assert cn.readings("169552957", ("dec10",)) == ()
    assert cn.readings("0169552957", ("dec",)) == ()
    assert cn.readings("3D2C1B0A", ("hex",)) == (0x3D2C1B0A,)
    assert cn.readings("3D2C1B0A", ("hex_reversed",)) == (CARD,)
    assert cn.readings("1026300682", ("dec_reversed",)) == (CARD,)
    assert cn.readings("1026300682") == (1026300682,)  # not by default
    assert cn.readings("FF0A1B2C3D", ("hex10",)) == (CARD,)  # an EM4100 tag's 40-bit ID
    assert cn.readings("FF0A1B2C3D") == ()
    assert cn.check_formats(["hex", "dec10", "hex"]) == ("hex", "dec10")
    with pytest.raises(ValueError, match="wiegand"):
        cn.check_formats(["dec10", "wiegand"])


def test_choose_prefers_active_then_earlier_reading():
    wanted = (0x12345678, 0x78563412, 12345678)
    assert cn.choose([], wanted) is None
    assert cn.choose([("B", 12345678, True), ("A", 0x78563412, True)], wanted)[0] == "A"
    assert cn.choose([("A", 0x12345678, False), ("B", 12345678, True)], wanted)[0] == "B"
    assert cn.choose([("B", 0x12345678, True), ("A", 0x12345678, True)], wanted)[0] == "A"
    assert cn.choose([("X", 999, True)], wanted) is None


def test_masks_keep_four_digits_only():
    assert cn.mask(CARD) == "******2957"
    assert cn.mask(5) == "******0005"
    assert cn.mask_text("3D2C1B0A") == "****1B0A" and cn.mask_text("ab") == "ab"
    assert cn.looks_like_card("0169552957") and cn.looks_like_card("3D2C1B0A")
    assert not cn.looks_like_card("1001") and not cn.looks_like_card("A1001XYZ")


@settings(PROFILE)
@given(CARDS, st.sampled_from(cn.FORMATS))
def test_every_form_of_every_card_reads_back(card, name):
    text = cn.forms(card)[name]
    found = cn.readings(text, cn.FORMATS)
    assert card in found
    assert card in cn.readings(text.lower(), cn.FORMATS)
    if name in cn.DEFAULT_FORMATS and not (name == "dec" and len(text) == 10):
        assert card in cn.readings(text)
    assert all(0 < c <= cn.MAX_CARD for c in found) and len(set(found)) == len(found)


@settings(PROFILE)
@given(CARDS)
def test_decimal_and_byte_order_agree(card):
    forms = cn.forms(card)
    assert cn.parse(forms["dec10"]) == card
    assert cn.parse(forms["dec"]) == card or len(forms["dec"]) == 8  # 8 digits read as hex first
    assert cn.reverse_bytes(cn.reverse_bytes(card)) == card
    assert card in cn.readings(forms["hex_reversed"])
    assert cn.mask(card).endswith(forms["dec10"][-4:]) and forms["dec10"][:6] not in cn.mask(card)


@settings(PROFILE)
@given(st.text(alphabet=string.printable + "中١２\u3000", max_size=14))
def test_any_text_reads_as_cards_in_range_or_none(text):
    found = cn.readings(text, cn.FORMATS)
    assert all(isinstance(c, int) and 0 < c <= cn.MAX_CARD for c in found)
    if found:
        assert all(ch in string.hexdigits for ch in text) and 1 <= len(text) <= 10
    assert cn.parse(text) in (None, *cn.readings(cn.tidy(text)))
