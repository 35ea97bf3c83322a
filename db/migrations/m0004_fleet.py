"""The fleet table (``kiosk_fleet``): each door's last contact with the centre (see db.fleet).

Created on every engine so a home and a centre share one schema; only a centre's rows matter.
"""

from db.fleet import KioskFleet


def apply(db, migrator) -> None:
    db.create_tables([KioskFleet], safe=True)
