"""Who this door is: a unique, stable ``[kiosk] id`` and a per-home install id (FINDINGS #34).

Every home used to be "kiosk-1" unless its admin said otherwise, so two doors synced from one
centre shared one fleet row, and "already signed in at 08:57 (kiosk-1)" named no door. Now the
first ``kiosk run`` or ``kiosk sync --central`` of a home that names no id writes one into its
config.toml: the host's name plus four hex digits of the home's install id, e.g. ``lobby-pc-3f9a``
(stable: the same home always derives the same id; an admin may rename it at any time).

The install id is a random UUID kept in ``KIOSK_HOME/install-id`` (0600), never in config.toml,
which admins copy from door to door. It travels with the fleet row, so the centre sees two homes
claiming one kiosk id (``duplicate_id`` in ``kiosk fleet``) however the id was set.
"""

from __future__ import annotations

import logging
import re
import socket
import uuid
from pathlib import Path

from kiosk.config import Settings
from kiosk.private_file import write_private

INSTALL_FILE = "install-id"
log = logging.getLogger("kiosk.identity")


def install_id(home: Path) -> str:
    """This home's install id, created on first use; "" when the home cannot keep one."""
    path = home / INSTALL_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
        return str(uuid.UUID(text))
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    new = str(uuid.uuid4())
    try:
        write_private(path, (new + "\n").encode("ascii"))
    except OSError:
        return ""  # a read-only home: no claim to make (the fleet row carries none)
    return new


def derived_id(home: Path, hostname: str | None = None) -> str:
    """``<host>-<4 hex>``: letters, digits and dashes only, at most 64 characters."""
    host = re.sub(r"[^A-Za-z0-9-]+", "-", (hostname or socket.gethostname()).split(".")[0])
    host = host.strip("-")[:40] or "kiosk"
    suffix = (install_id(home) or uuid.uuid4().hex).replace("-", "")[:4]
    return f"{host.lower()}-{suffix}"


def has_own_id(settings: Settings) -> bool:
    kiosk = settings.raw.get("kiosk")
    return isinstance(kiosk, dict) and "id" in kiosk


def ensure_kiosk_id(settings: Settings, given: str | None = None, *,
                    write: bool = True) -> Settings:
    """``settings`` with this door's own id: the one given on the command line or in config.toml,
    else a new one, written to config.toml's ``[kiosk] id`` (kept for every later start) unless
    ``write`` is False (then :func:`remember_id` writes it once the caller knows it should)."""
    if given or has_own_id(settings):
        return settings
    new = derived_id(settings.home)
    settings = settings.with_overrides(kiosk_id=new)
    return remember_id(settings) if write else settings


def remember_id(settings: Settings) -> Settings:
    """Write ``settings.kiosk_id`` as config.toml's ``[kiosk] id`` if the file names none."""
    if has_own_id(settings):
        return settings
    # (imported here: a door that has its id, every start after the first, never writes it)
    from kiosk.config_file import ConfigWriteError, write_setting

    new = settings.kiosk_id
    try:
        write_setting(settings.home, "kiosk", "id", new)
    except ConfigWriteError as exc:
        log.warning("kiosk id %s not remembered in %s", new, exc)
        return settings
    log.info("this kiosk's id is now %s (config.toml [kiosk] id)", new)
    raw = {**settings.raw, "kiosk": {**settings.raw.get("kiosk", {}), "id": new}}
    return settings.with_overrides(raw=raw)
