"""Writing one setting into a hand-edited config.toml keeps everything else as it was."""

from __future__ import annotations

import stat
import tomllib

import pytest

from kiosk.config_file import ConfigWriteError, write_setting

HAND_WRITTEN = """# door kiosk, east entrance
[kiosk]
id = "east-door"   # keep this comment
lang = "zh"

[sync]
interval = 10

[[targets]]
name = "年度学习学时"
required = 50
"""


def test_replaces_only_the_one_line(home):
    (home / "config.toml").write_text(HAND_WRITTEN, encoding="utf-8")
    write_setting(home, "kiosk", "lang", "en")
    text = (home / "config.toml").read_text(encoding="utf-8")
    assert text == HAND_WRITTEN.replace('lang = "zh"', 'lang = "en"')
    assert stat.S_IMODE((home / "config.toml").stat().st_mode) == 0o600


def test_adds_keys_and_tables(home):
    (home / "config.toml").write_text(HAND_WRITTEN, encoding="utf-8")
    write_setting(home, "sync", "central", 'postgresql://k:p"w@db/x')
    write_setting(home, "office", "name", "市政府办公室")
    data = tomllib.loads((home / "config.toml").read_text(encoding="utf-8"))
    assert data["sync"] == {"central": 'postgresql://k:p"w@db/x', "interval": 10}
    assert data["office"]["name"] == "市政府办公室" and data["kiosk"]["id"] == "east-door"
    assert data["targets"][0]["required"] == 50


def test_fresh_home_and_a_broken_file(home):
    write_setting(home, "kiosk", "lang", "en")
    assert tomllib.loads((home / "config.toml").read_text(encoding="utf-8")) == {"kiosk": {"lang": "en"}}
    (home / "config.toml").write_text("[kiosk\nbroken", encoding="utf-8")
    with pytest.raises(ConfigWriteError):
        write_setting(home, "kiosk", "lang", "zh")
    assert (home / "config.toml").read_text(encoding="utf-8") == "[kiosk\nbroken"
