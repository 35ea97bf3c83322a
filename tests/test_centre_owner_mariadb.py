"""FINDINGS 5: on MariaDB the centre's owner is often an account with every right on its own
database and none on the server's ``mysql`` schema. ``grant-door`` then failed with a raw
``(1142, "SELECT command denied … mysql.user")`` and a hint to use the owner's URL — which it was."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

from db import database
from tests.cli_runner import kiosk


@pytest.fixture
def owner_and_door(mysql_url):
    """An owner account with all rights on the centre's database only, and a door account."""
    suffix = uuid.uuid4().hex[:8]
    owner, door = f"ko_{suffix}", f"kd_{suffix}"
    name = urlparse(mysql_url).path.lstrip("/")
    root = database.make_database(os.environ["KIOSK_TEST_MYSQL_URL"])
    root.connect()
    for account in (owner, door):
        root.execute_sql(f"CREATE USER '{account}'@'%%'")
    root.execute_sql(f"GRANT ALL ON `{name}`.* TO '{owner}'@'%%' WITH GRANT OPTION")
    parsed = urlparse(mysql_url)
    owner_url = urlunparse(parsed._replace(netloc=f"{owner}@{parsed.hostname}:{parsed.port}"))
    yield owner, door, owner_url
    for account in (owner, door):
        root.execute_sql(f"DROP USER IF EXISTS '{account}'@'%%'")
    root.close()


def test_an_owner_without_the_account_list_is_told_what_to_do(owner_and_door, capsys):
    owner, door, url = owner_and_door
    assert kiosk(capsys, "init", "--db", url, "--no-keys").code == 0
    bare = kiosk(capsys, "centre", "grant-door", door, "--db", url, "--lang", "en")
    assert bare.code == 1 and "1142" not in bare.err
    assert f"Name the account with its host, e.g. {door}@'%'" in bare.err
    assert f"GRANT SELECT ON mysql.user TO {owner}" in bare.err
    whole = kiosk(capsys, "centre", "grant-door", f"{door}@%", "--db", url, "--lang", "en")
    assert whole.code == 0, whole.err
    assert "rights of a door" in whole.out and "INSERT" in whole.out
    ghost = kiosk(capsys, "centre", "grant-door", "nobody_here@%", "--db", url, "--lang", "en")
    assert ghost.code == 1 and "create it first" in ghost.err and "1133" not in ghost.err
