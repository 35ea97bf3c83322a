"""``kiosk --help`` speaks zh (the default language) and en, through the real entry point."""

from __future__ import annotations

from tests.cli_runner import kiosk


def test_top_level_help_in_chinese_by_default(capsys):
    run = kiosk(capsys, "--help")
    assert run.code == 0
    assert run.out.startswith("用法:kiosk")
    for words in ("命令", "选项", "显示本帮助并退出", "管理台", "人员名单", "学习考勤签到机"):
        assert words in run.out, words
    assert "show this help message" not in run.out


def test_help_in_english_with_lang(capsys):
    run = kiosk(capsys, "--lang", "en", "--help")
    assert run.out.startswith("usage: kiosk") and "show this help message and exit" in run.out
    assert "the admin's console" in run.out and "管理台" not in run.out


def test_a_command_s_own_help_in_chinese(capsys, monkeypatch):
    run = kiosk(capsys, "session", "cancel", "--help")
    assert run.code == 0 and run.out.startswith("用法:kiosk session cancel")
    assert "参数" in run.out and "数据库地址" in run.out
    sub = kiosk(capsys, "session", "--help")
    assert "取消学习(保留并标明,不计入报表)" in sub.out
    monkeypatch.setenv("KIOSK_LANG", "en")
    assert "cancel a session" in kiosk(capsys, "session", "--help").out


def test_usage_errors_keep_argparse_words(capsys):
    run = kiosk(capsys, "session", "add", "--title", "x")
    assert run.code == 2 and "用法" not in run.err
