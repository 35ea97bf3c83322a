"""The times people type (FINDINGS #39): ``YYYY-MM-DD HH:MM`` stays the contract; the common
variants a clerk types (``/`` or ``.`` or 年月日, one-digit parts, full-width digits from a
Chinese input method) read as the same instant; nothing is guessed (no date, no year: refused).
The console's shortened forms are completed from the date it shows, never by the shared parser."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import timefmt
from tests.cli_runner import kiosk
from tests.conftest import TZ

NINE = dt.datetime(2026, 12, 5, 9, 0)


@pytest.mark.parametrize("typed", [
    "2026-12-05 09:00", "2026-12-05T09:00", "2026-12-05 09:00:00", "2026-12-5 9:00",
    "2026/12/05 09:00", "2026/12/5 9:00", "2026.12.05 09:00", "2026年12月5日 9:00",
    "2026年12月05日09:00", "２０２６－１２－０５　０９：００", "2026/12/05 09：00", " 2026-12-05  09:00 ",
])
def test_the_forms_a_clerk_types_read_as_one_instant(typed):
    assert timefmt.parse_local(typed) == NINE
    assert timefmt.parse_wall(typed, TZ) == dt.datetime(2026, 12, 5, 1, 0)  # +08:00


@pytest.mark.parametrize("typed", [
    "", "2026-12-05", "12-05 09:00", "05 09:00", "09:00", "2026-13-05 09:00", "2026-02-30 09:00",
    "2026-12-05 24:00", "2026-12-05 9", "2026-12-0509:00", "2026-12-05 09:00 extra", "1969-12-31 23:00",
    "2026-12-05 09:60",
])
def test_nothing_is_guessed(typed):
    with pytest.raises(timefmt.BadTime):
        timefmt.parse_local(typed)


@given(st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2199, 12, 30)))
def test_the_contract_form_round_trips(moment):
    moment = moment.replace(second=0, microsecond=0)
    assert timefmt.parse_local(moment.strftime(timefmt.WALL_FORMAT)) == moment
    assert timefmt.parse_local(moment.strftime("%Y/%m/%d %H:%M")) == moment


@pytest.mark.parametrize(("typed", "completed"), [
    ("05 09:00", "2026-12-05 09:00"), ("5日 9:00", "2026-12-05 09:00"),
    ("12-05 9:00", "2026-12-05 09:00"), ("12月5日 9:00", "2026-12-05 09:00"),
    ("9:00", "2026-12-01 09:00"), ("１４：３０", "2026-12-01 14:30"),
    ("2026-12-05 09:00", "2026-12-05 09:00"), ("2027/01/05 9:00", "2027/01/05 9:00"),
    ("nonsense", "nonsense"), ("31 09:00", "2026-12-31 09:00"),
])
def test_the_console_completes_a_shortened_time_from_the_date_shown(typed, completed):
    assert timefmt.complete_wall(typed, dt.date(2026, 12, 1)) == completed


def test_the_cli_keeps_its_form_and_accepts_a_slashed_one(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'office.db'}"
    assert kiosk(capsys, "init", "--db", url, "--no-keys").code == 0
    for start, end in (("2026-12-05 09:00", "2026-12-05 10:00"), ("2026/12/06 9:00", "2026/12/6 10:30")):
        made = kiosk(capsys, "session", "add", "--title", "学习", "--kind", "lecture", "--start", start,
                     "--end", end, "--db", url)
        assert made.code == 0, made.err
    refused = kiosk(capsys, "session", "add", "--title", "学习", "--kind", "lecture",
                    "--start", "05 09:00", "--end", "05 10:00", "--db", url)
    assert refused.code != 0 and "05 09:00" in refused.err and "Traceback" not in refused.err
    listed = kiosk(capsys, "session", "list", "--json", "--db", url)
    assert listed.code == 0
    assert "2026-12-06T09:00:00+08:00" in listed.out and "2026-12-06T10:30:00+08:00" in listed.out
