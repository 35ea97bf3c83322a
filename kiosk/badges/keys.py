"""The badge signing key: made once on the admin's home, its public half published in the database.

The private key lives only in ``KIOSK_HOME/keys/badge_signing.pem`` (mode 0600, folder 0700) of
the home that made it; kiosks get the public half through the database (Setting
``badge_public_key``), so they can verify a badge but never mint one. A home whose database
already publishes another key gets no key of its own: two keys would silently split the office's
badges into two sets only one of which verifies.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from db import queries
from kiosk.badges.payload import public_key_from_text
from kiosk.i18n import t
from kiosk.private_file import write_private

PUBLIC_KEY_SETTING = "badge_public_key"
KEY_DIR = "keys"
KEY_FILE = "badge_signing.pem"


class SigningKeyMissing(Exception):
    """This home cannot mint badges; the message is translated and says why."""


def private_key_path(home: Path) -> Path:
    return Path(home) / KEY_DIR / KEY_FILE


def public_key_text(public_key: Ed25519PublicKey) -> str:
    """The form stored in the database: unpadded base64url of the 32 raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, first 16 bytes in hex groups — short enough to read aloud."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return ":".join(digest[i:i + 4] for i in range(0, 32, 4))


def load_signing_key(home: Path) -> Ed25519PrivateKey:
    """The private key of this home, or :class:`SigningKeyMissing` (no file, unreadable, not ours)."""
    path = private_key_path(home)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyMissing(t("keys.none_here", path=path)) from None
    except OSError:
        raise SigningKeyMissing(t("keys.unreadable", path=path)) from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise SigningKeyMissing(t("keys.unreadable", path=path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(t("keys.unreadable", path=path))
    return key


def published_key() -> Ed25519PublicKey | None:
    """The verify key the bound database publishes, or None."""
    return public_key_from_text(queries.get_setting(PUBLIC_KEY_SETTING))


def same_key(a: Ed25519PublicKey | None, b: Ed25519PublicKey | None) -> bool:
    return a is not None and b is not None and public_key_text(a) == public_key_text(b)


def write_private_key(home: Path, key: Ed25519PrivateKey) -> Path:
    """Write the key with mode 0600 (never readable by others, even for a moment), atomically."""
    path = private_key_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    write_private(path, pem)
    return path


def ensure_keypair(ctx, *, rotate: bool = False) -> str | None:
    """Make this home's key pair if absent and publish its public half; returns the fingerprint.

    Called by ``kiosk init`` and ``kiosk keys init`` (the database is bound and migrated).
    With ``rotate`` a new pair replaces both the home's key and the published one: every badge
    printed before stops verifying (``bad_signature``) until it is re-printed.
    """
    home = ctx.settings.home
    db = ctx.database()
    published = published_key()
    if rotate:
        key = Ed25519PrivateKey.generate()
        write_private_key(home, key)
        _publish(db, key.public_key())
        ctx.out(t("keys.rotated", fingerprint=fingerprint(key.public_key()),
                  path=private_key_path(home)))
        return fingerprint(key.public_key())
    path = private_key_path(home)
    if path.exists():
        try:
            key = load_signing_key(home)
        except SigningKeyMissing as exc:
            ctx.out(str(exc))
            return None
        public = key.public_key()
        if published is None:
            _publish(db, public)
            ctx.out(t("keys.published", fingerprint=fingerprint(public)))
        elif not same_key(published, public):
            ctx.out(t("keys.mismatch", home_fp=fingerprint(public), db_fp=fingerprint(published)))
            return None
        else:
            ctx.out(t("keys.present", fingerprint=fingerprint(public), path=path))
        return fingerprint(public)
    if published is not None:
        ctx.out(t("keys.published_elsewhere", fingerprint=fingerprint(published)))
        return None
    key = Ed25519PrivateKey.generate()
    write_private_key(home, key)
    _publish(db, key.public_key())
    ctx.out(t("keys.created", fingerprint=fingerprint(key.public_key()), path=path))
    return fingerprint(key.public_key())


def _publish(db, public: Ed25519PublicKey) -> None:
    with db.atomic():
        queries.set_setting(PUBLIC_KEY_SETTING, public_key_text(public))
