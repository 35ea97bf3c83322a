"""FINDINGS #38: a keyboard left in full-width (全角) mode — a Chinese IME types ``Ａ１００１`` —
still signs the person in. Staff IDs, card numbers and roster keys are NFKC-normalised; a badge
payload is only width-folded, and its signature still verifies over exactly the printed text.
The 256-character and control-character rules hold, and nothing stored carries a signature.
Real CLI (``kiosk signin --json``, ``kiosk staff import``, ``kiosk card bind``) on real databases.
"""

from __future__ import annotations

from pathlib import Path

from db import database
from db.models import SignInEvent
from db.redact import drop_badge_signatures
from kiosk import rules
from tests.cli_runner import kiosk
from tests.conftest import make_office

AT = "2026-11-28 08:55"


def wide(text: str) -> str:
    """``text`` as a keyboard in 全角 mode types it (printable ASCII → U+FF01…U+FF5E)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def _office(capsys, url: str) -> str:
    """``kiosk init`` (with keys), the small office; A1001's badge payload."""
    assert kiosk(capsys, "init", "--db", url).code == 0
    handle = database.bind(url)
    make_office(handle)
    handle.close()
    run = kiosk(capsys, "badge", "payload", "A1001", "--db", url)
    assert run.code == 0, run.err
    return run.out.strip()


def _signin(capsys, url: str, text: str) -> dict:
    run = kiosk(capsys, "signin", text, "--at", AT, "--json", "--db", url)
    assert run.code in (0, 1), run.err
    return run.json()


def _stored_inputs(url: str) -> list[str]:
    handle = database.bind(url)
    rows = [e.input or "" for e in SignInEvent.select().order_by(SignInEvent.seq)]
    handle.close()
    return rows


def test_a_full_width_staff_id_signs_the_person_in(any_url, home, capsys):
    _office(capsys, any_url)
    first = _signin(capsys, any_url, "Ａ１００１")
    assert (first["result"], first["staff_id"], first["method"]) == ("present", "A1001", "id")
    lower = _signin(capsys, any_url, "ａ１００２\u3000")       # lower case, an IME's trailing space
    assert (lower["result"], lower["staff_id"]) == ("present", "A1002")
    again = _signin(capsys, any_url, "A1001")                    # the same person, half width
    assert again["result"] == "already"
    unknown = _signin(capsys, any_url, "Ｚ９９９")
    assert (unknown["result"], unknown["reason"], unknown["staff_id"]) == (
        "rejected", "unknown_staff", "Z999")


def test_the_input_limits_still_hold_after_normalising(sqlite_url, home, capsys):
    _office(capsys, sqlite_url)
    too_long = _signin(capsys, sqlite_url, wide("A") * 257)
    assert (too_long["result"], too_long["reason"]) == ("rejected", "invalid_input")
    # 20 characters typed, 360 after NFKC (U+FDFA is 18 letters): still over 256
    expands = _signin(capsys, sqlite_url, "\ufdfa" * 20)
    assert (expands["result"], expands["reason"]) == ("rejected", "invalid_input")
    control = _signin(capsys, sqlite_url, "Ａ１００１\x1b[2J")
    assert (control["result"], control["reason"]) == ("rejected", "invalid_input")
    ligature = _signin(capsys, sqlite_url, "Ａ１００１\u200b")   # a zero-width space is no ID
    assert ligature["result"] == "rejected"
    stored = _stored_inputs(sqlite_url)
    assert len(stored) == 4 and all(len(s) <= 121 for s in stored)
    assert not any("\x1b" in s or "\u200b" in s for s in stored)  # the sanitised copy stays safe


def test_a_full_width_badge_verifies_over_exactly_what_was_printed(any_url, home, capsys):
    good = _office(capsys, any_url)
    signature = good.rsplit(".", 1)[1]
    scanned = _signin(capsys, any_url, wide(good))
    assert (scanned["result"], scanned["staff_id"], scanned["method"]) == ("present", "A1001", "qr")
    # the signature's own characters count: one changed (in full width too) is refused
    flipped = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert _signin(capsys, any_url, wide(flipped))["reason"] == "bad_signature"
    # only the keyboard's width is read through: a look-alike (circled ①, a ligature) is not a digit
    for look_alike in (good.replace(".1.", ".\u2460.", 1), wide(good).replace("１", "\u2460", 1),
                       good.replace("SK1", "SK\u2460", 1)):
        refused = _signin(capsys, any_url, look_alike)
        assert refused["result"] == "rejected", look_alike
        assert refused["reason"] in ("bad_signature", "invalid_input"), look_alike
    stored = " ".join(_stored_inputs(any_url))
    assert signature not in stored and wide(signature) not in stored
    assert "SK1.A1001.1" in stored
    export = kiosk(capsys, "export", "log", "--format", "jsonl", "--out", "-", "--db", any_url)
    assert export.code == 0 and signature not in export.out and wide(signature) not in export.out


def test_a_full_width_payload_is_cut_wherever_it_is_written():
    sig = "Ab_-" * 21 + "xy"
    assert drop_badge_signatures(wide(f"SK1.A1001.1.{sig}"), scanned=True) == "SK1.A1001.1"
    assert drop_badge_signatures(wide(sig), scanned=True) == "…"
    # a note's full-width Chinese punctuation is not a payload: it stays as written
    assert drop_badge_signatures("（病假），见附件") == "（病假），见附件"


def test_roster_import_keys_a_full_width_staff_id_as_the_kiosk_reads_it(sqlite_url, home, tmp_path,
                                                                      capsys):
    assert kiosk(capsys, "init", "--db", sqlite_url, "--no-keys").code == 0
    handle = database.bind(sqlite_url)
    make_office(handle)
    handle.close()
    wide_file = Path(tmp_path / "wide.csv")
    wide_file.write_text("工号,姓名,部门\nｚ１０１,钱八,办公室\nＡ１００１,张三,办公室\n", encoding="utf-8")
    run = kiosk(capsys, "staff", "import", wide_file, "--json", "--db", sqlite_url)
    assert run.code == 0, run.out + run.err
    listed = {p["staff_id"]: p for p in kiosk(capsys, "staff", "list", "--json", "--db",
                                                 sqlite_url).json()}
    assert "z101" in listed and not any(not s.isascii() for s in listed)
    assert len(listed) == 6  # Ａ１００１ is the existing A1001, not a new person
    ascii_file = Path(tmp_path / "ascii.csv")
    ascii_file.write_text("工号,姓名,部门\nZ101,钱八,办公室\n", encoding="utf-8")
    again = kiosk(capsys, "staff", "import", ascii_file, "--json", "--db", sqlite_url)
    assert again.code == 0 and again.json().get("added", 0) == 0, again.out
    for typed in ("ｚ１０１", "Z101"):
        out = _signin(capsys, sqlite_url, typed)
        assert out["staff_id"].upper() == "Z101" and out["result"] in ("present", "already"), out


def test_a_card_number_typed_in_full_width_finds_its_holder(sqlite_url, home, capsys):
    assert kiosk(capsys, "init", "--db", sqlite_url, "--no-keys").code == 0
    handle = database.bind(sqlite_url)
    make_office(handle)
    handle.close()
    bind = kiosk(capsys, "card", "bind", "B2001", wide("0169552957"), "--db", sqlite_url)
    assert bind.code == 0, bind.out + bind.err
    out = _signin(capsys, sqlite_url, wide("3D2C1B0A"))
    assert (out["result"], out["staff_id"], out["method"]) == ("present", "B2001", "card")


def test_clean_input_keeps_ascii_untouched_and_folds_width():
    assert rules.clean_input(" A1001\r\n") == "A1001"
    assert rules.clean_input("ｚ１０１") == "z101"
    assert rules.normalise_staff_id("ｚ１０１") == "Z101"
    assert rules.clean_input(wide("SK1.A1.1.") + "①") == "SK1.A1.1.①"  # a badge: width only
