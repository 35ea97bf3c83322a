"""argparse's usage errors in the user's language (finding 21): one line, exit 2, option names
and values kept as typed; English with --lang en or KIOSK_LANG=en."""

from __future__ import annotations

import pytest

from tests.cli_runner import kiosk

CASES = [  # (argv, the Chinese line after "kiosk …: ")
    (("staff", "list", "--jsn"), "无法识别的参数:--jsn(加 --help 查看可用的选项)"),
    (("session", "add", "--title", "x"), "缺少必填的参数:--kind, --start, --end"),
    (("service", "unit", "--tty", "x"), "参数 --tty 须为整数,而不是 'x'"),
    (("report", "monthly", "--format", "bogus"), "参数 --format 的取值 'bogus' 无效,可选:'csv'"),
    (("servic",), "没有命令 'servic';可用的命令:'init'"),
    (("staff", "list", "--db"), "参数 --db 后须跟一个值"),
]


@pytest.mark.parametrize(("argv", "line"), CASES)
def test_usage_errors_in_chinese(capsys, home, argv, line):
    run = kiosk(capsys, *argv)
    assert run.code == 2 and run.out == ""
    assert run.err.count("\n") == 1 and line in run.err, run.err
    assert "argument" not in run.err and "required" not in run.err


def test_usage_errors_in_english(capsys, home, monkeypatch):
    run = kiosk(capsys, "staff", "list", "--jsn", "--lang", "en")
    assert run.code == 2
    assert run.err == "kiosk: unrecognized arguments: --jsn (add --help to see the options)\n"
    monkeypatch.setenv("KIOSK_LANG", "en")
    run = kiosk(capsys, "session", "add", "--title", "x")
    assert run.err == "kiosk session add: the following arguments are required: --kind, --start, --end\n"


def test_a_mistyped_url_in_a_usage_error_still_hides_its_password(capsys, home):
    run = kiosk(capsys, "staff", "list", "--db", "postgresql://u:s3cret@h/db", "--bogus")
    assert run.code == 2 and "s3cret" not in run.err and "无法识别的参数" in run.err
