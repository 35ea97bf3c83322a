"""``kiosk signin INPUT`` and ``kiosk signin --from-file FILE``: the kiosk's rules, headless."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk import timefmt
from kiosk.cli.context import CommandError, Context, check_option_text
from kiosk.desk import SignInDesk
from kiosk.i18n import t


def register(commands, common) -> None:
    p = commands.add_parser("signin", parents=[common], help="sign in through the kiosk's rules")
    p.add_argument("input", nargs="?", help="a staff ID or a badge payload")
    p.add_argument("--from-file", type=Path, help="one sign-in per line, in order")
    p.add_argument("--session", type=int, metavar="SID", help="sign in to this session")
    p.add_argument("--at", help='"YYYY-MM-DD HH:MM" local time (default: now)')
    p.add_argument("--method", choices=["id", "qr", "camera"], help=None)
    p.add_argument("--kiosk-id", help="kiosk id to record (default: from the config)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=signin)


def signin(ctx: Context) -> int:
    a = ctx.args
    if (a.input is None) == (a.from_file is None):
        raise CommandError(t("cli.signin_usage"), code=2)
    check_option_text("--kiosk-id", a.kiosk_id)
    at = timefmt.parse_wall(a.at, ctx.tz) if a.at is not None else None  # --at "" is no time
    db = ctx.database()
    desk = SignInDesk(db, kiosk_id=a.kiosk_id or ctx.settings.kiosk_id, tz=ctx.tz,
                      allow_typed_id=ctx.settings.allow_typed_id,
                      signout_grace=ctx.settings.signout_grace,
                      cards_enabled=ctx.settings.cards_enabled,
                      card_formats=ctx.settings.card_formats)
    lines = [a.input] if a.input is not None else _read_lines(a.from_file)
    if not lines:
        raise CommandError(t("cli.nothing"))
    rejected = 0
    tz, show = ctx.tz, (ctx.json if a.json else ctx.out)  # (looked up once: a file may be long)
    for line in lines:
        outcome = desk.sign_in(line, at=at, session_id=a.session, method=a.method)
        rejected += outcome.result == "rejected"
        show(outcome.as_json(tz) if a.json else outcome.message(tz))  # after its commit
    if a.from_file is not None and not a.json:
        ctx.out(t("cli.signin_file_summary", total=len(lines), ok=len(lines) - rejected,
                  rejected=rejected))
    return 1 if rejected else 0


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(t("cli.file_not_found", path=path)) from None
    except OSError:
        raise CommandError(t("cli.file_unreadable", path=path)) from None
    try:  # UTF-8 (BOM or not) without importing kiosk.tabular, whose decode tries GBK next
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        from kiosk.tabular import TableError, decode

        try:
            text = decode(data)
        except TableError:
            text = data.decode("utf-8", errors="replace")
    # CR, LF and CRLF line ends alike (a file saved on an old Mac is more than one line)
    return [line for line in re.split(r"\r\n|\r|\n", text) if line.strip(" \t")]
