"""Two doors with one ``[kiosk] id`` (FINDINGS 26): a copied config.toml, each door with its own
role. The centre refuses the second door's fleet row; the second door says so (``kiosk sync
--once`` exits 1 with a line naming ``[kiosk] id`` in config.toml; its status line names the id)
and the centre records the collision, so ``kiosk fleet`` flags the id ``duplicate_id``.

Real door roles granted by the real command, on PostgreSQL and MariaDB, through the real
``kiosk`` command.
"""

from __future__ import annotations

import json

import peewee as pw
import pytest

from db import database
from db.sync.taken_ids import ROUTINE, TABLE
from kiosk import config
from kiosk.i18n import set_language
from kiosk.ui.sync_poll import sync_round
from tests.centre_helpers import kiosk, new_home
from tests.live_centre import live_centre, role_of  # noqa: F401 — fixtures


def fleet(live_centre, tmp_path) -> dict[str, list[str]]:  # noqa: F811
    done = kiosk(tmp_path / "owner", "fleet", "--json", "--db", live_centre.url)
    return {row["kiosk_id"]: row["flags"] for row in json.loads(done.stdout)}


def test_a_second_door_with_a_copied_id_is_told_and_the_fleet_flags_it(live_centre, role_of,  # noqa: F811
                                                                       tmp_path):
    _, east_url = role_of("door")
    _, copy_url = role_of("door")
    east = new_home(tmp_path, "east", "east-door")
    kiosk(east, "sync", "--once", "--central", east_url)  # the id is the east door's
    assert "duplicate_id" not in fleet(live_centre, tmp_path)["east-door"]

    copy = new_home(tmp_path, "copy", "east-door")  # config.toml copied from the east door
    kiosk(copy, "sync", "--once", "--central", copy_url, check=1)  # (not remembered: refused)
    kiosk(copy, "signin", "A1001", "--session", str(live_centre.ids["now"]))
    done = kiosk(copy, "sync", "--once", "--central", copy_url, check=1)
    assert "pushed 1" in done.stdout, done.stdout  # its events are kept at the centre …
    assert ("The centre refused this kiosk's id east-door: another door already uses it"
            in done.stderr), done.stderr  # … and the door says they do not count, and the fix
    assert "[kiosk] id in config.toml" in done.stderr
    zh = kiosk(copy, "sync", "--once", "--central", copy_url, env={"KIOSK_LANG": "zh"}, check=1)
    assert "中心拒绝本机编号 east-door" in zh.stderr and "config.toml 的 [kiosk] id" in zh.stderr

    # the centre recorded it: kiosk fleet flags the id, whose row is still the east door's
    flags = fleet(live_centre, tmp_path)
    assert list(flags) == ["east-door"] and "duplicate_id" in flags["east-door"], flags
    text = kiosk(tmp_path / "owner", "fleet", "--db", live_centre.url).stdout
    assert "east-door" in text

    # the door's status line, from a real round of the kiosk's own poller
    settings = config.load({"KIOSK_HOME": str(copy)}).with_overrides(central_url=copy_url)
    local = database.bind(settings.db_url)
    try:
        state, agent = sync_round(settings)
        agent.close()
    finally:
        local.close()
    set_language("zh")
    try:
        assert "编号 east-door 已被占用:改 config.toml 的 [kiosk] id" in state.label()
    finally:
        set_language("en")
    assert state.label().startswith("● central online"), state.label()
    assert "id east-door taken: change [kiosk] id in config.toml" in state.label()

    # the east door itself syncs as before
    assert "0 still queued" in kiosk(east, "sync", "--once").stdout


def call(handle: pw.Database, kiosk_id: str) -> None:
    with handle.atomic():
        if isinstance(handle, pw.PostgresqlDatabase):
            handle.execute_sql(f"SELECT {ROUTINE}(%s)", (kiosk_id,)).fetchone()
        else:
            handle.execute_sql(f"CALL {ROUTINE}(%s)", (kiosk_id,))


def test_only_a_door_refused_for_another_doors_id_is_recorded(live_centre, role_of, tmp_path):  # noqa: F811
    """The routine records nothing for an id no other door holds, for the door's own id, or for
    a caller that is not a door; and a door may not write the table itself."""
    _, east_url = role_of("door")
    _, west_url = role_of("door")
    _, host_url = role_of("host")
    kiosk(new_home(tmp_path, "east", "east-door"), "sync", "--once", "--central", east_url)
    for url, kiosk_id in ((east_url, "east-door"), (west_url, "nobody-door"),
                          (host_url, "east-door"), (live_centre.url, "east-door")):
        handle = database.make_database(url)
        handle.connect()
        try:
            call(handle, kiosk_id)
        except pw.OperationalError as exc:  # MariaDB: EXECUTE is grant-door's alone
            assert url == host_url and "denied" in str(exc), exc
        finally:
            handle.close()
    owner = live_centre.owner()
    try:
        assert owner.execute_sql(f"SELECT count(*) FROM {TABLE}").fetchone()[0] == 0
    finally:
        owner.close()
    west = database.make_database(west_url)
    west.connect()
    try:
        with pytest.raises((pw.ProgrammingError, pw.OperationalError)) as refused:
            with west.atomic():
                west.execute_sql(f"INSERT INTO {TABLE} (kiosk_id, taken_at) "
                                 "VALUES ('east-door', '2030-01-01')")
        assert "denied" in str(refused.value)
        call(west, "east-door")  # the real collision: recorded
    finally:
        west.close()
    assert "duplicate_id" in fleet(live_centre, tmp_path)["east-door"]
