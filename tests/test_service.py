"""``kiosk service``: the systemd units, checked by systemd's own ``systemd-analyze verify``."""

from __future__ import annotations

import os
import pwd
import shlex
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
ROOT = Path(__file__).resolve().parent.parent


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
def test_the_units_pass_systemd_analyze_verify(open_dir, tmp_path):
    """The three files as install writes them (service.install, whoever may run the program)."""
    from kiosk import service

    user = door_user().pw_name
    plan = service.plan(tty=3, user=user, home=open_dir / "home", lang="en")
    paths = service.install(plan, tmp_path)
    assert [p.name for p in paths] == ["study-kiosk.service", "study-kiosk-backup.service",
                                       "study-kiosk-backup.timer"]
    done = verify(*paths)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    backup = settings_of(paths[1].read_text())
    assert backup["ExecStart"][0].endswith(" backup --daily") and backup["User"] == [user]
    assert settings_of(paths[2].read_text())["Persistent"] == ["true"]
    broken = tmp_path / "broken.service"  # the verifier is not a rubber stamp
    broken.write_text(paths[0].read_text().replace("StandardInput=tty", "StandardInput=sometimes"))
    assert "input specifier" in verify(broken).stderr


@as_another_user
def test_install_writes_the_units_and_says_how_to_enable_them(capsys, open_dir, tmp_path):
    user = door_user().pw_name
    units = tmp_path / "units"  # (tmp_path also holds this process's own KIOSK_HOME)
    units.mkdir()
    run = kiosk(capsys, "service", "install", "--tty", "3", "--user", user, "--dir", str(units),
                "--home", str(open_dir / "home"), "--lang", "en")
    assert run.code == 0, run.err
    assert sorted(p.name for p in units.iterdir()) == [
        "study-kiosk-backup.service", "study-kiosk-backup.timer", "study-kiosk.service"]
    commands = [line.strip() for line in run.out.splitlines() if "systemctl" in line]
    assert commands == ["sudo systemctl daemon-reload",
                        "sudo systemctl enable --now study-kiosk.service study-kiosk-backup.timer"]


def as_account(user: pwd.struct_passwd, *argv: str) -> subprocess.CompletedProcess:
    """Run ``argv`` as ``user`` the way systemd's User= does. Through env: setpriv execs its
    command while it still holds root's capabilities, so it could start a program in a folder
    closed to the account that the account itself could not (the program then runs without)."""
    return subprocess.run(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
                           "--clear-groups", "/usr/bin/env", *argv], capture_output=True, text=True,
                          timeout=60, cwd="/")


def _other_account() -> pwd.struct_passwd:
    """An account that is not us: the system account door_user() picks as root, else nobody."""
    return door_user() if os.geteuid() == 0 else pwd.getpwnam("nobody")


def _kiosk_in(folder: Path) -> Path:
    """A venv in ``folder`` whose ``kiosk`` runs this checkout (its python finds the code and the
    libraries through a .pth file): an installation made where it was unpacked."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder / "venv")],
                   check=True, timeout=120, umask=0o022)  # (the CLI run in-process set 077)
    python = folder / "venv" / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (Path(site) / "study_kiosk_test.pth").write_text("\n".join([str(ROOT), *ours]) + "\n")
    (Path(site) / "study_kiosk_test.pth").chmod(0o644)
    program = folder / "venv" / "bin" / "kiosk"
    program.write_text(f"#!{python}\nimport sys\nfrom kiosk.cli import main\nsys.exit(main())\n")
    program.chmod(0o755)
    return program


def test_install_refuses_a_kiosk_the_user_cannot_run_and_changes_nothing(open_dir):
    """The kiosk installed in a 0700 folder (a venv under /root, a mktemp -d clone): the unit
    would fail at every boot, so install says so in one line, naming the fix, and writes nothing."""
    closed, units, user = open_dir / "unpacked", open_dir / "units", _other_account()
    closed.mkdir(mode=0o700)
    units.mkdir()
    program = _kiosk_in(closed)
    shared = open_dir / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp: any account may make its home here (as root: made for it)
    home = shared / "door"
    for lang, words in (("en", f"{user.pw_name} cannot reach {closed} "), ("zh", f"无法进入 {closed}")):
        run = subprocess.run([program, "service", "install", "--user", user.pw_name, "--home",
                              str(home), "--dir", str(units), "--lang", lang],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 1 and run.stdout == "" and run.stderr.count("\n") == 1, run.stderr
        assert words in run.stderr and str(program) in run.stderr and "/opt/study-kiosk" in run.stderr
    assert list(units.iterdir()) == [] and not home.exists()
    if os.geteuid() == 0:  # and it is so: as that account the program does not start
        assert as_account(user, str(program), "--help").returncode != 0
    closed.chmod(0o755)  # opened, the folder is no longer what stops it (the Python may be)
    from kiosk import service

    plan = service.Plan(tty=1, user=user.pw_name, home=home, kiosk=str(program), lang="en")
    shut = service.program_problem(plan, service.account(user.pw_name))
    assert shut is None or not shut.folder.is_relative_to(closed), shut


@as_root
def test_the_program_check_agrees_with_running_the_kiosk_as_that_user():
    """Whatever this machine is (a venv under /root or in /opt), the check says what happens
    when the account really starts the program the unit names."""
    from kiosk import service

    user = door_user()
    plan = service.plan(tty=1, user=user.pw_name, home=Path("/tmp"), lang="en")
    shut = service.program_problem(plan, service.account(user.pw_name))
    ran = as_account(user, *shlex.split(plan.kiosk), "--help")
    assert (shut is None) == (ran.returncode == 0), (shut, ran.stderr[-300:])


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


@as_root
def test_root_on_the_kiosk_accounts_home_is_told_to_run_as_it_and_writes_nothing(capsys, open_dir,
                                                                                  monkeypatch):
    """FINDINGS 16: `sudo kiosk backup` (or doctor, or a print-only `service unit`) on the
    account's home left root-owned logs/ and backups/ that broke the account's own kiosk."""
    home, user = open_dir / "door", door_user()
    monkeypatch.setenv("KIOSK_HOME", str(home))
    assert kiosk(capsys, "init", "--no-keys").code == 0
    for path in [home, *home.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    before = sorted(str(p) for p in home.rglob("*"))
    for argv in (["backup"], ["doctor"], ["staff", "list"]):
        run = kiosk(capsys, *argv, "--lang", "en")
        assert run.code == 1 and f"belongs to {user.pw_name}" in run.err, (argv, run.err)
        assert f"sudo -u {user.pw_name} env KIOSK_HOME={home} kiosk" in run.err
    unit = kiosk(capsys, "service", "unit", "--user", user.pw_name, "--lang", "en")
    assert unit.code == 0 and "ExecStart=" in unit.out
    assert sorted(str(p) for p in home.rglob("*")) == before  # no root-owned log, no backups/
    assert owners(home) == {user.pw_uid}


@as_root
@as_another_user
def test_doctor_names_root_owned_files_in_the_accounts_home_with_the_chown(open_dir):
    """What an older build left (root-owned logs/ and backups/): doctor, run as the account,
    names them and the chown, where it raised PermissionError."""
    home, user = open_dir / "door", door_user()
    home.mkdir(mode=0o700)
    os.chown(home, user.pw_uid, user.pw_gid)
    init = as_account(user, f"KIOSK_HOME={home}", KIOSK, "init", "--no-keys")
    assert init.returncode == 0, init.stderr
    for folder in ("logs", "backups"):
        (home / folder).mkdir(mode=0o700, exist_ok=True)
        os.chown(home / folder, 0, 0)
    done = as_account(user, f"KIOSK_HOME={home}", "KIOSK_LANG=en", KIOSK, "doctor")
    assert done.returncode == 1 and "PermissionError" not in done.stdout + done.stderr
    assert "owned by another account" in done.stdout and f"sudo chown -R {user.pw_name}: {home}" \
        in done.stdout, done.stdout
