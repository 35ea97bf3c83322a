"""``kiosk service unit|install [--tty N] [--user U]``: the kiosk under systemd.

Both units (the kiosk and its daily backup) run as U with the same home, so ``install`` checks
that U can open that home before it writes anything: run as root (as an installer of 10 doors
does, ``sudo kiosk service install``) it hands the home over to U (``chown -R``) and says so;
otherwise it refuses with the one ``chown`` line to run. It also checks that U can run the
program the units start (a venv under ``/root`` cannot be), refusing with where to install it.
``unit`` only prints, and warns.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.cli.context import CommandError, Context, _say
from kiosk.i18n import t


def register(commands, common) -> None:
    service = commands.add_parser("service", help="run the kiosk under systemd at boot")
    sub = service.add_subparsers(dest="action", metavar="ACTION", parser_class=commands._parser_class)
    sub.required = True
    for name, handler, text in (
            ("unit", unit, "print the systemd unit that runs the kiosk on a virtual terminal"),
            ("install", install, "write that unit and a daily backup timer where systemd reads them")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("--tty", type=int, default=1, metavar="N", help="virtual terminal (default 1)")
        p.add_argument("--user", metavar="U", help="the unprivileged user the kiosk runs as")
        p.add_argument("--home", type=Path, metavar="DIR", help="KIOSK_HOME for the kiosk "
                       "(default: KIOSK_HOME, else the user's data folder)")
        if name == "install":
            p.add_argument("--dir", type=Path, metavar="DIR",
                           help="write the units here (default /etc/systemd/system)")
        p.set_defaults(handler=handler)


def _plan(ctx: Context):
    from kiosk import service

    a = ctx.args
    try:
        return service.plan(tty=a.tty, user=a.user, home=a.home, lang=ctx.settings.lang)
    except service.ServiceError as exc:  # a value refused: a validation error (SPEC §4: exit 1)
        raise CommandError(t(exc.key, **exc.fields)) from None


def _home_refusal(p) -> str | None:
    """The one line saying why the user could not open the home (or run the kiosk program),
    or None when it can."""
    from kiosk import service

    who = service.account(p.user)
    if who is None:
        return t("service.no_such_user", user=p.user)
    for what, folder in _folders(p):
        problem = service.home_problem(folder, who)
        if problem is not None:
            return _refusal(p, who, what, folder, problem)
    return _program_refusal(p, who)


def _refusal(p, who, what: str, folder: Path, problem) -> str:
    return t(f"service.home_{problem.kind}", user=p.user, group=who.group, home=folder,
             folder=problem.folder, owner=problem.owner, what=t(f"service.what.{what}"))


def _folders(p):
    """The home, then (once the home is settled) the backup folder when ``[backup] dir`` puts
    it elsewhere: both units write there as the user."""
    from kiosk import backups, config

    yield "home", p.home
    try:
        if not (p.home / config.CONFIG_FILE).is_file():
            return
    except OSError:  # a home we may not read: its own refusal has been said already
        return
    folder = backups.policy(config.load(home=p.home)).folder
    if not Path(os.path.abspath(folder)).is_relative_to(os.path.abspath(p.home)):
        yield "backups", folder


def unit(ctx: Context) -> int:
    from kiosk import service

    p = _plan(ctx)
    ctx.out(service.kiosk_unit(p).rstrip("\n"))
    warning = _home_refusal(p)
    if warning:
        _say(t("service.unit_warning", detail=warning))
    return 0


def install(ctx: Context) -> int:
    from kiosk import service

    p = _plan(ctx)
    folder = ctx.args.dir or service.SYSTEM_DIR
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise CommandError(t("service.cannot_write", folder=folder))
    handed_over = _make_home_usable(p)
    for path in service.install(p, folder):
        ctx.out(t("service.written", path=path))
    for line in handed_over:
        ctx.out(line)
    ctx.out(t("service.enable", user=p.user, tty=p.tty, home=p.home))
    for command in service.enable_commands():
        ctx.out(f"  sudo {command}")
    return 0


def _make_home_usable(p) -> list[str]:
    """Refuse (exit 1) a home (or backup folder) the user could not open, or a kiosk program it
    could not run; as root, hand a home owned by others or missing over to the user instead and
    return the lines that say so. Every refusal comes before anything is changed."""
    from kiosk import service

    who = service.account(p.user)
    if who is None:
        raise CommandError(t("service.no_such_user", user=p.user))
    to_hand_over = []
    for what, folder in _folders(p):
        problem = service.home_problem(folder, who)
        if problem is None:
            continue
        if os.geteuid() != 0 or problem.kind == "closed":
            raise CommandError(_refusal(p, who, what, folder, problem))
        to_hand_over.append((what, folder))
    unreachable = _program_refusal(p, who)
    if unreachable:
        raise CommandError(unreachable)
    said = []
    for what, folder in to_hand_over:
        try:
            service.give_home(folder, who)
        except OSError as exc:
            raise CommandError(t("service.chown_failed", home=folder,
                                 detail=exc.strerror or exc)) from None
        said.append(t("service.chowned", user=p.user, group=who.group, home=folder,
                      what=t(f"service.what.{what}")))
    return said


def _program_refusal(p, who) -> str | None:
    """The one line saying the user could not run the unit's kiosk program, or None."""
    from kiosk import service

    problem = service.program_problem(p, who)
    if problem is None:
        return None
    return t("service.program_closed", user=p.user, program=problem.program,
             folder=problem.folder, owner=problem.owner)
