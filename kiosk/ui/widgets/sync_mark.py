"""The sync mark: local only, or central reachable/unreachable and how many events wait."""

from __future__ import annotations

from dataclasses import dataclass

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

    def _state_key(self) -> str:
        if self.failing:
            return "fleet.sync.failing"
        return {True: "ui.sync.reachable", False: "ui.sync.unreachable"}.get(
            self.reachable, "ui.sync.unknown")

    def label(self) -> str:
        if self.local_only:
            return t("ui.sync.local")
        return f"{t(self._state_key())} · {t('ui.sync.queued', count=self.queued)}"

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
        return text


class SyncMark(Static):
    """A one-line mark in the top bar; green when fine, yellow when events wait, red when cut off."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.state = SyncState()

    def show(self, state: SyncState) -> None:
        self.state = state
        down = state.reachable is False or state.failing
        self.set_class(down, "-down")
        self.set_class(bool(state.queued) and not down, "-waiting")
        self.refresh_text()

    def refresh_text(self) -> None:
        self.update(self.state.label())
