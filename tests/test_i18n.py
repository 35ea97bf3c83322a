"""The one translation table: every string in both languages with the same placeholders."""

from __future__ import annotations

import string

from kiosk import i18n


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_zh_and_en_with_the_same_placeholders():
    table = i18n._assemble()
    assert len(table) > 300
    for key, (zh, en) in table.items():
        assert zh.strip() and en.strip(), key
        assert placeholders(zh) == placeholders(en), key


def test_lookup_reaches_every_catalogue_and_falls_back_to_the_key():
    assert i18n.t("kind.lecture", lang="zh") == "专题报告会"
    assert i18n.t("ui.app_title", lang="en") != "ui.app_title"  # a non-core catalogue
    assert i18n.t("no.such.key") == "no.such.key"


def test_language_from_environment_never_needs_an_installed_locale():
    env = i18n.language_from_environment
    assert env({"LANG": "fr_FR.UTF-8"}) == "zh"
    assert env({"LANG": "en_US.UTF-8"}) == "en"
    assert env({"LC_ALL": "zh_CN.GB18030", "LANG": "en_US"}) == "zh"
    assert env({"KIOSK_LANG": "en", "LANG": "zh_CN.UTF-8"}) == "en"
    assert env({}) == "zh"
