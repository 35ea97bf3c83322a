"""The sign-in rules (SPEC §3) as pure functions over plain values.

Nothing here touches a database, a clock or a screen: the desk gathers the facts (who, which
sessions are near, what is already recorded, at what instant) and these functions decide.
All datetimes are naive UTC.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

MAX_INPUT = 256
KINDS = ("learning_day", "central_group", "lecture", "exhibition", "seminar", "training", "other")
STAFF_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
SIGNOUT_AFTER_END_MIN = 30
SIGNOUT_MIN_STAY_MIN = 5  # a second scan sooner than this is a repeat, not a sign-out


@dataclass(frozen=True)
class StaffView:
    key: str
    staff_id: str
    name: str
    department: str
    groups: frozenset[str] = frozenset()
    active: bool = True
    badge_version: int = 1
    title: str = ""


@dataclass(frozen=True)
class Audience:
    everyone: bool = False
    departments: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    staff: frozenset[str] = frozenset()

    def includes(self, person: StaffView) -> bool:
        return (
            self.everyone
            or person.department in self.departments
            or person.key in self.staff
            or bool(self.groups & person.groups)
        )


@dataclass(frozen=True)
class SessionView:
    id: int
    title: str
    kind: str
    start: dt.datetime
    end: dt.datetime
    location: str = ""
    speaker: str = ""
    open_before: int = 30
    late_after: int = 5
    require_signout: bool = False
    credit_hours: float | None = None
    audience: Audience = field(default_factory=Audience)

    # computed once per view (every scan asks; a frozen view never changes)
    @cached_property
    def opens(self) -> dt.datetime:
        return self.start - dt.timedelta(minutes=self.open_before)

    @cached_property
    def late_from(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.late_after)

    @property
    def hours(self) -> float:
        if self.credit_hours is not None:
            return float(self.credit_hours)
        return round((self.end - self.start).total_seconds() / 3600, 2)


@dataclass(frozen=True)
class Recorded:
    """What the register already holds for (session, person)."""

    status: str  # pending | present | late | excused
    expected: bool
    signed_in_at: dt.datetime | None = None
    signed_out_at: dt.datetime | None = None


@dataclass(frozen=True)
class Decision:
    result: str  # present | late | already | visitor | signed_out | rejected
    reason: str = ""
    session: SessionView | None = None
    status: str = ""  # the register status to store (present/late), or "" for none
    expected: bool = True
    early_leave: bool = False
    already_at: dt.datetime | None = None
    choices: tuple[SessionView, ...] = ()


class InvalidInput(ValueError):
    """Input that can never be a staff ID or a badge; ``detail`` is a translation key."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


# the full-width forms of printable ASCII (U+FF01–U+FF5E: what a Chinese IME types in 全角 mode)
# and the ideographic space, each to its one ASCII character — a width fold, nothing more
_WIDTH_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_BADGE_PREFIX = "SK1."


def fold_width(text: str) -> str:
    """``text`` with full-width ASCII forms as ASCII (``ＳＫ１．Ａ１`` → ``SK1.A1``); one character
    for one, so a badge's signed text is never altered beyond the keyboard's width mode."""
    return text if text.isascii() else text.translate(_WIDTH_FOLD)


def normalise_text(text: str) -> str:
    """NFKC of typed text (``ｚ１０１`` → ``z101``), free for ASCII: what a staff ID, a card
    number or a roster key is compared in, whatever width mode the keyboard was in."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def clean_input(raw: str) -> str:
    """Strip whitespace and a scanner's CR/LF; refuse over-long input and control characters;
    read full-width (全角) text as the ASCII it stands for.

    A staff ID or card number is NFKC-normalised. A badge payload (``SK1.`` in either width) is
    only width-folded: its signature is verified over exactly the characters printed, and no
    other look-alike (a ligature, a circled digit) is turned into one of them.
    """
    text = raw.strip(" \t\r\n\u3000")
    if len(text) > MAX_INPUT:
        raise InvalidInput("reason.too_long")
    if not text:
        raise InvalidInput("reason.empty")
    # isprintable() is False for every Cc/Cf/Cs/Co/Cn character (and for separators), so only
    # text it refuses needs the per-character look-up (a scan is almost always printable ASCII)
    if not text.isprintable() and any(
            unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text):
        raise InvalidInput("reason.control_chars")
    if text.isascii():  # the hot path: a scanner or a half-width keyboard
        return text
    folded = text.translate(_WIDTH_FOLD)
    normal = unicodedata.normalize("NFKC", text).strip(" \t\r\n")
    if _BADGE_PREFIX in (folded[:4].upper(), normal[:4].upper()):
        return folded  # a badge claim (ＳＫ①… too): never made to verify by a look-alike
    text = normal
    if len(text) > MAX_INPUT:  # a few compatibility characters expand (U+FDFA is 18 letters)
        raise InvalidInput("reason.too_long")
    if not text:
        raise InvalidInput("reason.empty")
    return text


def sanitise_for_log(raw: str, limit: int = 120) -> str:
    """A safe copy of rejected input for the event log: controls escaped, length capped."""
    out = []
    for ch in raw[: limit + 1]:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    text = "".join(out)
    return text[:limit] + ("…" if len(raw) > limit else "")


def normalise_staff_id(text: str) -> str:
    """The key a staff ID is stored and looked up under: NFKC (a full-width ``Ａ１００１`` is
    ``A1001``), trimmed, case-insensitive."""
    return normalise_text(text).strip().upper()


def is_valid_staff_id(text: str) -> bool:
    return bool(STAFF_ID_PATTERN.match(text.strip()))


def optional_hours(value, most: float) -> float | None:
    """Credit hours typed in an option or a file's cell: None when left blank; ``ValueError``
    unless a finite number from 0 to ``most`` (a session's and a credit's bounds differ)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        hours = float(value)
    except TypeError:
        raise ValueError(value) from None
    if not math.isfinite(hours) or not 0 <= hours <= most:
        raise ValueError(value)
    return hours


def window_open(session: SessionView, at: dt.datetime) -> bool:
    """Sign-in is open from ``open_before`` minutes before the start until the end."""
    return session.opens <= at <= session.end


def signout_open(session: SessionView, at: dt.datetime) -> bool:
    return session.require_signout and session.start <= at <= session.end + dt.timedelta(
        minutes=SIGNOUT_AFTER_END_MIN
    )


def arrival_status(session: SessionView, at: dt.datetime) -> str:
    """``late`` strictly after start + ``late_after`` minutes, else ``present``."""
    return "late" if at > session.late_from else "present"


def is_early_leave(session: SessionView, at: dt.datetime, grace_minutes: int) -> bool:
    return at < session.end - dt.timedelta(minutes=grace_minutes)


def next_session(sessions: list[SessionView], at: dt.datetime) -> SessionView | None:
    """The next session whose sign-in has not opened yet (the caller limits it to today)."""
    upcoming = [s for s in sessions if s.opens > at]
    return min(upcoming, key=lambda s: s.start) if upcoming else None


def decide(
    person: StaffView,
    sessions: list[SessionView],
    recorded: dict[int, Recorded],
    at: dt.datetime,
    chosen: int | None = None,
    signout_grace: int = 10,
) -> Decision:
    """Decide one sign-in of a known person at instant ``at``.

    ``sessions`` are the sessions near ``at`` (the caller need not pre-filter windows);
    ``recorded`` maps session id to what the register holds for this person.
    """
    if not person.active:
        return Decision("rejected", "inactive_staff")
    signouts = [
        s for s in sessions
        if signout_open(s, at) and _signed_in(recorded.get(s.id)) and (chosen in (None, s.id))
        and recorded[s.id].signed_out_at is None
    ]
    if len(signouts) == 1:
        return _sign_out(signouts[0], recorded[signouts[0].id], at, signout_grace)
    open_now = [s for s in sessions if window_open(s, at) and (chosen in (None, s.id))]
    if not open_now:
        return _nothing_open(sessions, recorded, at, chosen)
    session, choices = _pick(person, open_now)
    if session is None:
        return Decision("rejected", "ambiguous_session", choices=choices)
    held = recorded.get(session.id)
    if _signed_in(held):
        return Decision("already", session=session, already_at=held.signed_in_at,
                        expected=held.expected)
    expected = session.audience.includes(person) or bool(held and held.expected)
    status = arrival_status(session, at)
    return Decision(status if expected else "visitor", session=session, status=status,
                    expected=expected)


def _signed_in(held: Recorded | None) -> bool:
    return bool(held and held.signed_in_at is not None and held.status in ("present", "late"))


def _pick(person: StaffView, open_now: list[SessionView]):
    if len(open_now) == 1:
        return open_now[0], ()
    mine = [s for s in open_now if s.audience.includes(person)]
    if len(mine) == 1:
        return mine[0], ()
    choices = tuple(sorted(mine or open_now, key=lambda s: (s.start, s.id)))
    return None, choices


def _nothing_open(sessions, recorded, at, chosen) -> Decision:
    """No window is open: a repeat scan of a finished sign-out session is still 'already'."""
    for s in sessions:
        held = recorded.get(s.id)
        if (chosen in (None, s.id)) and _signed_in(held) and s.opens <= at <= s.end + dt.timedelta(
            minutes=SIGNOUT_AFTER_END_MIN
        ):
            return Decision("already", session=s, already_at=held.signed_in_at,
                            expected=held.expected)
    return Decision("rejected", "no_open_session")


def _sign_out(session: SessionView, held: Recorded, at: dt.datetime, grace: int) -> Decision:
    if at - held.signed_in_at < dt.timedelta(minutes=SIGNOUT_MIN_STAY_MIN):
        return Decision("already", session=session, already_at=held.signed_in_at,
                        expected=held.expected)
    return Decision("signed_out", session=session, status=held.status, expected=held.expected,
                    early_leave=is_early_leave(session, at, grace))


def parse_audience(spec: str) -> Audience:
    """``all`` or a comma list of ``dept:NAME``, ``group:NAME``, ``staff:ID`` (also ，)."""
    text = (spec or "").strip()
    if not text or text.lower() == "all":
        return Audience(everyone=True)
    depts, groups, staff, everyone = set(), set(), set(), False
    for term in re.split(r"[,，]", text):
        term = term.strip()
        if not term:
            continue
        if term.lower() == "all":
            everyone = True
            continue
        kind, sep, value = term.partition(":")
        if not sep:
            kind, sep, value = term.partition("：")
        kind, value = kind.strip().lower(), value.strip()
        if not sep or not value:
            raise ValueError(term)
        if kind in ("dept", "department", "部门"):
            depts.add(value)
        elif kind in ("group", "分组"):
            groups.add(value)
        elif kind in ("staff", "人员", "工号"):
            staff.add(normalise_staff_id(value))
        else:
            raise ValueError(term)
    return Audience(everyone, frozenset(depts), frozenset(groups), frozenset(staff))


def audience_terms(audience: Audience) -> list[tuple[str, str]]:
    """The audience as stored rows ``(kind, value)``."""
    if audience.everyone:
        return [("all", "")]
    return (
        [("dept", d) for d in sorted(audience.departments)]
        + [("group", g) for g in sorted(audience.groups)]
        + [("staff", s) for s in sorted(audience.staff)]
    )


def audience_from_terms(terms: list[tuple[str, str]]) -> Audience:
    return Audience(
        everyone=any(k == "all" for k, _ in terms),
        departments=frozenset(v for k, v in terms if k == "dept"),
        groups=frozenset(v for k, v in terms if k == "group"),
        staff=frozenset(v for k, v in terms if k == "staff"),
    )


def audience_spec(audience: Audience) -> str:
    terms = audience_terms(audience)
    return ",".join("all" if k == "all" else f"{k}:{v}" for k, v in terms)
