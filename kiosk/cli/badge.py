"""``kiosk badge make|payload|revoke``: print badges, show a payload, revoke a lost badge.

Making and showing payloads needs this home's private key (the admin's home); revoking only
bumps a version in the database, so any admin home can do it. The QR/imaging libraries are
imported inside the handlers to keep ``kiosk signin`` fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

from db import queries
from kiosk import rules, timefmt
from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t
from kiosk.sheets import write_bytes
from kiosk.text_safety import clean_document

FORMATS = ("png", "svg", "html")
SHEET_NAME = "badges.html"


def register(commands, common) -> None:
    badge = commands.add_parser("badge", help="QR badges")
    sub = badge.add_subparsers(dest="action", metavar="ACTION", parser_class=commands._parser_class)
    sub.required = True
    p = sub.add_parser("make", parents=[common], help="badge images or one printable HTML sheet")
    p.add_argument("staff_ids", nargs="*", metavar="STAFF_ID", help="default: all active staff")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (html: '-' = stdout)")
    p.add_argument("--format", choices=FORMATS, default="png")
    p.add_argument("--department", metavar="D", help="only this department")
    p.set_defaults(handler=make)
    p = sub.add_parser("payload", parents=[common], help="print a badge's payload text")
    p.add_argument("staff_id", metavar="STAFF_ID")
    p.set_defaults(handler=payload)
    p = sub.add_parser("revoke", parents=[common], help="bump the badge version (old badges fail)")
    p.add_argument("staff_id", metavar="STAFF_ID")
    p.set_defaults(handler=revoke)


def _signer(ctx: Context):
    """This home's private key, checked against the database's verify key (else a refusal)."""
    from kiosk.badges import keys

    try:
        key = keys.load_signing_key(ctx.settings.home)
    except keys.SigningKeyMissing as exc:
        raise CommandError(str(exc)) from None
    published = keys.published_key()
    if published is None:
        raise CommandError(t("keys.not_published"))
    if not keys.same_key(published, key.public_key()):
        raise CommandError(t("keys.wrong_key", home_fp=keys.fingerprint(key.public_key()),
                             db_fp=keys.fingerprint(published)))
    return key


def _person(staff_id: str) -> dict:
    row = queries.staff_row(rules.normalise_staff_id(staff_id))
    if row is None:
        raise CommandError(t("badge.unknown_staff", ids=staff_id.strip()))
    return row


def payload(ctx: Context) -> int:
    from kiosk.badges.payload import sign

    ctx.database()
    row = _person(ctx.args.staff_id)
    key = _signer(ctx)
    ctx.out(sign(key, row["staff_id"], row["badge_version"]))
    return 0


def revoke(ctx: Context) -> int:
    from kiosk.badges.revocation import revoke as revoke_badge

    db = ctx.database()
    done = revoke_badge(db, rules.normalise_staff_id(ctx.args.staff_id),
                        kiosk_id=ctx.settings.kiosk_id, at=timefmt.utc_now())
    if done is None:
        raise CommandError(t("badge.unknown_staff", ids=ctx.args.staff_id.strip()))
    row, old, new = done
    ctx.out(t("badge.revoked", staff_id=row["staff_id"], name=row["name"], old=old, new=new))
    return 0


def _select(ctx: Context) -> list[dict]:
    a = ctx.args
    if a.department is not None and a.department not in queries.department_names():
        raise CommandError(t("badge.unknown_department", department=a.department))
    if a.staff_ids:
        rows, unknown, seen = [], [], set()
        for staff_id in a.staff_ids:
            row = queries.staff_row(rules.normalise_staff_id(staff_id))
            if row is None:
                unknown.append(staff_id.strip())
            elif row["key"] not in seen:
                seen.add(row["key"])
                rows.append(row)
        if unknown:
            raise CommandError(t("badge.unknown_staff", ids=", ".join(unknown)))
        for row in rows:
            if not row["active"]:
                sys.stderr.write(t("badge.inactive", staff_id=row["staff_id"], name=row["name"]) + "\n")
    else:
        rows = queries.roster(include_inactive=False)
    if a.department is not None:
        rows = [r for r in rows if r["department"] == a.department]
    if not rows:
        raise CommandError(t("badge.nothing_to_do"))
    return rows


def make(ctx: Context) -> int:
    from kiosk.badges import render
    from kiosk.badges.payload import sign

    a = ctx.args
    if a.out == "-" and a.format != "html":
        raise CommandError(t("badge.out_dash"), code=2)
    ctx.database()
    rows = _select(ctx)
    key = _signer(ctx)
    out = None if a.out == "-" else Path(a.out)
    if out is not None:
        if out.exists() and not out.is_dir():
            raise CommandError(t("badge.out_not_dir", path=out))
        out.mkdir(parents=True, exist_ok=True)
    progress = Progress(len(rows))
    faces = []
    for row in rows:
        face = render.BadgeFace(staff_id=row["staff_id"], name=row["name"],
                                department=row["department"], title=row.get("title") or "",
                                payload=sign(key, row["staff_id"], row["badge_version"]))
        if a.format == "png":
            write_bytes(str(out / f"{face.staff_id}.png"), render.png_bytes(face.payload))
        elif a.format == "svg":
            write_bytes(str(out / f"{face.staff_id}.svg"),
                        clean_document(render.badge_svg(face, ctx.settings.office_name)).encode("utf-8"))
        faces.append(face)
        progress.step()
    progress.done()
    if a.format == "html":
        sheet = render.html_sheet(faces, ctx.settings.office_name, lang=ctx.settings.lang)
        if out is None:
            sys.stdout.write(clean_document(sheet))
            return 0
        target = out / SHEET_NAME
        write_bytes(str(target), clean_document(sheet).encode("utf-8"))
        ctx.out(t("badge.made", count=len(faces), path=target))
    else:
        ctx.out(t("badge.made", count=len(faces), path=out))
    return 0


class Progress:
    """A bar on stderr for large rosters: redrawn in place on a terminal, a line per quarter else."""

    MIN_TOTAL = 50
    WIDTH = 30

    def __init__(self, total: int) -> None:
        self.total, self.count = total, 0
        self.shown = total >= self.MIN_TOTAL
        self.tty = sys.stderr.isatty()
        self._last_quarter = 0

    def step(self) -> None:
        self.count += 1
        if not self.shown:
            return
        label = t("badge.progress", done=self.count, total=self.total)
        if self.tty:
            filled = self.WIDTH * self.count // self.total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {label}")
            sys.stderr.flush()
        else:
            quarter = 4 * self.count // self.total
            if quarter > self._last_quarter:
                self._last_quarter = quarter
                sys.stderr.write(label + "\n")

    def done(self) -> None:
        if self.shown and self.tty:
            sys.stderr.write("\n")
