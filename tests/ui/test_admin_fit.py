"""The console's tables fit the screen (SPEC §11: usable at 80×24; FINDINGS e: the plan's
类型 and 地点 were cut off at 80 columns). Pure fitting rules, then the real console under Pilot."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from db.models import StudySession
from kiosk.ui.admin.fit import WHOLE, Fit, elide, fit_columns
from tests.conftest import make_office
from tests.ui.test_admin_console import console, ready, table


def test_elide_counts_wide_characters_and_marks_the_cut():
    assert elide("机关学习日:学习贯彻全会精神", 10) == "机关学习…"
    assert cell_len(elide("机关学习日:学习贯彻全会精神", 10)) <= 10
    assert elide("short", 10) == "short" and elide("abcdef", 4) == "abc…"


def test_the_least_important_column_gives_way_first_and_is_dropped_last_resort():
    labels = ["id", "title", "place"]
    rows = [["1", "t" * 40, "p" * 20]]
    fits = [WHOLE, Fit(10, 1), Fit(6, 2, drop=True)]
    assert fit_columns(labels, rows, fits, 200) == ([0, 1, 2], [2, 40, 20])
    shown, widths = fit_columns(labels, rows, fits, 50)  # the place shrinks first
    assert shown == [0, 1, 2] and widths[2] == 6 and sum(widths) + 6 <= 50
    assert fit_columns(labels, rows, fits, 24) == ([0, 1, 2], [2, 10, 6])  # all at their least
    assert fit_columns(labels, rows, fits, 22) == ([0, 1], [2, 16])  # then the place goes


TEXT = st.text(alphabet="ab机关学习日…", max_size=30)


@given(st.lists(st.tuples(st.text(alphabet="0123456789", max_size=4), TEXT, TEXT, TEXT).map(list),
                max_size=8), st.integers(40, 200))
def test_whatever_the_data_the_table_fits_where_the_shortest_widths_do(rows, width):
    labels = ["编号", "标题", "类型", "地点"]
    fits = [WHOLE, Fit(8, 1), Fit(6, 2, drop=True), Fit(6, 3, drop=True)]
    shown, widths = fit_columns(labels, rows, fits, width)
    assert 0 in shown and 1 in shown
    assert sum(widths) + 2 * len(shown) <= width
    for i, w in zip(shown, widths, strict=True):
        assert w <= max([cell_len(labels[i])] + [cell_len(r[i]) for r in rows])


def _lines(app) -> list[str]:
    """What the table shows, row by row, as text."""
    grid = table(app)
    return [" ".join(str(grid.get_cell_at((r, c))) for c in range(len(grid.columns)))
            for r in range(grid.row_count)]


async def test_the_plan_fits_80x24_with_every_column_and_uses_160x50(db, home):
    make_office(db)
    with db.atomic():
        StudySession.update(title="党组理论学习中心组第十五次集中学习:深入学习贯彻全会精神",
                            location="机关三楼大会议室(东侧)").execute()
    for size, lang in (((80, 24), "zh"), ((80, 24), "en"), ((160, 50), "zh")):
        app = console(db, home, lang=lang)
        async with app.run_test(size=size) as pilot:
            await ready(pilot)
            await pilot.press("f2")
            await ready(pilot)
            grid = table(app)
            widths = [c.get_render_width(grid) for c in grid.columns.values()]
            assert len(widths) == 7, (size, lang)  # 类型 and 地点 kept, elided
            assert sum(widths) <= grid.size.width, (size, lang, widths, grid.size.width)
            assert grid.virtual_size.width <= grid.size.width  # no sideways scrolling
            text = "\n".join(_lines(app))
            if size == (160, 50):
                assert "深入学习贯彻全会精神" in text and "(东侧)" in text and "…" not in text, text
            else:
                assert "党组理论学习" in text and "…" in text


async def test_a_narrow_window_drops_the_place_then_the_kind_but_never_the_title(db, home):
    make_office(db)
    app = console(db, home)
    async with app.run_test(size=(56, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f2")
        await ready(pilot)
        labels = [str(c.label) for c in table(app).columns.values()]
        assert "地点" not in labels and "标题" in labels and "编号" in labels
        assert table(app).virtual_size.width <= table(app).size.width


def test_a_cancellation_s_reason_gives_way_before_the_title_and_the_place_stays_at_80():
    """Seen driving the console: a cancelled session's long reason kept its width and pushed
    地点 off at 80 columns."""
    from kiosk.ui.admin.plan import FITS

    labels = ["编号", "状态", "日期", "时间", "标题", "类型", "地点"]
    rows = [["37", "正常", "12-02", "02:15–04:15", "机关学习日:学习贯彻全会精神(演示)", "机关学习日",
             "机关三楼大会议室"],
            ["39", "已取消: 领导临时出差,改期", "12-02", "09:00–11:00",
             "专题党课:一个很长很长的标题用来测试省略号显示效果", "机关学习日", ""]]
    shown, widths = fit_columns(labels, rows, FITS, 76)  # the table's room in an 80-column console
    assert shown == list(range(7))
    assert widths[4] > widths[1] and widths[1] == 9
