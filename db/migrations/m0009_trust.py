"""Trust at the door: badge signatures scrubbed out of the event rows written before this release.

Earlier releases stored the full badge payload (``SK1.<id>.<version>.<signature>``) as the input
of rejected scans; whoever read the log or an export could print that person's badge. Every stored
``input`` and ``note`` is cut to ``SK1.<id>.<version>`` (:func:`db.redact.drop_badge_signatures`),
on every engine, in batches so a large log never needs one huge transaction's worth of memory.
The event log is otherwise append-only: this rewrite removes a secret, it changes no fact.
"""

from db.models import SignInEvent
from db.redact import drop_badge_signatures

BATCH = 2000


def apply(db, migrator) -> None:
    last = ""
    while True:
        rows = list(SignInEvent.select(SignInEvent.id, SignInEvent.input, SignInEvent.note)
                    .where((SignInEvent.id > last)
                           & ((SignInEvent.input != "") | (SignInEvent.note != "")))
                    .order_by(SignInEvent.id).limit(BATCH).tuples())
        if not rows:
            return
        for event_id, text, note in rows:
            clean_text = drop_badge_signatures(text or "", scanned=True)
            clean_note = drop_badge_signatures(note or "")
            if (clean_text, clean_note) != (text or "", note or ""):
                (SignInEvent.update(input=clean_text, note=clean_note)
                 .where(SignInEvent.id == event_id).execute())
        last = rows[-1][0]
