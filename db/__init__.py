"""The data layer: Peewee models, binding a database from a URL, migrations, queries, sync.

Nothing here imports ``kiosk`` or ``textual`` (enforced by an import-linter contract), so the
same layer serves the kiosk, the CLI, the host view and the central database.
"""

from db.drivers import import_peewee

import_peewee()  # before any module here imports Peewee: without the server drivers (start-up)
