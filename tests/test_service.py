"""``kiosk service``: the systemd units, checked by systemd's own ``systemd-analyze verify``."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.cli_runner import kiosk

ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="hands a home over with chown: needs root")
KIOSK = str(Path(sys.executable).parent / "kiosk")


def _runnable_by_others(program: str) -> bool:
    """Another account can run ``program``: every folder above it searchable by others and the
    interpreter's tree readable (a venv inside a 0700 folder, e.g. a mktemp clone, is not)."""
    path = Path(program).resolve()
    folders = [*path.parents, *Path(sys.base_prefix).resolve().parents]
    return all(f.stat().st_mode & 0o001 for f in folders) and bool(path.stat().st_mode & 0o004)


as_another_user = pytest.mark.skipif(
    not _runnable_by_others(KIOSK),
    reason="the venv's kiosk lies where other accounts cannot reach it (a 0700 folder above it)")


def door_user() -> pwd.struct_passwd:
    """An existing ordinary account for the units: ourselves, or (as root) a system account."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    return next(e for e in pwd.getpwall() if 0 < e.pw_uid < 65534 and e.pw_name != "nobody")


@pytest.fixture
def open_dir():
    """A folder every user can enter (pytest's own tmp is 0700 root: no kiosk user gets in)."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-service-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def owners(folder: Path) -> set[int]:
    found = {folder.stat().st_uid}
    for entry in folder.rglob("*"):
        found.add(entry.lstat().st_uid)
    return found


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
    assert run.code == 1 and "not run as root" in run.err  # a value refused: validation, exit 1
    assert kiosk(capsys, "service", "unit", "--tty", "0", "--user", "kiosk").code == 1
    assert kiosk(capsys, "service", "unit", "--tty", "64", "--user", "kiosk").code == 1
    assert kiosk(capsys, "service", "unit", "--tty", "x", "--user", "kiosk").code == 2  # usage


def test_a_user_name_with_a_control_character_is_refused_without_echoing_it(capsys, home):
    for name in ("a\nExecStartPre=/bin/sh -c id", "k\x1b[2Jiosk", "kiosk\r"):
        run = kiosk(capsys, "service", "unit", "--user", name, "--lang", "en")
        assert run.code == 1 and run.out == ""
        assert run.err.count("\n") == 1 and "\x1b" not in run.err and "\r" not in run.err, run.err
        assert run.err.startswith("Invalid user name: ") and "\\x" in run.err


def test_service_help_is_translated(capsys, home):
    zh = kiosk(capsys, "service", "install", "--help")
    for words in ("虚拟终端号", "运行签到机的普通", "签到机的数据目录", "单元文件写到此处"):
        assert words in zh.out, words
    assert "virtual terminal" not in zh.out and "unprivileged" not in zh.out
    assert "把该单元和每日备份定时器" in kiosk(capsys, "service", "--help").out
    en = kiosk(capsys, "service", "unit", "--help", "--lang", "en")
    assert "the unprivileged user the kiosk runs as" in en.out and "虚拟终端" not in en.out
    assert "备份存放的文件夹" in kiosk(capsys, "backup", "--help").out


@pytest.mark.parametrize("command", [("run",), ("host",), ("demo",), ("init",), ("backup",),
                                     ("restore",), ("doctor",), ("service", "unit"),
                                     ("service", "install")])
def test_every_option_of_the_ops_commands_is_explained_in_chinese(capsys, home, command):
    import re

    run = kiosk(capsys, *command, "--help")
    assert run.code == 0
    english = [line for line in run.out.splitlines()
               if "kiosk " not in line and re.search(r"\b[a-z]{3,} [a-z]{2,} [a-z]{2,}\b", line)]
    assert english == [], english


@needs_systemd
def test_installed_units_pass_systemd_analyze_verify(capsys, open_dir, tmp_path):
    user = door_user().pw_name
    run = kiosk(capsys, "service", "install", "--tty", "3", "--user", user, "--dir", str(tmp_path),
                "--home", str(open_dir / "home"), "--lang", "en")
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
    assert backup["ExecStart"][0].endswith(" backup") and backup["User"] == [user]
    assert settings_of(paths[2].read_text())["Persistent"] == ["true"]
    broken = tmp_path / "broken.service"  # the verifier is not a rubber stamp
    broken.write_text(paths[0].read_text().replace("StandardInput=tty", "StandardInput=sometimes"))
    assert "input specifier" in verify(broken).stderr


def test_install_where_it_cannot_write_says_sudo(capsys, home, tmp_path):
    run = kiosk(capsys, "service", "install", "--user", "kiosk", "--dir", str(tmp_path / "none"),
                "--lang", "en")
    assert run.code == 1 and "sudo" in run.err


def test_install_refuses_a_user_that_does_not_exist(capsys, open_dir, tmp_path):
    units = open_dir / "units"
    units.mkdir()
    run = kiosk(capsys, "service", "install", "--user", "no-such-kiosk-user", "--dir", str(units),
                "--home", str(open_dir), "--lang", "en")
    assert run.code == 1 and "useradd --system --create-home no-such-kiosk-user" in run.err
    assert list(units.iterdir()) == []


@as_root
@as_another_user
def test_install_as_root_hands_a_root_owned_home_to_the_kiosk_user(capsys, open_dir, monkeypatch):
    """What `sudo kiosk init` then `sudo kiosk service install --user U` leaves (finding 24):
    a 0700 root home. The installer hands it over, says so, and U really opens the database."""
    home, units, user = open_dir / "door", open_dir / "units", door_user()
    units.mkdir()
    monkeypatch.setenv("KIOSK_HOME", str(home))
    assert kiosk(capsys, "init").code == 0
    assert owners(home) == {0} and home.stat().st_mode & 0o777 == 0o700
    run = kiosk(capsys, "service", "install", "--user", user.pw_name, "--dir", str(units), "--lang", "en")
    assert run.code == 0, run.err
    assert f"Handed the home {home} and its files over to {user.pw_name}" in run.out
    assert owners(home) == {user.pw_uid} and home.stat().st_mode & 0o777 == 0o700
    assert (home / "kiosk.db").stat().st_mode & 0o777 == 0o600
    as_user = subprocess.run(
        ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
         KIOSK, "staff", "list", "--json"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "KIOSK_HOME": str(home), "HOME": str(home)})
    assert as_user.returncode == 0 and as_user.stdout.strip() == "[]", as_user.stderr


@as_root
@as_another_user
def test_install_not_as_root_refuses_with_the_chown_line_and_writes_nothing(open_dir):
    """An installer without root cannot chown: one line naming the command, exit 1, no unit."""
    home, mine, user = open_dir / "door", open_dir / "installer", door_user()
    home.mkdir(mode=0o700)
    (home / "kiosk.db").write_bytes(b"")
    nobody = pwd.getpwnam("nobody")
    mine.mkdir()
    os.chown(mine, nobody.pw_uid, nobody.pw_gid)
    run = subprocess.run(
        ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
         KIOSK, "service", "install", "--user", user.pw_name, "--home", str(home), "--dir", str(mine),
         "--lang", "en"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "KIOSK_HOME": str(mine), "HOME": str(mine)})
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert f"run sudo chown -R {user.pw_name}:" in run.stderr and str(home) in run.stderr
    assert not any(p.suffix in (".service", ".timer") for p in mine.iterdir())
    assert owners(home) == {0}


@as_root
def test_a_home_behind_a_closed_folder_is_refused_even_as_root(capsys, open_dir):
    closed = open_dir / "private"
    closed.mkdir(mode=0o700)
    units = open_dir / "units"
    units.mkdir()
    run = kiosk(capsys, "service", "install", "--user", door_user().pw_name, "--home",
                str(closed / "home"), "--dir", str(units), "--lang", "en")
    assert run.code == 1 and f"cannot enter {closed}" in run.err and "--home" in run.err
    assert list(units.iterdir()) == [] and not (closed / "home").exists()
    printed = kiosk(capsys, "service", "unit", "--user", door_user().pw_name, "--home", str(closed / "home"))
    assert printed.code == 0 and "User=" in printed.out and "--home" in printed.err  # warned


@as_root
@as_another_user
def test_a_backup_folder_outside_the_home_is_handed_over_too(capsys, open_dir, monkeypatch):
    """``[backup] dir`` elsewhere (a second disk): the backup service writes there as the user."""
    home, elsewhere, units = open_dir / "door", open_dir / "disk2" / "backups", open_dir / "u"
    user = door_user()
    units.mkdir()
    monkeypatch.setenv("KIOSK_HOME", str(home))
    assert kiosk(capsys, "init", "--no-keys").code == 0
    (home / "config.toml").write_text(f'[backup]\ndir = "{elsewhere}"\n', encoding="utf-8")
    elsewhere.parent.mkdir()
    elsewhere.parent.chmod(0o755)  # a mount point anyone may enter
    elsewhere.mkdir(mode=0o700)
    run = kiosk(capsys, "service", "install", "--user", user.pw_name, "--dir", str(units), "--lang", "en")
    assert run.code == 0, run.err
    assert f"Handed the backup folder {elsewhere} and its files over to {user.pw_name}" in run.out
    assert owners(home) == owners(elsewhere) == {user.pw_uid}
    made = subprocess.run(
        ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", KIOSK,
         "backup"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "KIOSK_HOME": str(home), "HOME": str(home)})
    assert made.returncode == 0 and len(list(elsewhere.glob("kiosk-*.db"))) == 1, made.stderr
