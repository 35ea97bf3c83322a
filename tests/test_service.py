"""``kiosk service``: the systemd units, checked by systemd's own ``systemd-analyze verify``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli_runner import kiosk

ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


def settings_of(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def verify(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ANALYZE, "verify", *map(str, paths)], capture_output=True, text=True,
                          timeout=60, cwd=paths[0].parent)


def test_unit_runs_the_kiosk_on_the_vt_as_an_ordinary_user_and_always_restarts(capsys, home):
    run = kiosk(capsys, "service", "unit", "--tty", "7", "--user", "kiosk")
    assert run.code == 0, run.err
    unit = settings_of(run.out)
    assert unit["TTYPath"] == ["/dev/tty7"] and unit["StandardInput"] == ["tty"]
    assert unit["User"] == ["kiosk"] and unit["Restart"] == ["always"]
    assert "network-online.target" in unit["After"][0] and unit["Wants"] == ["network-online.target"]
    assert unit["Conflicts"] == ["getty@tty7.service"]  # the login prompt gives the VT up
    command = unit["ExecStart"][0].split()
    assert command[-1] == "run" and Path(command[0]).exists()
    assert f"KIOSK_HOME={home.resolve()}" in unit["Environment"][0]
    assert unit["WantedBy"] == ["multi-user.target"]


def test_never_root_and_the_vt_must_exist(capsys, home):
    run = kiosk(capsys, "service", "unit", "--user", "root", "--lang", "en")
    assert run.code == 2 and "not run as root" in run.err
    assert kiosk(capsys, "service", "unit", "--tty", "0", "--user", "kiosk").code == 2
    assert kiosk(capsys, "service", "unit", "--tty", "64", "--user", "kiosk").code == 2


@needs_systemd
def test_installed_units_pass_systemd_analyze_verify(capsys, home, tmp_path):
    run = kiosk(capsys, "service", "install", "--tty", "3", "--user", "kiosk", "--dir", str(tmp_path),
                "--lang", "en")
    assert run.code == 0, run.err
    paths = [tmp_path / n for n in
             ("study-kiosk.service", "study-kiosk-backup.service", "study-kiosk-backup.timer")]
    assert all(p.exists() for p in paths)
    done = verify(*paths)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    commands = [line.strip() for line in run.out.splitlines() if "systemctl" in line]
    assert commands == ["sudo systemctl daemon-reload",
                        "sudo systemctl enable --now study-kiosk.service study-kiosk-backup.timer"]
    backup = settings_of(paths[1].read_text())
    assert backup["ExecStart"][0].endswith(" backup") and backup["User"] == ["kiosk"]
    assert settings_of(paths[2].read_text())["Persistent"] == ["true"]
    broken = tmp_path / "broken.service"  # the verifier is not a rubber stamp
    broken.write_text(paths[0].read_text().replace("StandardInput=tty", "StandardInput=sometimes"))
    assert "input specifier" in verify(broken).stderr


def test_install_where_it_cannot_write_says_sudo(capsys, home, tmp_path):
    run = kiosk(capsys, "service", "install", "--user", "kiosk", "--dir", str(tmp_path / "none"),
                "--lang", "en")
    assert run.code == 1 and "sudo" in run.err
