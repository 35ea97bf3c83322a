"""Writing one setting into ``KIOSK_HOME/config.toml`` while keeping the rest of the file as is.

The config is hand-edited by admins, so it is never regenerated: the one ``key = "value"`` line
under ``[table]`` is replaced or added, the result is parsed back to prove it says what was meant,
and the file is replaced atomically with mode 0600 (it may hold the centre's password).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kiosk.config import CONFIG_FILE
from kiosk.private_file import write_private


class ConfigWriteError(OSError):
    """config.toml could not be read, understood or written; nothing was changed."""


def toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c >= " " else f"\\u{ord(c):04x}" for c in escaped) + '"'


def write_setting(home: Path, table: str, key: str, value: str) -> Path:
    """Set ``[table] key = "value"`` in the home's config.toml; returns the file's path."""
    path = home / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError):
        raise ConfigWriteError(str(path)) from None
    new = _with_setting(text, table, key, value)
    try:
        if tomllib.loads(new).get(table, {}).get(key) != value:
            raise ConfigWriteError(str(path))
    except tomllib.TOMLDecodeError:
        raise ConfigWriteError(str(path)) from None
    try:
        write_private(path, new.encode("utf-8"))
    except OSError:
        raise ConfigWriteError(str(path)) from None
    return path


def _with_setting(text: str, table: str, key: str, value: str) -> str:
    line = f"{key} = {toml_string(value)}\n"
    header = re.search(rf"^\[{re.escape(table)}\][ \t]*(#.*)?$", text, flags=re.M)
    if header is None:
        sep = "\n" if text and not text.endswith("\n") else ""
        return text + sep + ("\n" if text else "") + f"[{table}]\n" + line
    body_start = text.find("\n", header.end())
    body_start = len(text) if body_start < 0 else body_start + 1
    next_table = re.search(r"^\s*\[", text[body_start:], flags=re.M)
    body_end = body_start + next_table.start() if next_table else len(text)
    body = text[body_start:body_end]
    existing = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=.*$\n?", body, flags=re.M)
    if existing:
        body = body[:existing.start()] + line + body[existing.end():]
    else:
        body = line + body
    head = text[:body_start] + ("" if text[:body_start].endswith("\n") else "\n")
    return head + body + text[body_end:]
