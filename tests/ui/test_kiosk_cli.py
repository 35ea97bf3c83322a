"""``kiosk run`` as a command: refuses cleanly without a terminal or with an empty ``--camera``, and
the other commands never load Textual."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.cli_runner import kiosk


def test_signin_never_imports_textual(db, home):
    code = ("import sys\nfrom kiosk.cli import main\ntry:\n    main(['signin', 'Z9999'])\n"
            "except SystemExit:\n    pass\nprint('textual' in sys.modules)")
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_DB": f"sqlite:///{db.database}"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_run_without_a_terminal_says_so(capsys, db, home, monkeypatch):
    monkeypatch.setenv("KIOSK_DB", f"sqlite:///{db.database}")
    result = kiosk(capsys, "run", "--lang", "en")
    assert result.code == 1 and "needs a terminal" in result.err and "Traceback" not in result.err


def test_run_with_a_bad_camera_value(capsys, db, home, monkeypatch):
    monkeypatch.setenv("KIOSK_DB", f"sqlite:///{db.database}")
    result = kiosk(capsys, "run", "--camera", " ", "--lang", "en")
    assert result.code == 2 and "--camera" in result.err


def test_run_on_an_uninitialised_database(capsys, home, tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    result = kiosk(capsys, "run", "--lang", "en")
    assert result.code == 1 and "kiosk init" in result.err
