"""Fuzzing what people and files bring to the screens (issue 10): a suite that would have caught
the markup crash and the glued bursts.

Rosters of hypothesis-made names, departments and job titles (markup and brackets, RTL scripts,
wide CJK, emoji, combining marks; control characters only where they must be refused) and a
session with a made-up title and place go in through the real CLI (``kiosk staff import`` of a
CSV file, ``kiosk session add``). Then the real kiosk runs under Pilot and everyone is typed in
ONE burst (one terminal write through Textual's parser), then once more each: the app never
exits, every burst gives one outcome per Enter, and the name on screen is the stored name.

Screen-level examples are few (Pilot is slow): ``ci`` 12 rosters of up to 16 people, ``dev`` 5.
The pure properties (``plain``, the paste splitter) take the suite's ``ci`` 10,000 examples.
"""

from __future__ import annotations

import asyncio
import csv
import os
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import database, migrations
from db.models import SignInEvent, Staff
from kiosk.config import Settings
from kiosk.text_safety import has_controls
from kiosk.ui.app import build_app
from kiosk.ui.plain import clean, plain
from kiosk.ui.safe_app import paste_pieces
from kiosk.ui.widgets.result_banner import ResultBanner, spaced
from tests.cli_runner import kiosk as cli
from tests.ui.bursts import settled, type_burst
from tests.ui.kiosk_office import FrozenClock

CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
SCREENS = settings(max_examples=12 if CI else 5, deadline=None, derandomize=False,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                          HealthCheck.data_too_large])
PURE = settings(max_examples=10_000 if CI else 400, deadline=None)

MARKUP = ["[", "]", "[/]", "[b]", "[/b]", "[bold]", "[/bold]", "[@click=app.quit]", "[on leave]",
          "[link=http://x]", "[red on blue]", "\\[", "$name", "${x}", "[i", "]]", "[/@]", "&lt;", "<b>"]
EMOJI = ["😀", "👍🏽", "👨\u200d👩\u200d👧", "🇨🇳", "❤️", "🧑\u200d💻"]


def _chars(lo: int, hi: int, size: int = 4) -> st.SearchStrategy[str]:
    return st.text(st.characters(min_codepoint=lo, max_codepoint=hi), min_size=1, max_size=size)


piece = st.one_of(
    st.sampled_from(MARKUP),
    _chars(0x4E00, 0x9FFF),  # wide CJK
    _chars(0x05D0, 0x05EA),  # Hebrew (RTL)
    _chars(0x0627, 0x064A),  # Arabic (RTL)
    st.sampled_from(EMOJI),
    st.sampled_from(["e\u0301", "\u3000", " ", "·", "—", "'", '"', ",", ";", "=1+1", "@x"]),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=5),
)
CONTROLS = ["\x1b]52;c;AAAA\x07", "\x1b[2J", "\x00", "\x7f", "\x85", "\u202e", "\u2028", "\t", "\r"]


def field(max_pieces: int = 5) -> st.SearchStrategy[str]:
    """A printable text field of markup, brackets, scripts and emoji (non-blank, ≤ ~24 chars)."""
    return (st.lists(piece, min_size=1, max_size=max_pieces).map("".join)
            .filter(lambda s: s.strip() and len(s) <= 24 and not has_controls(s)))


person = st.tuples(field(), field(3), field(3))  # name, department, job title
roster = st.lists(person, min_size=1, max_size=16)


def write_roster(path: Path, people: list[tuple[str, str, str]]) -> list[str]:
    ids = [f"F{i:04d}" for i in range(1, len(people) + 1)]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["工号", "姓名", "部门", "职务"])
        out.writerows([sid, *p] for sid, p in zip(ids, people, strict=True))
    return ids


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


async def sign_in_everyone(app, ids: list[str], stored: dict[str, tuple[str, str]],
                           line_end: str, title: str) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(app, pilot)
        # everyone in one write, plus two refusals: one outcome per Enter
        junk = ["Z[/]9", "[@click=app.quit]"]
        burst = [*ids[:1], *junk, *ids[1:]]
        type_burst(app, "".join(s + line_end for s in burst))
        await settled(app, pilot, rounds=4)
        assert app.is_running and app.return_code is None
        assert SignInEvent.select().count() == len(burst)
        # then each again, on its own: the banner names exactly the stored person
        for sid in ids:
            type_burst(app, sid + line_end)
            await settled(app, pilot, rounds=2)
            banner = app.signin.query_one(ResultBanner)
            name, dept = stored[sid]
            lines = banner.text.splitlines()
            assert banner.has_class("-warn"), banner.text  # "already signed in"
            assert lines[1] == spaced(name)
            assert lines[2] == (f"{dept}  ·  {title}" if dept else title)
            assert nfc(spaced(name)) in nfc(screen_text(app)).replace("\n", "")
        assert app.is_running and app.return_code is None


@SCREENS
@given(people=roster, title=field(), place=field(3), line_end=st.sampled_from(["\r", "\n", "\r\n"]))
def test_fuzzed_rosters_import_and_sign_in_on_the_real_kiosk(capsys, people, title, place, line_end):
    with tempfile.TemporaryDirectory(prefix="fuzz-screen-") as tmp:
        home, url = Path(tmp) / "home", f"sqlite:///{tmp}/kiosk.db"
        home.mkdir()
        db = database.bind(url)
        migrations.upgrade(db)
        try:
            ids = write_roster(Path(tmp) / "roster.csv", people)
            run = cli(capsys, "staff", "import", Path(tmp) / "roster.csv", "--db", url)
            assert run.code == 0, run.err
            run = cli(capsys, "session", "add", "--title", title, "--kind", "lecture", "--start",
                      "2026-11-28 09:00", "--end", "2026-11-28 11:00", "--location", place, "--db", url)
            assert run.code == 0, run.err
            db.close()
            db = database.bind(url)  # the CLI bound its own handle: the app gets a fresh one
            stored = {s.staff_id: (s.name, s.department) for s in Staff.select()}
            assert set(stored) == set(ids)
            stored_title = title.strip()
            config = Settings(home=home, db_url=url, lang="zh", office_name=title, kiosk_id="fuzz")
            app = build_app(config, db, clock=FrozenClock("2026-11-28 09:02"))
            asyncio.run(sign_in_everyone(app, ids, stored, line_end, stored_title))
        finally:
            db.close()


@settings(max_examples=60 if CI else 20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=roster, bad=st.sampled_from(CONTROLS), where=st.integers(0, 2), at=st.integers(0, 15))
def test_a_control_character_anywhere_in_a_roster_refuses_the_import(capsys, people, bad, where, at):
    """Control characters are refused at the door of the data (so no screen ever meets one)."""
    at %= len(people)
    row = list(people[at])
    row[where] = f"{row[where]}{bad}x"  # inside the text (surrounding whitespace is trimmed)
    people = [*people[:at], tuple(row), *people[at + 1:]]
    with tempfile.TemporaryDirectory(prefix="fuzz-import-") as tmp:
        url = f"sqlite:///{tmp}/kiosk.db"
        db = database.bind(url)
        migrations.upgrade(db)
        try:
            write_roster(Path(tmp) / "roster.csv", people)
            run = cli(capsys, "staff", "import", Path(tmp) / "roster.csv", "--db", url)
            assert run.code == 1 and run.err.strip()
            assert not has_controls(run.err.replace("\n", ""))  # named with a visible escape
            db.close()
            db = database.bind(url)
            assert Staff.select().count() == 0
        finally:
            db.close()


@PURE
@given(text=st.text())
def test_plain_is_always_literal_and_never_carries_a_control(text):
    shown = plain(text)
    assert not shown.spans and not has_controls(shown.plain.replace("\n", ""))
    assert shown.plain == (text if not has_controls(text.replace("\n", "")) else clean(text))


@settings(PURE, max_examples=2_000 if CI else 200)
@given(text=st.lists(st.sampled_from(["a", "中", "\r", "\n", "\t", "\r\n", " ", "[b]"])).map("".join))
def test_a_pasted_text_replays_as_its_runs_and_one_key_per_line_break(text):
    pieces = paste_pieces(text)
    typed = "".join(p.text if hasattr(p, "text") else {"enter": "\n", "tab": "\t"}[p.key] for p in pieces)
    assert typed == text.replace("\r\n", "\n").replace("\r", "\n")
