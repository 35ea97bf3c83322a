"""The large confirmation or refusal shown for a few seconds after each sign-in.

Green for a sign-in, amber for late / already / visitor / early leave, red for a refusal; the
name on its own line with the characters spaced, and the time of the sign-in in big digits.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits

from kiosk import timefmt
from kiosk.i18n import t
from kiosk.sign_in_outcome import SignInOutcome
from kiosk.ui.plain import Static

TONES = ("-ok", "-warn", "-bad")


def spaced(name: str) -> str:
    """Short CJK names read better from a distance with a space between the characters."""
    if 1 < len(name) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in name):
        return " ".join(name)
    return name


def tone(outcome: SignInOutcome | None) -> str:
    if outcome is None or outcome.result == "rejected":
        return "-bad"
    if outcome.result in ("late", "already", "visitor") or outcome.early_leave:
        return "-warn"
    return "-ok"


class ResultBanner(Vertical):
    """Renders one :class:`SignInOutcome` (or a plain error key) in the current language."""

    def __init__(self, tz: ZoneInfo, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        self.outcome: SignInOutcome | None = None
        self.error_key: str = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="result-head")
        yield Static("", id="result-name")
        yield Static("", id="result-detail")
        yield Digits("", id="result-time")

    def show(self, outcome: SignInOutcome | None, error_key: str = "") -> None:
        self.outcome, self.error_key = outcome, error_key
        chosen = tone(outcome)
        for name in TONES:
            self.set_class(name == chosen, name)
        self.display = True
        self.refresh_text()

    def clear(self) -> None:
        self.outcome, self.error_key = None, ""
        self.display = False

    @property
    def head(self) -> str:
        return str(self.query_one("#result-head", Static).content)

    @property
    def text(self) -> str:
        """Everything the banner says, as plain text (tests and logs)."""
        parts = [str(self.query_one(f"#result-{p}", Static).content) for p in ("head", "name", "detail")]
        return "\n".join(p for p in parts if p)

    def refresh_text(self) -> None:
        if self.outcome is None and not self.error_key:
            return
        head, name, detail, time = self._lines()
        self.query_one("#result-head", Static).update(head)
        self.query_one("#result-name", Static).update(name)
        self.query_one("#result-detail", Static).update(detail)
        digits = self.query_one("#result-time", Digits)
        digits.update(time)
        digits.display = bool(time)

    def _lines(self) -> tuple[str, str, str, str]:
        o = self.outcome
        if o is None:
            return "✘  " + t("ui.result.rejected"), "", t(self.error_key), ""
        if o.result == "rejected":
            detail = t(o.detail or f"reason.{o.reason}")
            if o.reason == "no_open_session":
                nxt = o.next_session
                detail += "\n" + (t("ui.result.next", time=timefmt.hhmm(nxt.start, self.tz), title=nxt.title)
                                  if nxt else t("ui.result.no_more"))
            return "✘  " + t("ui.result.rejected"), spaced(o.name or ""), detail, ""
        if o.result == "already" and getattr(o, "already_door", ""):
            head = t("ui.result.already_door", time=timefmt.hhmm(o.already_at, self.tz),
                     door=o.already_door)
        elif o.result == "already":
            head = t("ui.result.already", time=timefmt.hhmm(o.already_at, self.tz))
        elif o.result == "signed_out":
            head = t("ui.result.early_leave" if o.early_leave else "ui.result.signed_out")
        else:
            head = t(f"ui.result.{o.result}")
        details = [o.department or "", o.session.title if o.session else ""]
        time = timefmt.hhmm(o.at, self.tz) if o.at else ""
        return "✔  " + head, spaced(o.name or ""), "  ·  ".join(d for d in details if d), time
