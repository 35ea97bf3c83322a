"""FINDINGS 27: following the README's Targets recipe dropped the default targets (a
``[[targets]]`` list replaces them). The README's block, pasted into a home's config.toml as the
README says, keeps the two defaults and adds the office's own."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk import config

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_targets_block_keeps_the_defaults(tmp_path):
    text = README.read_text(encoding="utf-8")
    section = text[text.index("**Targets.**"):text.index("**A month in progress.**")]
    [block] = re.findall(r"```toml\n(.*?)```", section, re.S)
    (tmp_path / "config.toml").write_text(block, encoding="utf-8")
    targets = config.load(home=tmp_path, environ={}).targets
    assert targets[:2] == config.DEFAULT_TARGETS
    assert [t.name for t in targets[2:]] == ["调研文章/学习体会", "个人自学学时"]
