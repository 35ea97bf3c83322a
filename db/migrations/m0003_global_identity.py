"""Global identity: a UUID ``uid`` on staff, sessions and leaves; ``sign_in_event.session_uid``.

Every existing row is kept and given a fresh UUID. The events record the uid of the session they
were scanned for (filled from their ``session_id``). Each database also gets its own
``database_uid`` setting, by which a home remembers which centre it mirrors.

A home that has already pulled from a centre under the old rules (it holds pull watermarks) is
marked *provisional*: its fresh uids are its own, not the centre's, so its next sync first takes
the centre's uids for the rows it shares by their old keys (staff ID, session number), before
pushing anything (see :mod:`db.sync.identity`). A database made after this migration's model
change already has the columns (``m0001`` creates tables from the current models): columns and
indexes are added only where missing, so fresh and upgraded databases end up alike.
"""

import peewee as pw
from playhouse.migrate import migrate

from db.models import Leave, Setting, SignInEvent, Staff, StudySession, new_uid
from db.sync.common import DATABASE_UID, PROVISIONAL_KEY, SyncState

FILL_CHUNK = 500


def apply(db, migrator) -> None:
    for model in (Staff, StudySession, Leave):
        _add_column(db, migrator, model._meta.table_name, "uid", unique=True)
        _fill_uids(model)
    events = SignInEvent._meta.table_name
    _add_column(db, migrator, events, "session_uid", unique=False)
    db.execute_sql(
        "UPDATE sign_in_event SET session_uid = (SELECT s.uid FROM study_session s "
        "WHERE s.id = sign_in_event.session_id) "
        "WHERE session_uid IS NULL AND session_id IS NOT NULL")
    if not Setting.select().where(Setting.key == DATABASE_UID).exists():
        Setting.insert(key=DATABASE_UID, value=new_uid()).execute()
    pulled = SyncState.select().where(SyncState.key.startswith("pull.")).exists()
    if pulled and not SyncState.select().where(SyncState.key == PROVISIONAL_KEY).exists():
        SyncState.insert(key=PROVISIONAL_KEY, value="1").execute()


def _add_column(db, migrator, table: str, column: str, unique: bool) -> None:
    """The nullable column and its index, each only where missing."""
    if column not in {c.name for c in db.get_columns(table)}:
        migrate(migrator.add_column(table, column, pw.CharField(max_length=36, null=True)))
    if not any(index.columns == [column] for index in db.get_indexes(table)):
        migrate(migrator.add_index(table, (column,), unique))


def _fill_uids(model) -> None:
    """A fresh UUID for every row that has none (one UPDATE per row, by primary key)."""
    pk = model._meta.primary_key
    while True:
        keys = [k for (k,) in model.select(pk).where(model.uid.is_null()).limit(FILL_CHUNK).tuples()]
        if not keys:
            return
        for key in keys:
            model.update(uid=new_uid()).where(pk == key).execute()
