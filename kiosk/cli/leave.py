"""``kiosk leave add STAFF_ID --session SID --reason TEXT``."""

from __future__ import annotations

from kiosk.cli.context import CommandError, Context, check_option_text
from kiosk.desk import SignInDesk
from kiosk.i18n import t


def register(commands, common) -> None:
    leave = commands.add_parser("leave", help="leaves (请假)")
    sub = leave.add_subparsers(dest="action", metavar="ACTION", parser_class=commands._parser_class)
    sub.required = True
    p = sub.add_parser("add", parents=[common], help="record a leave")
    p.add_argument("staff_id")
    p.add_argument("--session", type=int, required=True, metavar="SID")
    p.add_argument("--reason", required=True)
    p.add_argument("--by", default="admin", help="who records it (for the audit trail)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=add)
    p = sub.add_parser("cancel", parents=[common], help="withdraw a leave recorded by mistake")
    p.add_argument("staff_id")
    p.add_argument("--session", type=int, required=True, metavar="SID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cancel)


def add(ctx: Context) -> int:
    a = ctx.args
    check_option_text("--reason", a.reason)
    check_option_text("--by", a.by)
    reason = (a.reason or "").strip()
    if not reason:
        raise CommandError(t("cli.leave_reason_required"))
    db = ctx.database()
    desk = SignInDesk(db, kiosk_id=ctx.settings.kiosk_id, tz=ctx.tz)
    try:
        person, signed_in = desk.record_leave(a.staff_id, a.session, reason[:500], actor=a.by)
    except LookupError as exc:
        code = str(exc)
        detail = {"unknown_staff": t("cli.unknown_staff", value=a.staff_id),
                  "session_not_found": t("reason.session_not_found", session=a.session),
                  "not_expected": t("reason.not_expected"),
                  # the centre kept the event but, a door's role, did not apply it
                  "not_applied": t("reason.not_applied"),
                  "door_home": t("reason.door_home"),
                  "door_credential": t("reason.door_credential")}[code]
        raise CommandError(detail) from None
    if a.json:
        ctx.json({"staff_id": person["staff_id"], "session_id": a.session, "status":
                  "present" if signed_in else "excused"})
    else:
        ctx.out(t("cli.leave_added", name=person["name"], session=a.session))
        if signed_in:
            ctx.out(t("cli.leave_already_signed_in", name=person["name"]))
    return 0


def cancel(ctx: Context) -> int:
    from kiosk.lifecycle import AdminActions, Refused

    a = ctx.args
    actions = AdminActions(ctx.database(), tz=ctx.tz, kiosk_id=ctx.settings.kiosk_id)
    try:
        row = actions.withdraw_leave(a.staff_id, a.session)
    except Refused as exc:
        raise CommandError(str(exc)) from None
    if a.json:
        ctx.json({"staff_id": row["staff_id"], "session_id": a.session, "withdrawn": True})
    else:
        ctx.out(t("admin.leave_withdrawn", staff_id=row["staff_id"], name=row["name"],
                  session=a.session))
    return 0
