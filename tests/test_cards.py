"""Work cards (SPEC §12) through the real ``kiosk`` entry point on real databases: binding,
the roster's card column, sign-in by every reader form, the switches, and masking everywhere."""

from __future__ import annotations

import json

import peewee as pw
import pytest

from db import database, migrations
from db.models import SchemaVersion, SignInEvent, Staff
from kiosk import card_numbers
from tests.cli_runner import init_office, kiosk

CARD = 169552957  # printed on the card as 0169552957; 0A1B2C3D / 3D2C1B0A as hex
FORMS = card_numbers.forms(CARD)
ROSTER = ("工号,姓名,部门,卡号\nA1001,张三,办公室,0169552957\nA1002,李四,办公室,\n"
          "B2001,王五,财务科,0x\n")
AT = ["--at", "2026-11-28 09:02"]


def setup_office(url, tmp_path, capsys, roster: str = ROSTER.replace("0x", "")) -> str:
    init_office(capsys, url, tmp_path, roster)
    run = kiosk(capsys, "session", "add", "--title", "机关学习日", "--kind", "lecture", "--start",
                "2026-11-28 09:00", "--end", "2026-11-28 11:00", "--json", "--db", url)
    assert run.code == 0, run.err
    return url


@pytest.fixture
def office(tmp_path, capsys):
    return setup_office(f"sqlite:///{tmp_path / 'office.db'}", tmp_path, capsys)


def signin(capsys, url, text, *extra):
    run = kiosk(capsys, "signin", text, *AT, "--json", "--db", url, *extra)
    return run.code, run.json()


def cards_listed(capsys, url) -> dict[str, str | None]:
    return {p["staff_id"]: p["card"]
            for p in kiosk(capsys, "staff", "list", "--json", "--db", url).json()}


def write_config(home, text: str) -> None:
    (home / "config.toml").write_text(text, encoding="utf-8")


def events(url) -> list[dict]:
    database.bind(url)
    rows = list(SignInEvent.select().order_by(SignInEvent.seq).dicts())
    database.proxy.obj.close()
    return rows


@pytest.mark.parametrize("form", ["dec10", "dec", "hex", "hex_reversed"])
def test_each_reader_form_signs_the_holder_in_with_method_card(office, capsys, form):
    code, out = signin(capsys, office, FORMS[form])
    assert code == 0 and out["result"] == "present" and out["method"] == "card"
    assert out["staff_id"] == "A1001" and out["name"] == "张三" and out["card"] == "******2957"
    again = signin(capsys, office, FORMS[form].lower())[1]
    assert again["result"] == "already" and again["method"] == "card"
    last = events(office)[-2]
    assert (last["method"], last["result"], last["staff_key"]) == ("card", "present", "A1001")
    assert last["input"] == "******2957"


def test_every_form_one_after_another_is_one_attendance(office, capsys):
    results = [signin(capsys, office, FORMS[f])[1]["result"]
               for f in ("hex_reversed", "dec10", "dec", "hex")]
    assert results == ["present", "already", "already", "already"]


def test_card_never_appears_in_full_in_log_exports_or_log_file(office, capsys, tmp_path, home):
    signin(capsys, office, FORMS["hex"])
    kiosk(capsys, "card", "bind", "A1002", "0000004321", "--db", office)
    kiosk(capsys, "card", "unbind", "A1002", "--db", office)
    code, out = signin(capsys, office, "0987654321")  # bound to no one
    assert code == 1 and out["reason"] == "unknown_staff" and out["staff_id"] is None
    assert out["card"] == "******4321"
    kiosk(capsys, "signin", "0987654321", *AT, "--db", office, "--lang", "en")
    texts = []
    for fmt in ("csv", "jsonl", "xlsx"):
        path = tmp_path / f"log.{fmt}"
        assert kiosk(capsys, "export", "log", "--format", fmt, "--out", path, "--db", office).code == 0
        texts.append(path.read_bytes())
    texts += [p.read_bytes() for p in home.rglob("*.log*")]
    texts.append(json.dumps(events(office), default=str).encode())
    for blob in texts:
        for secret in (*FORMS.values(), "0987654321", "987654321", "0000004321"):
            assert secret.encode() not in blob and secret.lower().encode() not in blob
    log = events(office)
    assert [e["result"] for e in log if e["method"] == "manual"] == ["card_bound"] * 2 + ["card_unbound"]
    assert log[-1]["input"] == "******4321" and log[-1]["staff_key"] is None


def test_a_staff_id_equal_to_a_card_number_wins_over_the_card(tmp_path, capsys):
    roster = ROSTER.replace("0x", "") + "169552957,同号,财务科,\n"
    url = setup_office(f"sqlite:///{tmp_path / 'o.db'}", tmp_path, capsys, roster)
    assert signin(capsys, url, "169552957")[1]["staff_id"] == "169552957"  # the staff ID
    out = signin(capsys, url, "0169552957")[1]  # the same card, another form: the card
    assert (out["staff_id"], out["method"]) == ("A1001", "card")
    # binding a card whose reader form is someone's staff ID warns the admin
    run = kiosk(capsys, "card", "bind", "B2001", "0000000042", "--db", url)
    assert run.code == 0 and "注意" not in run.out
    run = kiosk(capsys, "card", "unbind", "A1001", "--db", url)
    run = kiosk(capsys, "card", "bind", "B2001", "0169552957", "--json", "--db", url)
    assert run.code == 0 and run.json()["shadowed_by"] == ["169552957"]


def test_typed_ids_off_still_take_cards(office, capsys, home):
    write_config(home, "[kiosk]\nallow_typed_id = false\n")
    code, out = signin(capsys, office, "A1002")
    assert code == 1 and out["reason"] == "typed_id_disabled"
    code, out = signin(capsys, office, FORMS["dec10"])
    assert code == 0 and (out["result"], out["method"], out["staff_id"]) == ("present", "card", "A1001")
    code, out = signin(capsys, office, "0987654321")
    assert code == 1 and out["reason"] == "typed_id_disabled"
    run = kiosk(capsys, "signin", "A1002", *AT, "--db", office)
    assert "刷卡" in run.out + run.err


def test_cards_off_refuses_cards_with_card_disabled(office, capsys, home):
    write_config(home, "[cards]\nenabled = false\n")
    code, out = signin(capsys, office, FORMS["hex"])
    assert code == 1 and out["result"] == "rejected"
    assert (out["reason"], out["method"]) == ("card_disabled", "card")
    assert out["staff_id"] is None and out["card"] == "******2957"
    assert signin(capsys, office, "A1002")[1]["result"] == "present"  # typed IDs still work
    run = kiosk(capsys, "signin", FORMS["dec"], *AT, "--db", office, "--lang", "en")
    assert run.code == 1 and "work cards" in run.out + run.err
    assert events(office)[-1]["reason"] == "card_disabled"
    write_config(home, "[cards]\nenabled = false\n[kiosk]\nallow_typed_id = false\n")
    assert signin(capsys, office, FORMS["dec10"])[1]["reason"] == "card_disabled"
    assert signin(capsys, office, "A1002")[1]["reason"] == "typed_id_disabled"


def test_formats_narrow_and_widen_what_a_scan_matches(office, capsys, home):
    write_config(home, '[cards]\nformats = ["dec10"]\n')
    assert signin(capsys, office, FORMS["hex"])[1]["reason"] == "unknown_staff"
    assert signin(capsys, office, FORMS["dec"])[1]["reason"] == "unknown_staff"
    assert signin(capsys, office, FORMS["dec10"])[1]["method"] == "card"
    write_config(home, '[cards]\nformats = ["dec10", "dec_reversed", "hex10"]\n')
    out = signin(capsys, office, FORMS["dec_reversed"])[1]
    assert (out["result"], out["method"]) == ("already", "card")
    assert signin(capsys, office, "FF0A1B2C3D")[1]["staff_id"] == "A1001"
    write_config(home, '[cards]\nformats = ["wiegand"]\n')
    run = kiosk(capsys, "signin", "A1002", *AT, "--db", office)
    assert run.code == 1 and "wiegand" in run.err and "dec10" in run.err
    assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1


def test_bind_refuses_a_card_held_by_another_active_person(office, capsys):
    run = kiosk(capsys, "card", "bind", "A1002", "0A1B2C3D", "--db", office)
    assert run.code == 1 and "A1001" in run.err and "张三" in run.err and "unbind" in run.err
    assert len(run.err.strip().splitlines()) == 1
    for argv, needle in ((["bind", "Z9", "1234567890"], "Z9"), (["bind", "A1002", "12AB"], "12AB"),
                         (["unbind", "A1002"], "李四")):
        run = kiosk(capsys, "card", *argv, "--db", office)
        assert run.code == 1 and needle in run.err and "Traceback" not in run.err
    run = kiosk(capsys, "card", "bind", "a1001", "０Ａ:１Ｂ:２Ｃ:３Ｄ", "--db", office)  # same card: no-op
    assert run.code == 0 and "无需更改" in run.out
    assert [e["note"] for e in events(office)] == ["card ******2957 (roster import)"]  # no more


def test_bind_replaces_and_moves_from_inactive_and_is_audited(office, capsys, tmp_path):
    run = kiosk(capsys, "card", "bind", "A1001", "3D2C1B0A", "--json", "--db", office)  # reversed
    assert run.code == 0 and run.json()["changed"] is False  # the same card, another form
    run = kiosk(capsys, "card", "bind", "A1001", "0000001111", "--json", "--db", office)
    assert run.json() == {"staff_id": "A1001", "name": "张三", "card": "******1111",
                          "previous": "******2957", "changed": True, "released": [],
                          "shadowed_by": []}
    path = tmp_path / "leave.csv"  # A1001 leaves, keeping card 1111
    path.write_text("工号,姓名,部门,在职\nA1001,张三,办公室,否\n", encoding="utf-8")
    assert kiosk(capsys, "staff", "import", path, "--db", office).code == 0
    run = kiosk(capsys, "card", "bind", "A1002", "1111", "--db", office, "--lang", "en")
    assert run.code == 0 and "A1001" in run.out and "******1111" in run.out
    listed = kiosk(capsys, "card", "list", "--json", "--db", office).json()
    assert listed == [{"staff_id": "A1002", "name": "李四", "department": "办公室", "active": True,
                       "card": "******1111"}]
    run = kiosk(capsys, "card", "bind", "A1001", "2222", "--db", office)
    assert run.code == 1  # an inactive person gets no card
    log = [(e["result"], e["staff_key"], e["note"]) for e in events(office)]
    assert log == [("card_bound", "A1001", "card ******2957 (roster import)"),
                   ("card_bound", "A1001", "card ******2957 -> ******1111"),
                   ("card_bound", "A1002", "card ******1111; released from A1001")]
    assert kiosk(capsys, "card", "unbind", "A1002", "--db", office).code == 0
    assert events(office)[-1]["result"] == "card_unbound"
    people = kiosk(capsys, "staff", "list", "--json", "--db", office).json()
    assert all(p["card"] is None for p in people)


def test_roster_card_column(office, capsys, tmp_path):
    people = cards_listed(capsys, office)
    assert people == {"A1001": "******2957", "A1002": None, "B2001": None}
    path = tmp_path / "r.csv"
    path.write_text("staff_id,name,department\nA1001,张三,办公室\nA1002,李思,办公室\n", encoding="utf-8")
    assert kiosk(capsys, "staff", "import", path, "--db", office).code == 0  # no card column: kept
    assert signin(capsys, office, FORMS["hex"])[1]["staff_id"] == "A1001"
    path.write_text("staff_id,name,department,card\nA1001,张三,办公室,\nA1002,李思,办公室,0a1b2c3d\n",
                    encoding="utf-8")  # the card moves from A1001 (empty cell) to A1002
    run = kiosk(capsys, "staff", "import", path, "--db", office, "--json")
    assert run.code == 0 and run.json()["updated"] == 2
    assert signin(capsys, office, FORMS["dec10"])[1]["staff_id"] == "A1002"
    audit = [(e["result"], e["staff_key"], e["note"]) for e in events(office) if e["method"] == "manual"]
    assert audit[1:] == [("card_unbound", "A1001", "card ******2957 (roster import)"),
                         ("card_bound", "A1002", "card ******2957 (roster import)")]


def test_xlsx_roster_with_a_card_excel_turned_into_a_number(office, capsys, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Staff_ID", "Name", "Department", "Card"])
    book.active.append(["A1002", "李四", "办公室", 987654321])      # Excel dropped the leading 0
    book.active.append(["B2001", "王五", "财务科", 987654321.0])
    book.save(tmp_path / "r.xlsx")
    run = kiosk(capsys, "staff", "import", tmp_path / "r.xlsx", "--db", office)
    assert run.code == 1 and "第 3 行:卡号 ******4321 与第 2 行重复" in run.err  # one card twice
    book.active.delete_rows(3)
    book.save(tmp_path / "r.xlsx")
    assert kiosk(capsys, "staff", "import", tmp_path / "r.xlsx", "--db", office).code == 0
    assert signin(capsys, office, "0987654321")[1]["staff_id"] == "A1002"


@pytest.mark.parametrize("body,needle", [
    ("A1002,李四,办公室,0169552957\n", "A1001"),                      # held by A1001 (not in file)
    ("A1002,李四,办公室,5\nB2001,王五,财务科,0000000005\n", "2"),       # twice in the file: line 2
    ("A1002,李四,办公室,12345678901\n", "卡号"),                        # no card number
])
def test_roster_card_clashes_are_refused_whole(office, capsys, tmp_path, body, needle):
    path = tmp_path / "bad.csv"
    path.write_text("工号,姓名,部门,卡号\n" + body, encoding="utf-8")
    run = kiosk(capsys, "staff", "import", path, "--db", office)
    assert run.code == 1 and needle in run.err and "Traceback" not in run.err
    assert "0169552957" not in run.err and "12345678901" not in run.err
    preview = kiosk(capsys, "staff", "import", path, "--dry-run", "--db", office)  # says so too
    assert preview.code == 1 and needle in preview.out and "0169552957" not in preview.out
    people = cards_listed(capsys, office)
    assert people == {"A1001": "******2957", "A1002": None, "B2001": None}


def test_reactivating_a_holder_whose_card_moved_on_is_refused(office, capsys, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("工号,姓名,部门,在职\nA1001,张三,办公室,否\n", encoding="utf-8")
    kiosk(capsys, "staff", "import", path, "--db", office)
    database.bind(office)
    Staff.update(card=CARD).where(Staff.key == "A1002").execute()  # e.g. an older release's data
    database.proxy.obj.close()
    path.write_text("工号,姓名,部门,在职\nA1001,张三,办公室,是\n", encoding="utf-8")
    run = kiosk(capsys, "staff", "import", path, "--db", office)
    assert run.code == 1 and "A1002" in run.err and "******2957" in run.err


def test_the_card_travels_to_the_reports_detail(office, capsys):
    signin(capsys, office, FORMS["hex_reversed"])
    run = kiosk(capsys, "report", "monthly", "--month", "2026-11", "--format", "csv", "--out", "-",
                "--db", office)
    assert run.code == 0 and "刷卡" in run.out and "2957" not in run.out


def test_migration_adds_the_card_column_to_an_older_database_on_every_engine(any_url, capsys, tmp_path):
    handle = database.bind(any_url)
    migrations.upgrade(handle)
    # make it an older database: no card column, no index, m0007 not recorded
    for index in handle.get_indexes("staff"):
        if index.columns == ["card"]:
            handle.execute_sql(f"DROP INDEX {index.name}" if not isinstance(handle, pw.MySQLDatabase)
                               else f"DROP INDEX {index.name} ON staff")
    handle.execute_sql("ALTER TABLE staff DROP COLUMN card")
    SchemaVersion.delete().where(SchemaVersion.version == 7).execute()
    handle.close()
    setup_office(any_url, tmp_path, capsys, "工号,姓名,部门\nA1001,张三,办公室\n")
    assert kiosk(capsys, "card", "bind", "A1001", FORMS["hex"], "--db", any_url).code == 0
    code, out = signin(capsys, any_url, FORMS["dec"])
    assert code == 0 and (out["staff_id"], out["method"], out["result"]) == ("A1001", "card", "present")
    code, out = signin(capsys, any_url, "A1001")
    assert out["result"] == "already"
    handle = database.bind(any_url)
    assert any(i.columns == ["card"] for i in handle.get_indexes("staff"))
    handle.close()
