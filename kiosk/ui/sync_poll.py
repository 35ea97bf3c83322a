"""One sync round for the kiosk's mark: run the sync agent if there is one, else count the queue.

The agent (``kiosk.syncer``) is optional: without it, or without a central URL, the kiosk still
shows how many events wait. While the centre is unreachable the interval doubles up to 5 minutes.
"""

from __future__ import annotations

import logging

from db.database import redact_text
from kiosk.config import Settings
from kiosk.ui.widgets.sync_mark import SyncState

log = logging.getLogger("kiosk.ui.sync")
MAX_BACKOFF = 300.0


def queued_events() -> int:
    """Events the centre has not acknowledged (the store's own count; loaded on first use)."""
    from db.sync import queued_count

    return queued_count()


def sync_round(settings: Settings, agent=None) -> tuple[SyncState, object]:
    """Return the new state and the agent to reuse next round (created on first use)."""
    if not settings.central_url:
        return SyncState(local_only=True, queued=queued_events()), None
    if agent is None:
        try:
            from kiosk.syncer import SyncAgent
        except ImportError:
            return SyncState(local_only=False, reachable=None, queued=queued_events(),
                             agent_missing=True), None
        agent = SyncAgent(settings)
    try:
        report = agent.run_once()
    except Exception as exc:  # the agent must never take the kiosk down
        log.warning("sync round failed: %s", exc.__class__.__name__)
        return SyncState(local_only=False, reachable=False, queued=queued_events(),
                         error=exc.__class__.__name__), agent
    return SyncState(local_only=False, reachable=report.reachable, queued=int(report.queued),
                     error=redact_text(str(report.error or ""), settings.central_url)[:200]), agent


def next_delay(state: SyncState, interval: float, current: float) -> float:
    """Back off ×2 (to 5 min) while the centre is unreachable; the normal interval otherwise."""
    if state.reachable is False:
        return min(MAX_BACKOFF, max(interval, current * 2))
    return interval
