"""A bad config.toml, and a database path whose folder is missing, each get one line a person
can act on, wholly in their language (finding 21): no English literal inside a Chinese line."""

from __future__ import annotations

import re

import pytest

from kiosk import config
from kiosk.i18n import TABLE
from tests.cli_runner import kiosk

LATIN_WORDS = re.compile(r"\b(must|be|or|unknown|needs|not|a|of|list|table)\b")

BAD_CONFIGS = [  # (config.toml, words the Chinese line names)
    ('[cards]\nenabled = "maybe"\n', "cards.enabled 须为 true 或 false"),
    ("[cards]\nformats = []\n", "cards.formats 须为非空列表"),
    ('[cards]\nformats = ["bogus"]\n', "未知格式 bogus"),
    ('[kiosk]\ntimezone = "Mars/Base"\n', "未知时区 Mars/Base"),
    ("[sync]\ninterval = 0\n", "sync.interval 须为不小于 1 的数"),
    ('[office]\nname = "示范局\\u001b]0;x"\n', "office.name 的第 4 个字符是控制字符 \\x1b"),
    ("kiosk = 3\n", "[kiosk] 应为一节"),
    ("[kiosk\nid = 1\n", "第 1 行第 7 列格式有误"),
    ('[[targets]]\nname = "x"\n', "第 1 个 [[targets]]:须写 name 与 required"),
    ('[[targets]]\nname = "x"\nrequired = 1\nmetric = "pages"\n', "metric 须为 hours"),
    ('[[targets]]\nname = "x"\nrequired = 1\nwho = "me"\n', "who 须为"),
    ('[[targets]]\nname = "x"\nrequired = 1\nsources = ["moon"]\n', "sources 须为列表"),
]


@pytest.mark.parametrize(("text", "words"), BAD_CONFIGS)
def test_a_bad_setting_is_one_chinese_line(capsys, home, text, words):
    (home / "config.toml").write_text(text, encoding="utf-8")
    run = kiosk(capsys, "staff", "list")
    assert run.code == 1 and run.out == ""
    assert run.err.count("\n") == 1 and run.err.startswith("配置有误:"), run.err
    assert words in run.err, run.err
    assert not LATIN_WORDS.search(run.err.replace(str(home), "")), run.err  # no English left
    english = kiosk(capsys, "staff", "list", "--lang", "en")
    assert english.err.startswith("invalid configuration: ") and not re.search("[\u4e00-\u9fff]", english.err)


def test_backup_settings_are_translated_too(capsys, home):
    assert kiosk(capsys, "init").code == 0
    (home / "config.toml").write_text('[backup]\nkeep = "all"\ndaily = "yes"\n', encoding="utf-8")
    run = kiosk(capsys, "backup")
    assert run.code == 1 and "[backup] keep 须为不小于 1 的整数,而不是 'all'" in run.err, run.err
    (home / "config.toml").write_text("[backup]\ndaily = 1\n", encoding="utf-8")
    assert "backup.daily 须为 true 或 false" in kiosk(capsys, "backup").err


def test_a_config_file_that_is_not_utf8_says_so(capsys, home):
    (home / "config.toml").write_bytes("[office]\nname = '办公室'\n".encode("gbk"))
    run = kiosk(capsys, "staff", "list")
    assert run.code == 1 and "不是 UTF-8 编码" in run.err, run.err


def test_every_config_error_key_is_in_the_table():
    source = (config.__file__, config.__file__.replace("config.py", "backups.py"))
    keys = {k for path in source for k in re.findall(r'ConfigError\("([a-z_.]+)"', open(path).read())}
    assert keys and all(TABLE.get(k) for k in keys), keys - {k for k in keys if TABLE.get(k)}


def test_a_sqlite_database_in_a_missing_folder_is_named_as_such(capsys, home, tmp_path):
    missing = tmp_path / "nonexist" / "dir"
    run = kiosk(capsys, "staff", "list", "--db", f"sqlite:///{missing}/x.db")
    assert run.code == 1
    assert run.err == f"数据库所在的文件夹 {missing} 不存在:请检查 --db / KIOSK_DB 中的路径\n"
    assert not missing.exists()
    present = kiosk(capsys, "staff", "list", "--db", f"sqlite:///{tmp_path}/x.db")
    assert present.code == 1 and "尚未初始化" in present.err  # the folder is there: not initialised
