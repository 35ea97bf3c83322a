"""The badge payload: ``SK1.<staff_id>.<version>.<signature>`` in printable ASCII.

The signature is Ed25519 over the exact printed text before it (``SK1.<staff_id>.<version>``),
encoded as unpadded base64url (86 characters). Signing the printed bytes (not a normalised form)
means no alteration at all — a lower-cased prefix or ID, a version with a leading zero — still
verifies. A kiosk holds only the public key, so it can verify a badge but never mint one.
Length: 4 + len(staff_id) + 1 + len(version) + 1 + 86, i.e. 98 for ``A1001`` version 1 and at most
133 (32-character ID, 9-digit version); a QR code of version 6 (7 at most) at level M holds it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from kiosk.rules import is_valid_staff_id, normalise_staff_id

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~1.5 ms of `kiosk signin`)
if TYPE_CHECKING:  # cryptography (~10 ms) loads on the first badge, not with every `kiosk` command
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

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


def _message(staff_id: str, version: int) -> bytes:
    """The signed bytes: the payload as printed, up to (not including) the signature's dot."""
    return f"{PREFIX}{staff_id}.{version}".encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign(private_key: Ed25519PrivateKey, staff_id: str, version: int) -> str:
    """Mint the payload for a person's current badge version (admin home only)."""
    staff_id = staff_id.strip()
    if not is_valid_staff_id(staff_id) or not 0 <= version <= 999_999_999:
        raise ValueError("staff ID or badge version out of range")
    return f"{PREFIX}{staff_id}.{version}.{_b64(private_key.sign(_message(staff_id, version)))}"


def parse(text: str) -> tuple[str, int, bytes]:
    """Split a payload into (staff ID as printed, version, signature) or raise ``bad_signature``."""
    if not text.startswith(PREFIX) or not text.isascii():
        raise BadgeError("bad_signature")
    body = text[len(PREFIX):]
    parts = body.rsplit(".", 2)
    if len(parts) != 3:
        raise BadgeError("bad_signature")
    staff_id, version_text, sig_text = parts
    if (not is_valid_staff_id(staff_id) or staff_id != staff_id.strip()
            or not version_text.isdigit() or len(version_text) > 9 or len(sig_text) != SIG_LEN
            or version_text != str(int(version_text))):  # one spelling of a number: no "01"
        raise BadgeError("bad_signature")
    try:
        signature = base64.urlsafe_b64decode(sig_text + "==")
    except (ValueError, TypeError):
        raise BadgeError("bad_signature") from None
    if len(signature) != 64 or _b64(signature) != sig_text:
        raise BadgeError("bad_signature")
    return staff_id, int(version_text), signature


def verify(text: str, public_key: Ed25519PublicKey | None) -> BadgeClaim:
    """Check the signature; the caller then checks the version against the roster."""
    staff_id, version, signature = parse(text)
    if public_key is None:
        raise BadgeError("bad_signature")
    try:
        public_key.verify(signature, _message(staff_id, version))
    except _invalid_signature():
        raise BadgeError("bad_signature") from None
    return BadgeClaim(normalise_staff_id(staff_id), version)


def _invalid_signature() -> type[Exception]:
    from cryptography.exceptions import InvalidSignature

    return InvalidSignature


def public_key_from_text(text: str | None) -> Ed25519PublicKey | None:
    """The verify key as stored in the database (base64url of the 32 raw bytes)."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None
