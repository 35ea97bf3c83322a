"""``kiosk keys init [--rotate]`` and ``kiosk keys show``: the badge signing key of this home."""

from __future__ import annotations

from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t


def register(commands, common) -> None:
    keys = commands.add_parser("keys", help="the badge signing key")
    sub = keys.add_subparsers(dest="action", metavar="ACTION", parser_class=commands._parser_class)
    sub.required = True
    p = sub.add_parser("init", parents=[common],
                       help="create this home's badge key pair and publish its public key")
    p.add_argument("--rotate", action="store_true",
                   help="replace the key pair (every printed badge stops working)")
    p.set_defaults(handler=keys_init)
    p = sub.add_parser("show", parents=[common], help="fingerprints of this home's and the database's key")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=keys_show)


def keys_init(ctx: Context) -> int:
    from kiosk.badges import keys

    fingerprint = keys.ensure_keypair(ctx, rotate=ctx.args.rotate)
    return 0 if fingerprint else 1


def keys_show(ctx: Context) -> int:
    from kiosk.badges import keys

    path = keys.private_key_path(ctx.settings.home)
    home_key = None
    if path.exists():
        try:
            home_key = keys.load_signing_key(ctx.settings.home).public_key()
        except keys.SigningKeyMissing as exc:
            raise CommandError(str(exc)) from None
    db_key, db_problem = None, None
    try:
        ctx.database()
        db_key = keys.published_key()
    except CommandError as exc:
        db_problem = str(exc)
    if ctx.args.json:
        ctx.json({
            "private_key": str(path) if home_key else None,
            "fingerprint": keys.fingerprint(home_key) if home_key else None,
            "published_fingerprint": keys.fingerprint(db_key) if db_key else None,
            "match": keys.same_key(home_key, db_key) if home_key and db_key else None,
        })
        return 0
    if home_key:
        ctx.out(t("keys.show_home", path=path, fingerprint=keys.fingerprint(home_key)))
    else:
        ctx.out(t("keys.show_none"))
    if db_problem:
        ctx.out(t("keys.show_db_unreachable", detail=db_problem))
    elif db_key:
        ctx.out(t("keys.show_db", fingerprint=keys.fingerprint(db_key)))
        if home_key:
            ctx.out(t("keys.show_match" if keys.same_key(home_key, db_key) else "keys.show_mismatch"))
    else:
        ctx.out(t("keys.show_db_none"))
    return 0
