"""The fleet row names the home that wrote it (FINDINGS #34): ``install_id`` and
``install_changed_at`` on ``kiosk_fleet``, so the centre sees two homes claiming one kiosk id.

Both columns are NULL-able: doors of the previous release keep writing their rows unchanged.
"""

from db.fleet import KioskFleet


def apply(db, migrator) -> None:
    from playhouse.migrate import migrate

    have = {column.name for column in db.get_columns(KioskFleet._meta.table_name)}
    steps = [migrator.add_column(KioskFleet._meta.table_name, name, KioskFleet._meta.fields[name])
             for name in ("install_id", "install_changed_at") if name not in have]
    if steps:
        migrate(*steps)
