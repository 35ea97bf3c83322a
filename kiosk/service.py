"""systemd units for a kiosk at the door: the kiosk on a virtual terminal, and a daily backup.

systemd supervises (never a home-made loop): it starts the kiosk at boot after the network,
gives it the console of VT N in place of the login prompt there, restarts it whatever way it
stopped (a crash exits 1, see ``kiosk.cli.screens.run_app``), and runs it as an ordinary user.
"""

from __future__ import annotations

import grp
import os
import pwd
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

UNIT = "study-kiosk.service"
BACKUP_SERVICE = "study-kiosk-backup.service"
BACKUP_TIMER = "study-kiosk-backup.timer"
SYSTEM_DIR = Path("/etc/systemd/system")
DEFAULT_USER = "kiosk"


class ServiceError(ValueError):
    """A request systemd would refuse or that would run the kiosk as root; ``key`` says which."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


@dataclass(frozen=True)
class Plan:
    """What the units run: on which VT, as whom, with which home and which ``kiosk``."""

    tty: int
    user: str
    home: Path
    kiosk: str
    lang: str

    @property
    def environment(self) -> str:
        return f'Environment="KIOSK_HOME={self.home}" "LANG=C.UTF-8" "TERM=linux"'


def kiosk_executable() -> str:
    """The ``kiosk`` console script of this installation (a unit needs an absolute path)."""
    beside = Path(sys.executable).parent / "kiosk"
    if beside.exists():
        return str(beside)
    argv0 = Path(sys.argv[0])
    if argv0.name == "kiosk" and argv0.exists():
        return str(argv0.resolve())
    return f"{sys.executable} -c 'import sys; from kiosk.cli import main; sys.exit(main())'"


def plan(*, tty: int, user: str | None, home: Path | None, lang: str,
         environ: dict[str, str] | None = None) -> Plan:
    """Check the request and work out the user's home (``KIOSK_HOME`` if set, else theirs)."""
    environ = dict(os.environ) if environ is None else environ
    if not 1 <= tty <= 63:
        raise ServiceError("service.bad_tty", tty=tty)
    name = user or _default_user()
    if name == "root" or name.isdigit() and int(name) == 0:
        raise ServiceError("service.root")
    if not _valid_user_name(name):
        from kiosk.text_safety import escape_controls

        raise ServiceError("service.bad_user", user=escape_controls(name))
    if home is None:
        if environ.get("KIOSK_HOME"):
            home = Path(environ["KIOSK_HOME"]).expanduser().resolve()
        else:
            home = _user_dir(name) / ".local" / "share" / "study-kiosk"
    return Plan(tty=tty, user=name, home=home, kiosk=kiosk_executable(), lang=lang)


def _valid_user_name(name: str) -> bool:
    """Letters, digits, ``-``, ``_``, ``.`` (what useradd accepts); never a control character."""
    return name.isascii() and name.replace("-", "").replace("_", "").replace(".", "").isalnum()


def _default_user() -> str:
    """Whoever runs ``kiosk service`` — unless that is root (via sudo: the user behind it)."""
    current = pwd.getpwuid(os.getuid()).pw_name
    if current != "root":
        return current
    return os.environ.get("SUDO_USER") or DEFAULT_USER


def _user_dir(name: str) -> Path:
    try:
        return Path(pwd.getpwnam(name).pw_dir)
    except KeyError:
        return Path("/home") / name


def _exec(p: Plan, *words: str) -> str:
    command = p.kiosk if " " in p.kiosk else shlex.quote(p.kiosk)
    return " ".join([command, *words])


def kiosk_unit(p: Plan) -> str:
    tty = f"tty{p.tty}"
    return f"""# Written by `kiosk service`: the study-session sign-in kiosk, full screen on {tty}.
[Unit]
Description=Study-session sign-in kiosk on {tty}
Wants=network-online.target
After=network-online.target systemd-user-sessions.service getty@{tty}.service
Conflicts=getty@{tty}.service
StartLimitIntervalSec=0

[Service]
Type=simple
User={p.user}
{p.environment}
WorkingDirectory=-{p.home}
ExecStartPre=-+/bin/sh -c 'chvt {p.tty} 2>/dev/null || true'
ExecStart={_exec(p, "run")}
StandardInput=tty
StandardOutput=tty
StandardError=tty
TTYPath=/dev/{tty}
TTYReset=yes
TTYVHangup=yes
TTYVTDisallocate=yes
UtmpIdentifier={tty}
UMask=0077
Restart=always
RestartSec=3
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full

[Install]
WantedBy=multi-user.target
"""


def backup_service(p: Plan) -> str:
    return f"""# Written by `kiosk service install`: one consistent copy of the kiosk's database.
[Unit]
Description=Back up the study-session kiosk's database
After=local-fs.target

[Service]
Type=oneshot
User={p.user}
{p.environment}
ExecStart={_exec(p, "backup", "--daily")}
UMask=0077
Nice=10
IOSchedulingClass=idle
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full
"""


def backup_timer() -> str:
    return f"""# Written by `kiosk service install`: the kiosk's daily backup (missed ones run at boot).
[Unit]
Description=Daily backup of the study-session kiosk's database

[Timer]
OnCalendar=*-*-* 03:00:00
RandomizedDelaySec=20min
Persistent=true
Unit={BACKUP_SERVICE}

[Install]
WantedBy=timers.target
"""


def units(p: Plan) -> dict[str, str]:
    return {UNIT: kiosk_unit(p), BACKUP_SERVICE: backup_service(p), BACKUP_TIMER: backup_timer()}


def install(p: Plan, folder: Path) -> list[Path]:
    """Write the three units into ``folder`` (0644: systemd and admins read them; no secrets)."""
    written = []
    for name, text in units(p).items():
        path = folder / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o644)
        os.replace(tmp, path)
        written.append(path)
    return written


@dataclass(frozen=True)
class Account:
    """The user the units run as: who they are, and the groups a folder's mode may let in."""

    name: str
    uid: int
    gid: int
    groups: frozenset[int]

    @property
    def group(self) -> str:
        try:
            return grp.getgrgid(self.gid).gr_name
        except KeyError:
            return str(self.gid)


@dataclass(frozen=True)
class HomeProblem:
    """Why the account could not use the home at boot.

    ``closed``: a folder above the home shuts the account out (chown of the home cannot help);
    ``owner``: the home, or something in it, belongs to someone else (e.g. ``sudo kiosk init``
    made it root's, 0700); ``missing``: it does not exist and the account could not create it.
    """

    kind: str
    folder: Path
    owner: str = ""


def account(name: str) -> Account | None:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    groups = {g.gr_gid for g in grp.getgrall() if name in g.gr_mem} | {entry.pw_gid}
    return Account(name, entry.pw_uid, entry.pw_gid, frozenset(groups))


def _allows(st: os.stat_result, who: Account, bits: int) -> bool:
    """Would the mode let ``who`` do ``bits`` (4 read, 2 write, 1 enter)? Root passes."""
    if who.uid == 0:
        return True
    if st.st_uid == who.uid:
        shift = 6
    elif st.st_gid in who.groups:
        shift = 3
    else:
        shift = 0
    return (st.st_mode >> shift) & bits == bits


def _owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def home_problem(home: Path, who: Account) -> HomeProblem | None:
    """What would stop ``who`` opening ``home`` (the kiosk's and the backup's data), or None."""
    home = Path(os.path.abspath(home))
    for folder in reversed(home.parents):
        if not folder.exists():
            break
        if not _allows(folder.stat(), who, 1):
            return HomeProblem("closed", folder, _owner_name(folder.stat().st_uid))
    if not home.exists():
        nearest = next(f for f in home.parents if f.exists())
        if not _allows(nearest.stat(), who, 3):
            return HomeProblem("missing", home, _owner_name(nearest.stat().st_uid))
        return None
    if home.stat().st_uid != who.uid:
        return HomeProblem("owner", home, _owner_name(home.stat().st_uid))
    try:
        for folder, dirs, files in os.walk(home, onerror=_raise):
            for entry in (folder, *(os.path.join(folder, n) for n in dirs + files)):
                uid = os.lstat(entry).st_uid
                if uid != who.uid:
                    return HomeProblem("owner", home, _owner_name(uid))
    except OSError:  # the user's own folder that we (not root) may not look into: theirs
        return None
    return None


def _raise(exc: OSError) -> None:
    raise exc


@dataclass(frozen=True)
class ProgramProblem:
    """Why ``who`` could not start what the unit's ExecStart names: ``folder`` is where the way
    is shut (a folder it may not enter, or the file itself it may not read or run), ``owner``
    whose it is. A venv under ``/root`` or a ``mktemp -d`` folder (0700) is such a case, and so
    is a venv built from a Python that lives there (pyenv's): the unit would fail at every boot.
    """

    program: Path
    folder: Path
    owner: str


def program_problem(p: Plan, who: Account) -> ProgramProblem | None:
    """What would stop ``who`` running ``p``'s ExecStart, or None: the program (read and run,
    if a script), the interpreter its ``#!`` line names, and the Python code it imports — the
    kiosk package, the libraries installed beside it and the standard library."""
    import sysconfig

    import kiosk

    program = Path(shlex.split(p.kiosk)[0])
    interpreter = _shebang(program)
    needs = [(program, 5 if interpreter else 1)]
    if interpreter:
        needs.append((interpreter, 1))
    needs += [(Path(kiosk.__file__).parent, 5), (Path(sysconfig.get_paths()["purelib"]), 5),
              (Path(os.__file__).parent, 5)]
    for path, bits in needs:
        shut = _shut(path, who, bits)
        if shut is not None:
            return ProgramProblem(program, shut, _owner_name(shut.stat().st_uid))
    return None


def _shebang(program: Path) -> Path | None:
    """The interpreter a script's ``#!`` line names (None for a binary or a missing file)."""
    try:
        with program.open("rb") as fh:
            first = fh.readline(512)
    except OSError:
        return None
    words = first[2:].split() if first.startswith(b"#!") else []
    return Path(os.fsdecode(words[0])) if words else None


def _shut(path: Path, who: Account, bits: int) -> Path | None:
    """The first folder on the way to ``path`` — as written and with its links followed — that
    ``who`` may not enter, or ``path`` itself when its mode lacks ``bits`` for ``who``."""
    real = Path(os.path.realpath(path))
    try:
        for way in dict.fromkeys((Path(os.path.abspath(path)), real)):
            for folder in reversed(way.parents):
                if not _allows(folder.stat(), who, 1):
                    return folder
        return None if _allows(real.stat(), who, bits) else real
    except OSError:  # a path we cannot look at ourselves: nothing we can say about it
        return None


def give_home(home: Path, who: Account) -> None:
    """As root: make ``home`` (and any folder created for it) belong to ``who``, like
    ``chown -R who:group home``; a created home is 0700 (the files keep their own modes)."""
    home = Path(os.path.abspath(home))
    created = [f for f in (home, *home.parents) if not f.exists()]
    for folder in reversed(created):
        folder.mkdir()
        folder.chmod(0o700 if folder == home else 0o755)  # whatever the umask
        os.chown(folder, who.uid, who.gid)
    for folder, dirs, files in os.walk(home):
        os.lchown(folder, who.uid, who.gid)
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), who.uid, who.gid)


def enable_commands() -> list[str]:
    return ["systemctl daemon-reload", f"systemctl enable --now {UNIT} {BACKUP_TIMER}"]
