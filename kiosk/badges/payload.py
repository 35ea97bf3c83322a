"""The badge payload: ``SK1.<staff_id>.<version>.<signature>`` in printable ASCII.

The signature is Ed25519 over ``b"SK1|" + normalised staff id + b"|" + version``, encoded as
unpadded base64url (86 characters). A kiosk holds only the public key, so it can verify a badge
but never mint one. Total length: 4 + len(staff_id) + 1 + len(version) + 1 + 86 ≤ 126 characters.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.rules import is_valid_staff_id, normalise_staff_id

PREFIX = "SK1."
SIG_LEN = 86


class BadgeError(ValueError):
    """A badge that cannot be accepted; ``reason`` is a SPEC reason code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BadgeClaim:
    staff_key: str
    version: int


def looks_like_badge(text: str) -> bool:
    """True for anything that claims to be a badge (so it is judged as one, never as an ID)."""
    return text[:4].upper() == PREFIX


def _message(staff_key: str, version: int) -> bytes:
    return f"SK1|{staff_key}|{version}".encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign(private_key: Ed25519PrivateKey, staff_id: str, version: int) -> str:
    """Mint the payload for a person's current badge version (admin home only)."""
    key = normalise_staff_id(staff_id)
    signature = private_key.sign(_message(key, version))
    return f"{PREFIX}{staff_id.strip()}.{version}.{_b64(signature)}"


def parse(text: str) -> tuple[str, int, bytes]:
    """Split a payload into (staff key, version, signature) or raise ``bad_signature``."""
    if not looks_like_badge(text) or not text.isascii():
        raise BadgeError("bad_signature")
    body = text[len(PREFIX):]
    parts = body.rsplit(".", 2)
    if len(parts) != 3:
        raise BadgeError("bad_signature")
    staff_id, version_text, sig_text = parts
    if (not is_valid_staff_id(staff_id) or not version_text.isdigit() or len(version_text) > 9
            or len(sig_text) != SIG_LEN):
        raise BadgeError("bad_signature")
    try:
        signature = base64.urlsafe_b64decode(sig_text + "==")
    except (ValueError, TypeError):
        raise BadgeError("bad_signature") from None
    if len(signature) != 64 or _b64(signature) != sig_text:
        raise BadgeError("bad_signature")
    return normalise_staff_id(staff_id), int(version_text), signature


def verify(text: str, public_key: Ed25519PublicKey | None) -> BadgeClaim:
    """Check the signature; the caller then checks the version against the roster."""
    staff_key, version, signature = parse(text)
    if public_key is None:
        raise BadgeError("bad_signature")
    try:
        public_key.verify(signature, _message(staff_key, version))
    except InvalidSignature:
        raise BadgeError("bad_signature") from None
    return BadgeClaim(staff_key, version)


def public_key_from_text(text: str | None) -> Ed25519PublicKey | None:
    """The verify key as stored in the database (base64url of the 32 raw bytes)."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None
