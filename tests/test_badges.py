"""Signed QR badges end to end: keys made by ``kiosk init``, badges printed by ``kiosk badge make``,
decoded by an independent decoder (zxing-cpp), verified and signed in by the desk; revocation,
forgeries, QR-only kiosks, and a kiosk home that holds only the public key."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from db import database
from db.models import SignInEvent, Staff
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from kiosk.badges import keys
from kiosk.badges import payload as badge_payload
from kiosk.cli import main
from kiosk.desk import SignInDesk
from tests.conftest import make_office, wall

TZ = ZoneInfo("Asia/Shanghai")


def run_kiosk(capsys, *argv: str) -> tuple[int, str, str]:
    """``kiosk ARGV`` in this process: (exit code, stdout, stderr)."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def home_url(home: Path) -> str:
    return f"sqlite:///{(home / 'kiosk.db').resolve()}"


@pytest.fixture
def admin(home, capsys):
    """An admin home after ``kiosk init`` with the small office; the models stay bound to it."""
    code, out, _ = run_kiosk(capsys, "init", "--lang", "en")
    assert code == 0 and "Badge signing key created" in out
    handle = database.bind(home_url(home))
    make_office(handle)
    yield handle
    handle.close()


def rebind(home: Path):
    """The CLI closes its connection when it returns; bind the models again for direct checks."""
    return database.bind(home_url(home))


def decode_png(path: Path) -> str:
    results = zxingcpp.read_barcodes(Image.open(path), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(results) == 1, path
    return results[0].text


def desk(handle, **kw) -> SignInDesk:
    return SignInDesk(handle, kiosk_id="door-1", tz=TZ, **kw)


# -- keys ---------------------------------------------------------------------------------------

def test_init_keeps_private_key_0600_in_home_and_publishes_public_key(admin, home, capsys):
    path = home / "keys" / "badge_signing.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    private = keys.load_signing_key(home)
    assert keys.published_key() is not None
    assert keys.same_key(keys.published_key(), private.public_key())
    before = path.read_bytes()
    code, out, _ = run_kiosk(capsys, "init", "--lang", "en")  # idempotent: same key, no new one
    assert code == 0 and "present" in out and path.read_bytes() == before
    code, out, _ = run_kiosk(capsys, "keys", "show", "--lang", "en")
    assert code == 0 and keys.fingerprint(private.public_key()) in out and str(path) in out
    assert "matches" in out


def test_init_publishes_an_existing_home_key_to_a_fresh_database(home, tmp_path, capsys):
    assert run_kiosk(capsys, "init")[0] == 0
    fp = keys.fingerprint(keys.load_signing_key(home).public_key())
    other = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, out, _ = run_kiosk(capsys, "init", "--db", other, "--lang", "en")
    assert code == 0 and f"Published this home's badge verify key to the database (fingerprint {fp})" in out
    database.bind(other)
    assert keys.fingerprint(keys.published_key()) == fp


# -- payload → PNG → independent decoder → sign-in, for many people ----------------------------

def test_png_badges_decode_to_the_payload_and_sign_in(admin, home, tmp_path, capsys):
    with admin.atomic():
        upsert_staff([StaffRecord(f"M{i:04d}", f"M{i:04d}", f"员工{i}号", "宣传部") for i in range(60)])
        upsert_staff([StaffRecord("X-1.B_2", "x-1.b_2", "Lower Case", "宣传部")])
        session = add_session({"title": "专题报告会", "kind": "lecture", "start": wall("2026-11-28 19:00"),
                               "end": wall("2026-11-28 21:00")}, [("dept", "宣传部")])
    out_dir = tmp_path / "png"
    code, out, err = run_kiosk(capsys, "badge", "make", "--department", "宣传部", "--out", str(out_dir),
                               "--format", "png", "--lang", "en")
    assert code == 0, err
    assert "Making badges 61/61" in err  # progress for a large roster
    files = sorted(out_dir.glob("*.png"))
    assert len(files) == 61 and (out_dir / "x-1.b_2.png").exists()
    decoded = {}
    for path in files:
        text = decode_png(path)
        code, printed, _ = run_kiosk(capsys, "badge", "payload", path.stem)
        assert code == 0 and text == printed.strip()
        decoded[path.stem] = text
    handle = rebind(home)
    d = desk(handle)
    for staff_id, text in decoded.items():
        outcome = d.sign_in(text + "\r\n", at=wall("2026-11-28 18:55"))
        assert (outcome.result, outcome.staff_id, outcome.session_id, outcome.method) == (
            "present", staff_id, session, "qr")
    assert SignInEvent.select().where(SignInEvent.method == "qr",
                                      SignInEvent.result == "present").count() == 61
    # and through the command line, like a scanner feeding `kiosk signin`
    code, out, _ = run_kiosk(capsys, "signin", decoded["M0001"], "--at", "2026-11-28 19:30", "--json")
    assert code == 0 and '"result": "already"' in out and '"method": "qr"' in out


def test_make_refuses_unknown_ids_and_empty_selections(admin, tmp_path, capsys):
    code, _, err = run_kiosk(capsys, "badge", "make", "A1001", "NOPE9", "--out", str(tmp_path / "o"),
                             "--lang", "en")
    assert code == 1 and err.strip() == "Unknown staff ID: NOPE9"
    assert not (tmp_path / "o").exists()
    code, _, err = run_kiosk(capsys, "badge", "make", "--department", "无此部门", "--out",
                             str(tmp_path / "o"), "--lang", "en")
    assert code == 1 and "No such department" in err
    code, _, err = run_kiosk(capsys, "badge", "payload", "NOPE9", "--lang", "en")
    assert code == 1 and "Unknown staff ID: NOPE9" in err and "Traceback" not in err
    code, _, err = run_kiosk(capsys, "badge", "make", "--out", "-", "--format", "png")
    assert code == 2


def test_make_selected_ids_and_all_active(admin, tmp_path, capsys):
    code, _, _ = run_kiosk(capsys, "badge", "make", "a1001", "B2001", "--out", str(tmp_path / "two"),
                           "--format", "svg")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == ["A1001.svg", "B2001.svg"]
    code, _, _ = run_kiosk(capsys, "badge", "make", "--out", str(tmp_path / "all"))
    assert code == 0  # default format png; the inactive C3001 gets none
    assert sorted(p.stem for p in (tmp_path / "all").iterdir()) == ["A1001", "A1002", "B2001", "B2002"]


# -- revocation, forgeries, alterations ---------------------------------------------------------

def test_revoked_badge_is_refused_and_the_new_one_works_at_once(admin, home, capsys):
    old = run_kiosk(capsys, "badge", "payload", "A1001")[1].strip()
    before = Staff.get_by_id("A1001").updated_at
    code, out, _ = run_kiosk(capsys, "badge", "revoke", "a1001", "--lang", "en")
    assert code == 0 and "version 1 → 2" in out
    new = run_kiosk(capsys, "badge", "payload", "A1001")[1].strip()
    assert new != old and new.startswith("SK1.A1001.2.")
    handle = rebind(home)
    row = Staff.get_by_id("A1001")
    assert row.badge_version == 2 and row.updated_at > before
    audit = SignInEvent.get(SignInEvent.result == "badge_revoked")
    assert (audit.method, audit.staff_key) == ("manual", "A1001")
    d = desk(handle)
    refused = d.sign_in(old, at=wall("2026-11-28 08:50"))
    assert (refused.result, refused.reason, refused.staff_id) == ("rejected", "revoked_badge", "A1001")
    assert d.sign_in(new, at=wall("2026-11-28 08:51")).result == "present"
    assert d.sign_in(old, at=wall("2026-11-28 08:52")).reason == "revoked_badge"  # not "already"
    code, _, err = run_kiosk(capsys, "badge", "revoke", "NOPE9", "--lang", "en")
    assert code == 1 and "Unknown staff ID" in err


def test_forged_and_altered_badges_are_refused_before_already(admin, home):
    good = badge_payload.sign(keys.load_signing_key(home), "A1001", 1)
    forged = badge_payload.sign(Ed25519PrivateKey.generate(), "A1001", 1)
    d = desk(admin)
    assert d.sign_in(good, at=wall("2026-11-28 08:50")).result == "present"
    out = d.sign_in(forged, at=wall("2026-11-28 08:51"))
    assert (out.result, out.reason) == ("rejected", "bad_signature")
    body, sig = good.rsplit(".", 1)
    altered = [good.replace("A1001", "A1002"), good.replace("SK1.", "sk1."), good.replace("A1001", "a1001"),
               good.replace(".1.", ".01."), good.replace(".1.", ".2."), body + "." + sig[::-1], good[:-1],
               good + "A", "SK1.A1001.1"]
    for text in altered:
        assert d.sign_in(text, at=wall("2026-11-28 08:52")).reason == "bad_signature", text
    events = list(SignInEvent.select().where(SignInEvent.reason == "bad_signature"))
    assert len(events) == len(altered) + 1 and all(e.method == "qr" for e in events)


def test_verify_key_rotation_invalidates_old_badges(admin, home, capsys):
    old = run_kiosk(capsys, "badge", "payload", "A1001")[1].strip()
    code, out, _ = run_kiosk(capsys, "keys", "init", "--rotate", "--lang", "en")
    assert code == 0 and "rotated" in out
    new = run_kiosk(capsys, "badge", "payload", "A1001")[1].strip()
    handle = rebind(home)
    d = desk(handle)
    assert d.sign_in(old, at=wall("2026-11-28 08:50")).reason == "bad_signature"
    assert d.sign_in(new, at=wall("2026-11-28 08:51")).result == "present"


def test_a_home_key_that_differs_from_the_database_is_never_used_or_published(admin, home, capsys):
    published = keys.published_key()
    keys.write_private_key(home, Ed25519PrivateKey.generate())  # e.g. a restored old backup
    code, out, _ = run_kiosk(capsys, "init", "--lang", "en")
    assert code == 0 and "does not match" in out
    rebind(home)
    assert keys.same_key(keys.published_key(), published)
    code, _, err = run_kiosk(capsys, "badge", "payload", "A1001", "--lang", "en")
    assert code == 1 and "does not match" in err
    code, out, _ = run_kiosk(capsys, "keys", "show", "--lang", "en")
    assert code == 0 and "does NOT match" in out


# -- a kiosk home that only holds the public key ------------------------------------------------

def test_public_key_only_home_verifies_but_cannot_mint(admin, home, tmp_path, capsys, monkeypatch):
    central = home_url(home)
    private_pem = (home / "keys" / "badge_signing.pem").read_bytes()
    raw_private = keys.load_signing_key(home).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    payload_text = run_kiosk(capsys, "badge", "payload", "B2001")[1].strip()
    kiosk_home = tmp_path / "kiosk-home"
    kiosk_home.mkdir()
    monkeypatch.setenv("KIOSK_HOME", str(kiosk_home))
    monkeypatch.setenv("KIOSK_DB", central)
    code, out, _ = run_kiosk(capsys, "init", "--lang", "en")
    assert code == 0 and "made on another home" in out
    assert not (kiosk_home / "keys" / "badge_signing.pem").exists()
    for argv in (["badge", "payload", "B2001"], ["badge", "make", "--out", str(tmp_path / "x")]):
        code, out, err = run_kiosk(capsys, *argv, "--lang", "en")
        assert code == 1 and out == "" and "has no badge signing key" in err
    code, out, _ = run_kiosk(capsys, "keys", "show", "--lang", "en")
    assert code == 0 and "holds no badge signing key" in out
    code, out, _ = run_kiosk(capsys, "signin", payload_text, "--at", "2026-11-28 08:55", "--json")
    assert code == 0 and '"result": "present"' in out
    code, _, err = run_kiosk(capsys, "keys", "init", "--lang", "en")
    assert code == 1 and not (kiosk_home / "keys" / "badge_signing.pem").exists()
    secrets = [private_pem, raw_private, base64.b64encode(raw_private),
               base64.urlsafe_b64encode(raw_private).rstrip(b"="), b"PRIVATE KEY"]
    for path in kiosk_home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s in data for s in secrets), path


# -- QR-only kiosks ---------------------------------------------------------------------------

def test_qr_only_desk_refuses_typed_ids_but_accepts_badges(admin, home, capsys):
    d = desk(admin, allow_typed_id=False)
    typed = d.sign_in("A1001", at=wall("2026-11-28 08:50"))
    assert (typed.result, typed.reason) == ("rejected", "typed_id_disabled")
    good = badge_payload.sign(keys.load_signing_key(home), "A1001", 1)
    assert d.sign_in(good, at=wall("2026-11-28 08:51")).result == "present"
    (home / "config.toml").write_text("[kiosk]\nallow_typed_id = false\n", encoding="utf-8")
    code, out, _ = run_kiosk(capsys, "signin", "B2001", "--at", "2026-11-28 08:52", "--json")
    assert code == 1 and '"reason": "typed_id_disabled"' in out
    b2001 = run_kiosk(capsys, "badge", "payload", "B2001")[1].strip()
    code, out, _ = run_kiosk(capsys, "signin", b2001, "--at", "2026-11-28 08:52", "--json")
    assert code == 0 and '"result": "present"' in out


def test_payload_length_and_format(admin, home):
    text = badge_payload.sign(keys.load_signing_key(home), "A1001", 1)
    prefix, staff_id, version, sig = text.split(".")
    assert (prefix, staff_id, version, len(sig)) == ("SK1", "A1001", "1", 86)
    assert len(text) == 98 and text.isascii() and text.isprintable()
    longest = badge_payload.sign(keys.load_signing_key(home), "Z" * 32, 999_999_999)
    assert len(longest) == 133 <= 200
    assert os.path.basename(keys.private_key_path(home)) == "badge_signing.pem"


def test_keys_publish_and_badges_verify_on_every_engine(any_url, home, capsys):
    code, out, err = run_kiosk(capsys, "init", "--db", any_url, "--lang", "en")
    assert code == 0 and "Badge signing key created" in out, err
    handle = database.bind(any_url)
    make_office(handle)
    code, text, _ = run_kiosk(capsys, "badge", "payload", "B2002", "--db", any_url)
    assert code == 0
    assert run_kiosk(capsys, "init", "--db", any_url, "--lang", "en")[1].count("present") == 1
    handle = database.bind(any_url)
    assert desk(handle).sign_in(text.strip(), at=wall("2026-11-28 08:58")).result == "present"
    handle.close()
