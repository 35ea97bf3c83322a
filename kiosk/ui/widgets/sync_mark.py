"""The sync mark: local only, or central reachable/unreachable and how many events wait."""

from __future__ import annotations

from dataclasses import dataclass

from db.fleet import SKEW_LIMIT_S
from kiosk.fleet_view import short_offset
from kiosk.i18n import t
from kiosk.ui.plain import Static


@dataclass(frozen=True)
class SyncState:
    """What the last check found. ``reachable`` is None while unknown or with no central.

    ``failing``: the centre answered but the round did not go through (it refused this home,
    a right is missing, its schema does not match): shown as an error, never as "connected".
    """

    local_only: bool = True
    reachable: bool | None = None
    queued: int = 0
    error: str = ""
    agent_missing: bool = False
    checked_at: str = ""
    failing: bool = False
    not_applied: int = 0  # this door's events of today the centre kept but did not apply
    clock_offset_s: float | None = None  # this door's clock minus the centre's
    id_taken: str = ""  # this door's kiosk id, which the centre says another door holds

    @property
    def clock_off(self) -> bool:
        """Off by more than the fleet's 2 minutes (SPEC §8): the door says so itself."""
        return self.clock_offset_s is not None and abs(self.clock_offset_s) > SKEW_LIMIT_S

    @property
    def warning(self) -> bool:
        return bool(self.not_applied) or self.clock_off or bool(self.id_taken)

    def warnings(self) -> list[str]:
        out = []
        if self.id_taken:  # first: nothing this door sends counts until it is fixed
            out.append(t("ui.sync.id_taken", kiosk=self.id_taken))
        if self.not_applied:
            out.append(t("ui.sync.not_applied", count=self.not_applied))
        if self.clock_off:
            out.append(t("ui.sync.clock_off", offset=short_offset(self.clock_offset_s)))
        return out

    def _state_key(self) -> str:
        if self.failing:
            return "fleet.sync.failing"
        return {True: "ui.sync.reachable", False: "ui.sync.unreachable"}.get(
            self.reachable, "ui.sync.unknown")

    def label(self) -> str:
        if self.local_only:
            return t("ui.sync.local")
        return " · ".join([t(self._state_key()), t("ui.sync.queued", count=self.queued),
                           *self.warnings()])

    def detail(self) -> str:
        if self.local_only:
            return t("ui.sync.detail_local")
        state = self._state_key()
        text = t("ui.sync.detail", state=t(state).lstrip("● "), queued=self.queued,
                 time=self.checked_at or "—")
        if self.agent_missing:
            text += "\n" + t("ui.sync.no_agent")
        if self.error:
            text += "\n" + t("ui.sync.error", error=self.error)
        for line in self.warnings():
            text += "\n" + line
        return text


class SyncMark(Static):
    """A one-line mark in the top bar; green when fine, yellow when events wait, red when cut off."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.state = SyncState()

    def show(self, state: SyncState) -> None:
        self.state = state
        down = state.reachable is False or state.failing or bool(state.id_taken)
        self.set_class(down, "-down")
        self.set_class((bool(state.queued) or state.warning) and not down, "-waiting")
        self.refresh_text()

    def refresh_text(self) -> None:
        self.update(self.state.label())
