"""Issue 10 §11: clear lines for a bad driver option in the URL, a damaged database file and a
database nobody has initialised — never "internal error", never the wrong diagnosis."""

from __future__ import annotations

import os

import pytest

from tests.cli_runner import kiosk


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err
    return err


def test_a_bogus_mysql_charset_is_named(capsys):
    base = os.environ.get("KIOSK_TEST_MYSQL_URL")
    if not base:
        pytest.skip("KIOSK_TEST_MYSQL_URL not set")
    url = base + "?charset=bogus"
    run = kiosk(capsys, "staff", "list", "--db", url, "--lang", "en")
    assert run.code == 1 and "bogus" in one_line(run.err) and "charset" in run.err
    run = kiosk(capsys, "staff", "list", "--db", base + "?no_such_option=1", "--lang", "en")
    assert run.code == 1 and "no_such_option" in one_line(run.err)
    run = kiosk(capsys, "sync", "--once", "--central", url, "--lang", "en")
    assert run.code == 1 and "bogus" in one_line(run.err)


def test_a_damaged_database_file_is_called_damaged(home, capsys):
    assert kiosk(capsys, "init", "--no-keys").code == 0
    db = home / "kiosk.db"
    db.write_bytes(b"this is not a database at all " * 200)
    run = kiosk(capsys, "staff", "list", "--lang", "en")
    assert run.code == 1 and "damaged" in one_line(run.err) and str(db) in run.err
    assert "cannot reach" not in run.err
    assert "已损坏" in kiosk(capsys, "staff", "list").err


def test_a_database_damaged_inside_is_called_damaged(home, tmp_path, capsys):
    assert kiosk(capsys, "init", "--no-keys").code == 0
    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,部门\n" + "".join(f"A{i:04d},某人{i},办公室\n" for i in range(3000)),
                      encoding="utf-8")
    assert kiosk(capsys, "staff", "import", roster).code == 0
    db = home / "kiosk.db"
    data = bytearray(db.read_bytes())
    page = 4096
    for start in range(2 * page, len(data) - page, 3 * page):  # scribble over pages, keep the header
        data[start:start + page] = b"\xff" * page
    db.write_bytes(bytes(data))
    run = kiosk(capsys, "staff", "list", "--lang", "en")
    assert run.code == 1 and "damaged" in one_line(run.err)


def test_an_empty_sqlite_file_says_run_kiosk_init(home, capsys):
    (home / "kiosk.db").write_bytes(b"")
    run = kiosk(capsys, "staff", "list", "--lang", "en")
    assert run.code == 1 and "kiosk init" in one_line(run.err)


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_a_never_initialised_server_database_says_run_kiosk_init(request, engine, tmp_path, capsys):
    url = request.getfixturevalue("pg_url" if engine == "postgresql" else "mysql_url")
    run = kiosk(capsys, "staff", "list", "--db", url, "--lang", "en")
    assert run.code == 1 and "kiosk init" in one_line(run.err) and "older" not in run.err
    local = f"sqlite:///{tmp_path / 'door.db'}"
    assert kiosk(capsys, "init", "--db", local, "--no-keys").code == 0
    run = kiosk(capsys, "sync", "--once", "--db", local, "--central", url, "--lang", "en")
    assert run.code == 1 and "kiosk init" in one_line(run.err)
    assert "older" not in run.err and "not initialised" in run.err


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_every_command_names_a_never_initialised_centre_and_kiosk_init_db(
        request, engine, home, capsys):
    """FINDINGS b: ``sync --adopt`` onto a centre nobody initialised said "schema too old"; it,
    and every other command pointed at such a centre, says "not initialised" and names the
    command that initialises *that* database (a bare ``kiosk init`` sets up the home's file)."""
    url = request.getfixturevalue("pg_url" if engine == "postgresql" else "mysql_url")
    assert kiosk(capsys, "init", "--no-keys").code == 0
    assert kiosk(capsys, "staff", "add", "A1001", "--name", "张三", "--department", "办公室").code == 0
    run = kiosk(capsys, "sync", "--central", url, "--adopt", "--lang", "en")
    assert run.code == 1 and "not initialised" in one_line(run.err), run.err
    assert "kiosk init --db URL" in run.err and "older" not in run.err
    assert "尚未初始化" in kiosk(capsys, "sync", "--central", url, "--adopt").err
    for words in (("fleet",), ("centre", "grant-door", "door1"), ("staff", "list"),
                  ("export", "log", "--month", "2026-11", "--format", "csv", "--out", "-")):
        run = kiosk(capsys, *words, "--db", url, "--lang", "en")
        assert run.code == 1 and "not initialised" in one_line(run.err), (words, run.err)
        assert "kiosk init --db URL" in run.err, (words, run.err)
    doctor = kiosk(capsys, "doctor", "--db", url, "--lang", "en")
    assert doctor.code == 1 and "not initialised — run kiosk init --db URL" in doctor.out
    (home / "config.toml").write_text(f'[sync]\ncentral = "{url}"\n', encoding="utf-8")
    doctor = kiosk(capsys, "doctor", "--lang", "en")
    centre = next(line for line in doctor.out.splitlines() if line.split()[1:2] == ["centre:"])
    assert "not initialised" in centre and "kiosk init --db URL" in centre, doctor.out
    assert "CentralSchemaTooOld" not in doctor.out
    # the home's own database, never initialised, still says the plain `kiosk init`
    (home / "kiosk.db").unlink()
    run = kiosk(capsys, "staff", "list", "--lang", "en")
    assert run.code == 1 and "run `kiosk init` first" in one_line(run.err)
