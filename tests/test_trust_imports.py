"""SPEC §7 on imports, through ``kiosk staff import`` / ``kiosk session import`` on real files:
stale XLSX ``<dimension>`` tags, zip bombs, formulas without values, CR/LF/CRLF, a column named
twice, mixed encodings and bad lines named by their own line number, control characters."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.cli_runner import kiosk

ROSTER_ROWS = [["工号", "姓名", "部门"], ["A1001", "张三", "办公室"], ["A1002", "李四", "办公室"],
               ["B2001", "王五", "财务科"], ["B2002", "赵六", "财务科"], ["C3001", "孙七", "人事科"]]


@pytest.fixture
def url(tmp_path, capsys) -> str:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    assert kiosk(capsys, "init", "--db", url, "--no-keys").code == 0
    return url


def xlsx(path: Path, rows: list[list], edit=None) -> Path:
    """An XLSX written by openpyxl; ``edit(name, xml) -> xml`` rewrites parts inside the zip
    (as other tools' files differ from openpyxl's)."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    if edit is None:
        path.write_bytes(buf.getvalue())
        return path
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith(".xml"):
                data = edit(item.filename, data.decode("utf-8")).encode("utf-8")
            dst.writestr(item.filename, data)
    return path


def stale_dimension(name: str, xml: str) -> str:
    if name == "xl/worksheets/sheet1.xml":
        xml, count = re.subn(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:C2"/>', xml)
        assert count == 1
    return xml


def staff(capsys, url: str) -> list[dict]:
    run = kiosk(capsys, "staff", "list", "--json", "--db", url)
    assert run.code == 0, run.err
    return run.json()


def test_xlsx_rows_beyond_a_stale_dimension_are_all_read(url, tmp_path, capsys):
    path = xlsx(tmp_path / "roster.xlsx", ROSTER_ROWS, stale_dimension)
    assert '<dimension ref="A1:C2"/>' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    run = kiosk(capsys, "staff", "import", path, "--json", "--db", url)
    assert run.code == 0, run.err
    assert run.json()["added"] == 5
    assert {p["staff_id"] for p in staff(capsys, url)} == {r[0] for r in ROSTER_ROWS[1:]}


def test_plan_rows_beyond_a_stale_dimension_are_all_read(url, tmp_path, capsys):
    rows = [["标题", "类型", "开始", "结束"]] + [
        [f"第{i}讲", "lecture", f"2026-12-0{i} 09:00", f"2026-12-0{i} 11:00"] for i in range(1, 6)]
    path = xlsx(tmp_path / "plan.xlsx", rows, stale_dimension)
    run = kiosk(capsys, "session", "import", path, "--json", "--db", url)
    assert run.code == 0, run.err
    assert run.json()["added"] == 5


def test_xlsx_bad_rows_are_named_by_their_spreadsheet_row(url, tmp_path, capsys):
    rows = [ROSTER_ROWS[0], ROSTER_ROWS[1], [None, None, None], [None, None, None],
            ["bad id!", "某人", "办公室"]]
    run = kiosk(capsys, "staff", "import", xlsx(tmp_path / "r.xlsx", rows), "--db", url)
    assert run.code == 1 and "第 5 行" in run.err and "bad id!" in run.err


def test_an_xlsx_that_unzips_past_50_mb_is_refused_before_parsing(url, tmp_path, capsys):
    """A 60 MB cell that zips to a few hundred KB: refused from the zip's own sizes."""
    def huge_cell(name: str, xml: str) -> str:
        if name == "xl/worksheets/sheet1.xml":
            xml = xml.replace("<v>赵六</v>", "")  # (shared strings: keep the part well-formed)
            cell = '<c r="D2" t="inlineStr"><is><t>' + "A" * (60 * 1024 * 1024) + "</t></is></c>"
            xml = xml.replace('<c r="C2"', cell + '<c r="C2"', 1)
        return xml

    path = xlsx(tmp_path / "bomb.xlsx", ROSTER_ROWS, huge_cell)
    assert path.stat().st_size < 1024 * 1024
    run = kiosk(capsys, "staff", "import", path, "--db", url, "--lang", "en")
    assert run.code == 1 and "50 MB" in run.err and "60 MB" in run.err
    assert staff(capsys, url) == []


def test_a_formula_without_a_saved_value_is_refused_by_name(url, tmp_path, capsys):
    rows = [list(r) for r in ROSTER_ROWS]
    rows[3][1] = '=CONCAT("王","五")'  # openpyxl saves formulas without a cached value
    path = xlsx(tmp_path / "roster.xlsx", rows)
    run = kiosk(capsys, "staff", "import", path, "--db", url, "--lang", "en")
    assert run.code == 1
    assert "line 4: 姓名: a formula, save the file with values" in run.err
    zh = kiosk(capsys, "staff", "import", path, "--db", url)
    assert "第 4 行" in zh.err and "姓名" in zh.err and "公式" in zh.err
    assert staff(capsys, url) == []


def test_formula_rows_are_named_with_every_other_problem_and_counted(url, tmp_path, capsys):
    """FINDINGS 18: two formula rows said "1 problem" and hid the other rows' problems."""
    rows = [["工号", "类型", "标题", "日期", "学时"],
            ["A1001", "article", "=1+1", "2026-11-05", ""],
            ["A1002", "self_study", "正常", "2026-11-05", "=2*3"],
            ["A1003", "self_study", "正常2", "2099-01-01", "1"],
            ["A1004", "self_study", "正常3", "2026-11-05", "25"],
            ["NOBODY", "self_study", "正常4", "2026-11-05", "1"]]
    assert kiosk(capsys, "staff", "import", xlsx(tmp_path / "roster.xlsx", ROSTER_ROWS),
                 "--db", url).code == 0
    run = kiosk(capsys, "credit", "import", xlsx(tmp_path / "credits.xlsx", rows), "--db", url)
    assert run.code == 1
    assert re.findall(r"第 (\d+) 行", run.err) == ["2", "3", "4", "5", "6"], run.err
    assert "5 处错误" in run.err and "标题" in run.err and "学时" in run.err
    plan = [["标题", "类型", "开始", "结束"],
            ["=CONCAT(\"学\",\"习\")", "lecture", "2026-11-10 09:00", "2026-11-10 11:00"],
            ["长会", "lecture", "2026-11-10 09:00", "2026-11-12 11:00"],
            ["倒序", "lecture", "2026-11-10 11:00", "2026-11-10 09:00"],
            ["正常一", "lecture", "2026-11-11 09:00", "2026-11-11 11:00"],
            ["正常二", "lecture", "2026-11-12 09:00", "2026-11-12 11:00"]]
    dry = kiosk(capsys, "session", "import", xlsx(tmp_path / "plan.xlsx", plan), "--dry-run",
                "--db", url, "--json")
    assert dry.code == 1, dry.err
    preview = dry.json()
    assert [p["line"] for p in preview["problems"]] == [2, 3, 4]
    assert len([c for c in preview["changes"] if c["action"] == "added"]) == 2


def test_a_formula_with_a_saved_value_reads_its_value(url, tmp_path, capsys):
    def cached(name: str, xml: str) -> str:
        if name == "xl/worksheets/sheet1.xml":
            xml = re.sub(r'<c r="B4"[^>]*>.*?</c>',
                         '<c r="B4" t="str"><f>CONCAT("王","五")</f><v>王五</v></c>', xml)
        return xml

    rows = [list(r) for r in ROSTER_ROWS]
    rows[3][1] = '=CONCAT("王","五")'
    run = kiosk(capsys, "staff", "import", xlsx(tmp_path / "r.xlsx", rows, cached), "--db", url)
    assert run.code == 0, run.err
    assert "王五" in {p["name"] for p in staff(capsys, url)}


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_csv_line_ends_cr_lf_and_crlf(url, tmp_path, capsys, end):
    path = tmp_path / "roster.csv"
    path.write_bytes(end.join(",".join(r) for r in ROSTER_ROWS).encode("utf-8") + end.encode())
    run = kiosk(capsys, "staff", "import", path, "--json", "--db", url)
    assert run.code == 0, run.err
    assert run.json()["added"] == 5
    assert "孙七" in {p["name"] for p in staff(capsys, url)}


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_bad_lines_are_named_by_their_own_number_whatever_the_line_ends(url, tmp_path, capsys, end):
    lines = ["工号,姓名,部门", 'A1001,"张三",办公室', 'A1002,"李四', '(续)",办公室', "bad id!,王五,财务科"]
    path = tmp_path / "roster.csv"
    path.write_bytes(end.join(lines).encode("utf-8"))
    run = kiosk(capsys, "staff", "import", path, "--db", url)
    assert run.code == 1 and "第 5 行" in run.err and "第 4 行" not in run.err


@pytest.mark.parametrize("header", ["工号,姓名,部门,姓名", "staff_id,name,姓名,department",
                                    "工号,姓名,部门,备注,备注"])
def test_a_header_naming_one_column_twice_is_refused(url, tmp_path, capsys, header):
    path = tmp_path / "roster.csv"
    path.write_text(header + "\nA1001,张三,办公室,x,y\n", encoding="utf-8")
    run = kiosk(capsys, "staff", "import", path, "--db", url, "--lang", "en")
    assert run.code == 1 and "twice" in run.err
    assert staff(capsys, url) == []


def test_plan_header_naming_one_column_twice_is_refused(url, tmp_path, capsys):
    path = tmp_path / "plan.csv"
    path.write_text("标题,类型,开始,结束,开始\n学习,lecture,2026-12-01 09:00,2026-12-01 10:00,x\n",
                    encoding="utf-8")
    run = kiosk(capsys, "session", "import", path, "--db", url, "--lang", "en")
    assert run.code == 1 and "开始" in run.err and "twice" in run.err


def test_mixed_encoding_blames_the_line_that_differs(url, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes("工号,姓名,部门\nA1001,张三,办公室\n".encode()
                     + "A1002,李四,办公室\n".encode("gbk") + "B2001,王五,财务科\n".encode())
    run = kiosk(capsys, "staff", "import", path, "--db", url)
    assert run.code == 1 and "第 3 行" in run.err and "第 1 行" not in run.err
    gbk_first = tmp_path / "gbk.csv"
    gbk_first.write_bytes("工号,姓名,部门\nA1001,张三,办公室\n".encode("gbk")
                          + "B2001,王五,财务科\n".encode())
    run = kiosk(capsys, "staff", "import", gbk_first, "--db", url)
    assert run.code == 1 and "第 3 行" in run.err
    pure_gbk = tmp_path / "pure.csv"
    pure_gbk.write_bytes("\r\n".join(",".join(r) for r in ROSTER_ROWS).encode("gbk"))
    assert kiosk(capsys, "staff", "import", pure_gbk, "--db", url).code == 0


@pytest.mark.parametrize("row, column", [
    ("A1009,王\x1b]52;c;aGk=\x07五,办公室,", "姓名"),
    ("A1009,王五,办公\x1b[2J室,", "部门"),
    ("A1009,王五,办公室,党员;\u202e中心组", "分组"),
    ("A1009,王五,办公室,党员\u2028中心组", "分组"),
    ("A1009,王\x00五,办公室,", "姓名"),  # FINDINGS 14: a stray NUL is that line's problem
])
def test_control_characters_in_roster_fields_are_refused_with_their_line(url, tmp_path, capsys,
                                                                           row, column):
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名,部门,分组\nA1001,张三,办公室,\n" + row + "\n", encoding="utf-8")
    run = kiosk(capsys, "staff", "import", path, "--db", url)
    assert run.code == 1 and "第 3 行" in run.err and column in run.err and "控制字符" in run.err
    assert "\x1b" not in run.err and "\x07" not in run.err and "\u202e" not in run.err
    assert staff(capsys, url) == []


def test_ordinary_unicode_names_are_kept_exactly(url, tmp_path, capsys):
    names = ["张\u3000三", "O'Brien-Smith", "محمد", "👩\u200d💻 李", "王[/]五", "[bold]x[/bold]"]
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名,部门\n" + "\n".join(f'A10{i:02d},"{n}",办公室' for i, n in enumerate(names))
                    + "\n", encoding="utf-8")
    assert kiosk(capsys, "staff", "import", path, "--db", url).code == 0
    assert [p["name"] for p in staff(capsys, url)] == names


def test_control_characters_in_plan_fields_and_cli_options_are_refused(url, tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text("标题,类型,开始,结束,地点\n学习,lecture,2026-12-01 09:00,2026-12-01 10:00,三楼\n"
                    "学习,lecture,2026-12-02 09:00,2026-12-02 10:00,三\x1b[31m楼\n", encoding="utf-8")
    run = kiosk(capsys, "session", "import", plan, "--db", url)
    assert run.code == 1 and "第 3 行" in run.err and "地点" in run.err and "\x1b" not in run.err
    for option in ("--title", "--location", "--speaker"):
        args = {"--title": "学习", "--location": "", "--speaker": ""}
        args[option] = "坏\x07值"
        run = kiosk(capsys, "session", "add", "--kind", "lecture", "--start", "2026-12-01 09:00",
                    "--end", "2026-12-01 10:00", "--db", url, *[x for kv in args.items() for x in kv])
        assert run.code == 1 and "控制字符" in run.err and "\x07" not in run.err, option
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名,部门\nA1001,张三,办公室\n", encoding="utf-8")
    kiosk(capsys, "staff", "import", path, "--db", url)
    sid = kiosk(capsys, "session", "add", "--title", "学习", "--kind", "lecture", "--start",
                "2026-11-30 09:00", "--end", "2026-11-30 10:00", "--json", "--db", url).json()["id"]
    run = kiosk(capsys, "leave", "add", "A1001", "--session", sid, "--reason", "病\x1b]0;x\x07假",
                "--db", url)
    assert run.code == 1 and "--reason" in run.err and "\x1b" not in run.err
    run = kiosk(capsys, "signin", "A1001", "--kiosk-id", "door\x1b", "--db", url)
    assert run.code == 1 and "--kiosk-id" in run.err


def test_control_characters_in_the_office_name_or_kiosk_id_are_refused(home, capsys):
    (home / "config.toml").write_text('[office]\nname = "示范局\\u001b]0;x\\u0007"\n', encoding="utf-8")
    run = kiosk(capsys, "staff", "list", "--lang", "en")
    assert run.code == 1 and "office.name" in run.err and "\x1b" not in run.err
    (home / "config.toml").write_text('[kiosk]\nid = "door\\u202e1"\n', encoding="utf-8")
    run = kiosk(capsys, "staff", "list", "--lang", "en")
    assert run.code == 1 and "kiosk.id" in run.err


@pytest.mark.parametrize("command", ["staff", "session"])
def test_an_over_long_line_is_named_with_every_other_lines_problem(url, tmp_path, capsys, command):
    """FINDINGS 14: one line over the limit used to hide every other line's problem."""
    path = tmp_path / "file.csv"
    if command == "staff":
        lines = ["工号,姓名,部门", "A1001,王\x1b五,办公室", "A1002,李\u202e四,办公室",
                 "A1003," + "长" * 100_000 + ",办公室", "A1004,孙七,办公室"]
    else:
        lines = ["标题,类型,开始,结束", "学习,lecture,2026-11-10 09:00,2026-11-09 11:00",
                 "学习," + "长" * 100_000 + ",2026-11-10 09:00,2026-11-10 11:00",
                 "学习,nonsense,2026-11-10 09:00,2026-11-10 11:00"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = kiosk(capsys, command, "import", path, "--db", url)
    assert run.code == 1
    named = [int(n) for n in re.findall(r"第 (\d+) 行", run.err)]
    assert named == sorted(named) and set(named) == set(range(2, len(lines) + 1)) - (
        {5} if command == "staff" else set()), run.err
    assert "行过长" in run.err and "长长长" not in run.err


def test_a_utf16_export_is_still_an_encoding_problem(url, tmp_path, capsys):
    path = tmp_path / "unicode.csv"
    path.write_bytes("工号,姓名,部门\nA1001,张三,办公室\n".encode("utf-16"))
    run = kiosk(capsys, "staff", "import", path, "--db", url)
    assert run.code == 1 and "编码" in run.err and "控制字符" not in run.err
