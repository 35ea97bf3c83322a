"""Credits outside sessions (SPEC §10): ``kiosk credit add|import|list``, validation, the audit
event, and the annual targets they count toward — through the real CLI on every engine."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest
from openpyxl import Workbook

from db import database
from db.models import Credit, SignInEvent
from kiosk.config import ConfigError, Target
from kiosk.reports import ReportOptions, annual
from tests.cli_runner import init_office, kiosk
from tests.conftest import TZ, wall

ROSTER = ("工号,姓名,部门,分组,职务,在职\nA1001,张三,办公室,中心组,主任,是\n"
          "A1002,李四,办公室,,科员,是\nB2001,王五,财务科,,科长,否\n")


@pytest.fixture
def office(any_url, tmp_path, capsys):
    return init_office(capsys, any_url, tmp_path, ROSTER)


def add(capsys, url, staff, *extra):
    return kiosk(capsys, "credit", "add", staff, *extra, "--db", url)


def test_add_list_and_audit_on_every_engine(office, capsys):
    run = add(capsys, office, "a1001", "--kind", "article", "--title", "关于基层治理的调研报告",
              "--date", "2026-03-10", "--json")
    assert run.code == 0, run.err
    added = run.json()
    assert (added["staff_id"], added["kind"], added["hours"], added["status"]) == (
        "A1001", "article", None, "added")
    run = add(capsys, office, "A1001", "--kind", "自学", "--title", "读《习近平谈治国理政》",
              "--date", "2026-03-11", "--hours", "2.5")
    assert run.code == 0 and "已登记" in run.out and "2.5学时" in run.out
    # the same credit again changes its hours, never counts twice
    again = add(capsys, office, "A1001", "--kind", "self_study", "--title", "读《习近平谈治国理政》",
                "--date", "2026-03-11", "--hours", "3", "--json")
    assert again.json()["status"] == "updated"
    assert add(capsys, office, "A1001", "--kind", "self_study", "--title", "读《习近平谈治国理政》",
               "--date", "2026-03-11", "--hours", "3", "--json").json()["status"] == "unchanged"
    add(capsys, office, "A1002", "--kind", "trip", "--title", "延安学习考察", "--date", "2025-10-01",
        "--hours", "8")
    listed = kiosk(capsys, "credit", "list", "--year", "2026", "--json", "--db", office).json()
    assert [(c["staff_id"], c["kind"], c["date"], c["hours"]) for c in listed] == [
        ("A1001", "article", "2026-03-10", None), ("A1001", "self_study", "2026-03-11", 3.0)]
    mine = kiosk(capsys, "credit", "list", "--staff", "a1002", "--json", "--db", office).json()
    assert [c["title"] for c in mine] == ["延安学习考察"]
    table = kiosk(capsys, "credit", "list", "--db", office)
    assert table.code == 0 and "延安学习考察" in table.out and "个人自学" in table.out
    handle = database.bind(office)
    events = list(SignInEvent.select().where(SignInEvent.result == "credit")
                  .order_by(SignInEvent.seq).dicts())
    assert [(e["staff_key"], e["reason"], e["actor"]) for e in events] == [
        ("A1001", "article", "admin"), ("A1001", "self_study", "admin"),
        ("A1001", "self_study", "admin"), ("A1002", "trip", "admin")]  # the unchanged one: none
    assert "延安学习考察" in events[-1]["note"]
    assert Credit.select().count() == 3
    handle.close()


@pytest.mark.parametrize(("extra", "needle"), [
    (["--staff", "NOBODY"], "没有这个工号"),
    (["--date", "FUTURE"], "晚于今天"),
    (["--hours", "0"], "学时不对"),
    (["--hours", "-1"], "学时不对"),
    (["--hours", "24.5"], "学时不对"),
    (["--hours", "nan"], "学时不对"),
    (["--hours", "0.0001"], "学时不对"),  # kept to 0.01 h: it would be stored as 0 hours
    (["--date", "1900-01-01"], "太早"),
    (["--kind", "poem"], "类型不对"),
    (["--date", "2026-02-30"], "日期不对"),
    (["--title", "a\x1b[31mb"], "标题"),
    (["--title", "abc\u202edcba"], "标题"),  # a bidi override: text that reads backwards
    (["--title", "  "], "标题"),
])
def test_refusals_are_one_line_and_write_nothing(office, capsys, extra, needle):
    values = {"--staff": "A1001", "--kind": "training", "--title": "党纪学习教育培训",
              "--date": "2026-04-01", "--hours": "4"}
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        values[flag] = value
    if values["--date"] == "FUTURE":
        values["--date"] = (dt.datetime.now(TZ).date() + dt.timedelta(days=1)).isoformat()
    staff = values.pop("--staff")
    run = add(capsys, office, staff, *[x for pair in values.items() for x in pair])
    assert run.code == 1 and needle in run.err and len(run.err.strip().splitlines()) == 1
    assert "Traceback" not in run.err
    handle = database.bind(office)
    assert Credit.select().count() == 0
    assert not SignInEvent.select().where(SignInEvent.result == "credit").exists()
    handle.close()


def test_twenty_four_hours_and_today_are_accepted(office, capsys):
    today = dt.datetime.now(TZ).date().isoformat()
    run = add(capsys, office, "B2001", "--kind", "training", "--title", "全天培训　（集中）",
              "--date", today, "--hours", "24")  # an ideographic space is text
    assert run.code == 0, run.err  # an inactive person may be credited for past work


def test_import_csv_and_xlsx_all_or_nothing(office, capsys, tmp_path):
    good = tmp_path / "credits.csv"
    good.write_text("工号,类型,标题,日期,学时\nA1001,调研文章,关于营商环境的调研,2026-05-06,\n"
                    "A1001,培训,党校进修,2026/5/7,6\nA1002,自学,线上学习,2026年5月8日,1.5\n",
                    encoding="gbk")
    run = kiosk(capsys, "credit", "import", good, "--json", "--db", office)
    assert run.code == 0, run.err
    assert (run.json()["added"], run.json()["unchanged"]) == (3, 0)
    assert kiosk(capsys, "credit", "import", good, "--json", "--db", office).json()["unchanged"] == 3
    book = Workbook()
    sheet = book.active
    sheet.append(["staff_id", "kind", "title", "date", "hours"])
    sheet.append(["A1002", "article", "学习体会", dt.datetime(2026, 6, 1), None])
    sheet.append(["NOBODY", "article", "x", "2026-06-01", None])
    sheet.append(["A1002", "trip", "考察", (dt.datetime.now(TZ).date() + dt.timedelta(days=40)), 3])
    sheet.append(["A1002", "self_study", "自学", "2026-06-02", 30])
    sheet.append(["A1002", "article", "学习体会", "2026-06-01", None])
    bad = tmp_path / "credits.xlsx"
    book.save(bad)
    run = kiosk(capsys, "credit", "import", bad, "--db", office)
    assert run.code == 1
    lines = run.err.strip().splitlines()
    assert "未导入任何数据" in lines[0] and len(lines) == 5
    for line_no, needle in ((3, "没有这个工号"), (4, "晚于今天"), (5, "学时不对"), (6, "第 2 行")):
        assert any(f"第 {line_no} 行" in x and needle in x for x in lines[1:]), (line_no, lines)
    handle = database.bind(office)
    assert Credit.select().count() == 3  # nothing of the bad file
    handle.close()
    missing = tmp_path / "missing.csv"
    missing.write_text("工号,标题\nA1001,x\n", encoding="utf-8")
    run = kiosk(capsys, "credit", "import", missing, "--db", office)
    assert run.code == 1 and "类型" in run.err and "日期" in run.err


TARGETS = (
    Target(name="学时", who="all", metric="hours", required=10),
    Target(name="会议学时", who="all", metric="hours", required=10, sources=("sessions",)),
    Target(name="自学学时", who="all", metric="hours", required=2, sources=("self_study",)),
    Target(name="调研文章", who="group:中心组", metric="articles", required=2),
)


def test_annual_targets_count_credits(office, capsys):
    run = kiosk(capsys, "session", "add", "--title", "机关学习日", "--kind", "learning_day",
                "--start", "2026-03-02 09:00", "--end", "2026-03-02 12:00", "--json", "--db", office)
    sid = run.json()["id"]
    assert kiosk(capsys, "signin", "A1001", "--session", sid, "--at", "2026-03-02 08:55",
                 "--db", office).code == 0
    for args in (["--kind", "article", "--title", "文章一", "--date", "2026-04-01"],
                 ["--kind", "article", "--title", "文章二", "--date", "2026-05-01", "--hours", "2"],
                 ["--kind", "self_study", "--title", "自学", "--date", "2026-05-02", "--hours", "4"],
                 ["--kind", "article", "--title", "去年的文章", "--date", "2025-12-31"]):
        assert add(capsys, office, "A1001", *args).code == 0
    handle = database.bind(office)
    report = annual(2026, ReportOptions(tz=TZ, now=wall("2026-06-30 12:00"), targets=TARGETS))
    handle.close()
    a1001 = next(p for p in report["people"] if p["staff_id"] == "A1001")
    assert (a1001["credit_hours"], a1001["session_hours"]) == (9.0, 3.0)
    assert a1001["credits"]["articles"] == 2 and a1001["credits"]["hours"] == 6.0
    assert [(x["name"], x["achieved"], x["met"]) for x in a1001["targets"]] == [
        ("学时", 9.0, False), ("会议学时", 3.0, False), ("自学学时", 4.0, True), ("调研文章", 2, True)]
    a1002 = next(p for p in report["people"] if p["staff_id"] == "A1002")
    assert [x["name"] for x in a1002["targets"]] == ["学时", "会议学时", "自学学时"]


def test_targets_config_accepts_articles_and_sources(tmp_path):
    from kiosk import config

    (tmp_path / "config.toml").write_text(
        '[[targets]]\nname = "文章"\nwho = "group:中心组"\nmetric = "articles"\nrequired = 3\n'
        '[[targets]]\nname = "自学"\nmetric = "hours"\nsources = ["self_study", "sessions"]\n'
        'required = 20\n', encoding="utf-8")
    settings = config.load({}, home=tmp_path)
    assert settings.targets[0].metric == "articles"
    assert settings.targets[1].sources == ("self_study", "sessions")
    (tmp_path / "config.toml").write_text(
        '[[targets]]\nname = "x"\nrequired = 3\nsources = ["poems"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="sources"):
        config.load({}, home=tmp_path)


def test_credit_table_exists_after_upgrade_on_every_engine(office):
    handle = database.bind(office)
    assert "credit" in handle.get_tables()
    columns = {c.name for c in handle.get_columns("credit")}
    assert {"uid", "staff_id", "kind", "title", "date", "hours", "event_id"} <= columns
    with pytest.raises(pw.IntegrityError), handle.atomic():
        for _ in range(2):
            Credit.insert(uid="same", staff="A1001", kind="other", title="x",
                          date=dt.date(2026, 1, 1)).execute()
    handle.close()


@pytest.fixture(params=["postgresql", "mysql"])
def server_url(request):
    return request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")


def test_adopt_uploads_the_credits_of_a_standalone_home(server_url, tmp_path, capsys):
    """An office moving to a centre (``kiosk sync --adopt``) takes its credits along, same uid;
    the next pull matches them instead of doubling them."""
    assert kiosk(capsys, "init", "--no-keys").code == 0
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    assert kiosk(capsys, "staff", "import", path).code == 0
    assert kiosk(capsys, "session", "add", "--title", "学习", "--kind", "lecture", "--start",
                 "2026-03-02 09:00", "--end", "2026-03-02 10:00").code == 0
    local = kiosk(capsys, "credit", "add", "A1001", "--kind", "article", "--title", "调研",
                  "--date", "2026-03-01", "--json").json()
    assert kiosk(capsys, "init", "--db", server_url, "--no-keys").code == 0
    run = kiosk(capsys, "sync", "--adopt", "--central", server_url)
    assert run.code == 0, run.err
    there = kiosk(capsys, "credit", "list", "--json", "--db", server_url).json()
    assert [(c["uid"], c["title"]) for c in there] == [(local["uid"], "调研")]
    assert kiosk(capsys, "sync", "--once").code == 0
    assert len(kiosk(capsys, "credit", "list", "--json").json()) == 1


def test_demo_office_has_credits_once(capsys):
    """``kiosk demo`` credits its office's articles, self-study, training and trips (so the
    person record shows them); a second run adds none."""
    assert kiosk(capsys, "demo", "--no-run").code == 0
    first = kiosk(capsys, "credit", "list", "--json").json()
    kinds = {c["kind"] for c in first}
    assert {"article", "self_study", "training"} <= kinds and len(first) > 100
    today = dt.datetime.now(TZ).date().isoformat()
    assert all(c["date"] <= today for c in first)
    roster = kiosk(capsys, "staff", "list", "--json").json()
    central = {p["staff_id"] for p in roster if "中心组" in p["groups"] and p["active"]}
    writers = {c["staff_id"] for c in first if c["kind"] == "article"}
    assert central <= writers
    assert kiosk(capsys, "demo", "--no-run").code == 0
    assert len(kiosk(capsys, "credit", "list", "--json").json()) == len(first)


def test_a_home_that_mirrors_a_centre_sends_credits_to_the_centre(server_url, tmp_path, capsys):
    """A credit recorded on a door (or an admin home mirroring the centre) would never reach the
    centre (credits are pulled, not pushed): refused there with the ``--db`` that works, nothing
    written; recorded at the centre it reaches the home at the next sync."""
    assert kiosk(capsys, "init", "--db", server_url, "--no-keys").code == 0
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    assert kiosk(capsys, "staff", "import", path, "--db", server_url).code == 0
    assert kiosk(capsys, "sync", "--once", "--central", server_url).code == 0  # a door home
    credits = tmp_path / "credits.csv"
    credits.write_text("工号,类型,标题,日期\nA1001,article,调研,2026-03-01\n", encoding="utf-8")
    for argv in (["add", "A1001", "--kind", "article", "--title", "调研", "--date", "2026-03-01"],
                 ["import", credits]):
        run = kiosk(capsys, "credit", *argv, "--lang", "en")
        assert run.code == 1 and "--db" in run.err and "Traceback" not in run.err, run.err
        assert database.redact_url(server_url) in run.err and "@" not in run.err.split("--db")[1]
    assert kiosk(capsys, "credit", "list", "--json").json() == []
    assert kiosk(capsys, "credit", "import", credits, "--db", server_url).code == 0
    assert kiosk(capsys, "sync", "--once").code == 0
    assert [c["title"] for c in kiosk(capsys, "credit", "list", "--json").json()] == ["调研"]
