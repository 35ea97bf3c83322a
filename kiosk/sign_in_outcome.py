"""What a sign-in came to (:class:`SignInOutcome`), and the plain views the rules decide on, built
from the data layer's rows: shared by the desk, the screens, the CLI and the host's actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from kiosk import rules, timefmt
from kiosk.i18n import t


@dataclass
class SignInOutcome:
    """What happened, in the terms of SPEC §4 (``result``/``reason``) plus what a screen shows."""

    result: str
    reason: str = ""
    at: dt.datetime | None = None
    staff_id: str | None = None
    name: str | None = None
    department: str | None = None
    session: rules.SessionView | None = None
    status: str = ""
    already_at: dt.datetime | None = None
    early_leave: bool = False
    method: str = "id"
    detail: str = ""  # translation key with more detail for invalid input
    choices: tuple[rules.SessionView, ...] = ()
    next_session: rules.SessionView | None = None
    event_id: str = ""
    card: str = ""  # the work card scanned, masked (card_numbers.mask): never in full anywhere
    extra: dict = field(default_factory=dict)
    already_door: str = ""  # the other door where an "already" sign-in was recorded

    @property
    def accepted(self) -> bool:
        return self.result != "rejected"

    @property
    def session_id(self) -> int | None:
        return self.session.id if self.session else None

    def as_json(self, tz: ZoneInfo) -> dict:
        data = {
            "result": self.result,
            "reason": self.reason or None,
            "staff_id": self.staff_id,
            "name": self.name,
            "department": self.department,
            "session_id": self.session_id,
            "session_title": self.session.title if self.session else None,
            "at": timefmt.iso(self.at, tz),
            "method": self.method,
            "event_id": self.event_id or None,
        }
        if self.card:
            data["card"] = self.card
        if self.already_at:
            data["already_at"] = timefmt.iso(self.already_at, tz)
        if self.already_door:
            data["already_kiosk_id"] = self.already_door
        if self.result == "signed_out":
            data["early_leave"] = self.early_leave
        if self.choices:
            data["choices"] = [{"id": s.id, "title": s.title} for s in self.choices]
        if self.next_session:
            data["next_session"] = {"id": self.next_session.id, "title": self.next_session.title,
                                    "start": timefmt.iso(self.next_session.start, tz)}
        return data

    def message(self, tz: ZoneInfo) -> str:
        """One translated line describing the outcome (CLI and logs)."""
        if self.result == "rejected":
            text = t(self.detail or f"reason.{self.reason}")
            if self.next_session:
                text += t("sep") + t("next_session", time=timefmt.hhmm(self.next_session.start, tz),
                                     title=self.next_session.title)
            if self.choices:
                text += t("sep") + t("cli.choose_session", choices="; ".join(
                    f"{s.id} {timefmt.hhmm(s.start, tz)} {s.title}" for s in self.choices))
            return text
        if self.result == "already" and self.already_door:
            return t("result.already_named_door", name=self.name,
                     time=timefmt.hhmm(self.already_at, tz), door=self.already_door)
        if self.result == "already":
            return t("result.already_named", name=self.name,
                     time=timefmt.hhmm(self.already_at, tz))
        key = "result.early_leave" if self.early_leave else f"result.{self.result}"
        title = self.session.title if self.session else ""
        return f"{t(key)}: {self.name} · {self.department} · {title} · {timefmt.hhmm(self.at, tz)}"


def session_view(row: dict) -> rules.SessionView:
    return rules.SessionView(
        id=row["id"], title=row["title"], kind=row["kind"], start=row["start"], end=row["end"],
        location=row.get("location") or "", speaker=row.get("speaker") or "",
        open_before=row["open_before"], late_after=row["late_after"],
        require_signout=bool(row["require_signout"]), credit_hours=row.get("credit_hours"),
        audience=rules.audience_from_terms(row.get("audience", [])),
    )


def staff_view(row: dict) -> rules.StaffView:
    return rules.StaffView(row["key"], row["staff_id"], row["name"], row["department"],
                           frozenset(row.get("groups", ())), bool(row["active"]),
                           row["badge_version"], row.get("title") or "")
