"""Offline-first sync between a kiosk's own database and the central one (like pretixSCAN).

Where things live:

- :mod:`db.sync.common` — limits, the ``sync_state`` watermark table, engine probes, the centre's
  clock and schema check;
- :mod:`db.sync.identity` — global identities: a home mirrors one centre (checked before a push);
- :mod:`db.sync.queue` — the local queue of events not yet acknowledged by the centre;
- :mod:`db.sync.push` — one batch into the centre's event log (idempotent by event UUID);
- :mod:`db.sync.centre_rules` — the centre's register rules applied to a pushed batch;
- :mod:`db.sync.register_pull` — today's register of sign-ins at every door;
- :mod:`db.sync.centre_sql` — the same rules as database code inside a server centre (m0008,
  m0012), with :mod:`db.sync.centre_pg` and :mod:`db.sync.centre_mariadb` per server;
- :mod:`db.sync.grants` — the centre's door/host/admin roles (``kiosk centre grant-*``);
- :mod:`db.sync.adopt` — ``kiosk sync --adopt``;
- :mod:`db.sync.pull` — what changed at the centre (roster, plan, leaves, public key), read and
  applied locally.

This module re-exports the public API, so callers import from ``db.sync``.
"""

from db.sync.common import (
    EVENT_COLUMNS,
    PUSH_BATCH,
    REQUIRED_CENTRAL_VERSION,
    REVOKED_FLAG,
    CentralNotInitialised,
    CentralPermissionDenied,
    CentralSchemaTooOld,
    SyncState,
    central_now,
    central_version,
    check_central,
    denied_database,
    denied_table,
)
from db.sync.identity import ForeignHome, adopt_central_identities, check_mirror, ready_to_push
from db.sync.pull import Snapshot, apply_snapshot, read_central
from db.sync.push import push_batch
from db.sync.queue import mark_pushed, queued_batch, queued_count

__all__ = [
    "EVENT_COLUMNS",
    "PUSH_BATCH",
    "REQUIRED_CENTRAL_VERSION",
    "REVOKED_FLAG",
    "CentralNotInitialised",
    "CentralPermissionDenied",
    "CentralSchemaTooOld",
    "ForeignHome",
    "Snapshot",
    "SyncState",
    "adopt_central_identities",
    "apply_snapshot",
    "central_now",
    "central_version",
    "check_central",
    "check_mirror",
    "denied_database",
    "denied_table",
    "mark_pushed",
    "push_batch",
    "queued_batch",
    "queued_count",
    "read_central",
    "ready_to_push",
]
