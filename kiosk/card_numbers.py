"""Work-card numbers (SPEC §12) as pure functions: what a card reader types, and who it names.

A keyboard-mode reader (125 kHz EM4100, 13.56 MHz Mifare) types the card's 32-bit number and
Enter, but readers print that number differently. A card is stored once, as that number (an
integer 1 … 2**32-1), and a scan is read in every *format* the office accepts; each reading is a
card it could be. The formats, in the order a scan's readings are tried:

``dec10``         10 decimal digits with leading zeros, as printed on EM4100 cards (``0169552957``)
``hex``           8 hex digits, most significant byte first (``0A1B2C3D``)
``hex_reversed``  8 hex digits, least significant byte first — many Mifare readers (``3D2C1B0A``)
``dec``           the decimal number without leading zeros (``169552957``)

and two an office may add for an unusual reader (``[cards] formats`` in config.toml):

``dec_reversed``  the decimal number of the bytes in reverse order (some Mifare readers)
``hex10``         10 hex digits of an EM4100 tag's 40-bit ID, whose low 32 bits are the card

A card number is an identifier, not a secret, but it is still never shown in full: logs and
exports carry :func:`mask` (the last 4 digits of its 10-digit decimal form).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

MAX_CARD = 0xFFFFFFFF
DEFAULT_FORMATS = ("dec10", "hex", "hex_reversed", "dec")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_BYTE_PAIRS = re.compile(r"\A[0-9A-Fa-f]{2}(?:([:\- ])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2}){2,3}\Z")


def _is_decimal(text: str) -> bool:
    return text.isascii() and text.isdigit()  # (isdigit alone takes "²" and other scripts' digits)


def _is_hex(text: str) -> bool:
    return _HEX_DIGITS.issuperset(text)  # int(x, 16) alone would take "0x…", "+…", "_" and spaces


def reverse_bytes(card: int) -> int:
    """The 32-bit number with its four bytes in reverse order."""
    return int.from_bytes(card.to_bytes(4, "big"), "little")


def _dec10(text: str) -> int | None:
    return int(text) if len(text) == 10 and _is_decimal(text) else None


def _dec(text: str) -> int | None:
    if 1 <= len(text) <= 10 and text[0] != "0" and _is_decimal(text):
        return int(text)
    return None


def _hex(text: str) -> int | None:
    return int(text, 16) if len(text) == 8 and _is_hex(text) else None


def _hex_reversed(text: str) -> int | None:
    value = _hex(text)
    return None if value is None else reverse_bytes(value)


def _dec_reversed(text: str) -> int | None:
    value = _dec(text) if len(text) < 10 else _dec10(text)
    return None if value is None or value > MAX_CARD else reverse_bytes(value)


def _hex10(text: str) -> int | None:
    return int(text, 16) & MAX_CARD if len(text) == 10 and _is_hex(text) else None


READERS: dict[str, Callable[[str], int | None]] = {
    "dec10": _dec10,
    "hex": _hex,
    "hex_reversed": _hex_reversed,
    "dec": _dec,
    "dec_reversed": _dec_reversed,
    "hex10": _hex10,
}
FORMATS = tuple(READERS)


def check_formats(names: Iterable[str]) -> tuple[str, ...]:
    """The format names as a tuple, duplicates dropped; ``ValueError(name)`` for an unknown one."""
    out: list[str] = []
    for name in names:
        if name not in READERS:
            raise ValueError(name)
        if name not in out:
            out.append(name)
    return tuple(out)


def readings(text: str, formats: Iterable[str] = DEFAULT_FORMATS) -> tuple[int, ...]:
    """Every card ``text`` can be read as, in ``formats`` order, each once.

    ``text`` is a cleaned scan (no surrounding whitespace). Empty when it is no card number.
    """
    if not 1 <= len(text) <= 10:
        return ()
    found: list[int] = []
    for name in formats:
        value = READERS[name](text)
        if value is not None and 0 < value <= MAX_CARD and value not in found:
            found.append(value)
    return tuple(found)


def parse(text: str, formats: Iterable[str] = DEFAULT_FORMATS) -> int | None:
    """The card a typed or scanned number names when it is bound: its first reading, or None.

    Binding needs one number: ``0169552957``, ``169552957`` and ``0A1B2C3D`` bind card 169552957
    (an 8-digit number is read as hex before decimal, as readers that print 8 characters do).
    What a person typed is tidied first (:func:`tidy`); a scan at the door is taken as typed.
    """
    found = readings(tidy(text), formats)
    return found[0] if found else None


def tidy(text: str) -> str:
    """A card number as a person typed it into a form or a spreadsheet: full-width digits
    (a Chinese input method's ０１６９…) made ASCII, and hex written as byte pairs with
    separators (``0A:1B:2C:3D``, ``0a-1b-2c-3d``, ``0A 1B 2C 3D``) joined."""
    text = unicodedata.normalize("NFKC", text).strip()
    if _BYTE_PAIRS.match(text):
        text = re.sub(r"[:\- ]", "", text)
    return text


def choose(found: Iterable[tuple[str, int, bool]], wanted: tuple[int, ...]
           ) -> tuple[str, int, bool] | None:
    """Of the people whose card is one of ``wanted`` — ``(key, card, active)`` — the one a scan
    names: an active holder first, then the earlier reading, then the smaller key."""
    rank = {card: i for i, card in enumerate(wanted)}
    holders = [h for h in found if h[1] in rank]
    if not holders:
        return None
    return min(holders, key=lambda h: (not h[2], rank[h[1]], h[0]))


def forms(card: int) -> dict[str, str]:
    """The text each format gives for ``card`` (what each kind of reader types)."""
    swapped = reverse_bytes(card)
    return {"dec10": f"{card:010d}", "hex": f"{card:08X}", "hex_reversed": f"{swapped:08X}",
            "dec": str(card), "dec_reversed": str(swapped), "hex10": f"{card:010X}"}


def mask(card: int) -> str:
    """The card as logs and exports show it: its 10-digit decimal form, all but 4 digits hidden."""
    return "******" + f"{card:010d}"[-4:]


def mask_text(text: str) -> str:
    """A scanned card number that matched no one, all but its last 4 characters hidden."""
    return "*" * max(len(text) - 4, 0) + text[-4:]


def looks_like_card(text: str, formats: Iterable[str] = DEFAULT_FORMATS) -> bool:
    """Would a refused scan of ``text`` print a card number? (8 or more characters that read as
    a card: such input is masked in the event log; a short number is more likely a staff ID.)"""
    return len(text) >= 8 and bool(readings(text, formats))
