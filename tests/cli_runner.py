"""Run the real ``kiosk`` entry point in-process and capture its exit code and output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kiosk.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)

    def jsonl(self):
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def kiosk(capsys, *argv: str) -> Run:
    capsys.readouterr()
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def init_office(capsys, url: str, folder: Path, roster: str) -> str:
    """``kiosk init`` on ``url``, then the roster CSV ``roster`` imported (from
    ``folder``/roster.csv), both through the entry point; returns ``url``."""
    assert kiosk(capsys, "init", "--db", url, "--no-keys").code == 0
    path = folder / "roster.csv"
    path.write_text(roster, encoding="utf-8")
    run = kiosk(capsys, "staff", "import", path, "--db", url)
    assert run.code == 0, run.err
    return url
