"""``kiosk demo --no-run``: a realistic office, a session open now, and safe to run twice."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from db import database
from db.models import Attendance, Department, SessionAudience, SignInEvent, Staff, StaffGroup, StudySession
from kiosk import pin, rules, timefmt
from kiosk.sign_in_outcome import session_view
from tests.cli_runner import kiosk


def counts() -> dict[str, int]:
    return {model.__name__: model.select().count()
            for model in (Staff, Department, StaffGroup, StudySession, SessionAudience, Attendance)}


def test_demo_twice_is_the_same_office_with_a_session_open_now(capsys, home):
    first = kiosk(capsys, "demo", "--no-run")
    assert first.code == 0, first.err
    assert "A1001" in first.out and "123456" in first.out
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    before = counts()
    assert 180 <= before["Staff"] <= 220 and before["Department"] == 12
    groups = {g for (g,) in StaffGroup.select(StaffGroup.name).distinct().tuples()}
    assert groups == {"中心组", "党员", "后备干部"}
    kinds = {k for (k,) in StudySession.select(StudySession.kind).distinct().tuples()}
    assert {"learning_day", "central_group", "lecture", "exhibition", "seminar"} <= kinds
    assert StudySession.select().where(StudySession.kind == "central_group").count() >= 15
    handle.close()

    second = kiosk(capsys, "demo", "--no-run", "--lang", "en")
    assert second.code == 0, second.err
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    assert counts() == before
    now = timefmt.utc_now()
    open_now = [s for s in map(session_view, _rows()) if rules.window_open(s, now)]
    assert len(open_now) == 1 and open_now[0].audience.everyone
    assert pin.check_pin(home, "123456")
    handle.close()


def test_demo_people_can_sign_in(capsys, home):
    assert kiosk(capsys, "demo", "--no-run").code == 0
    result = kiosk(capsys, "signin", "A1001", "--json").json()
    assert result["result"] in ("present", "late") and result["name"]
    assert kiosk(capsys, "signin", "Z9999", "--json").json()["reason"] == "unknown_staff"
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    assert SignInEvent.select().where(SignInEvent.kiosk_id != "demo-history").count() == 2
    handle.close()


def test_demo_never_touches_the_real_home(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("KIOSK_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("KIOSK_DB", f"sqlite:///{tmp_path / 'real.db'}")
    monkeypatch.setenv("KIOSK_CENTRAL", "postgresql://kiosk@127.0.0.1:1/real")
    assert kiosk(capsys, "demo", "--no-run").code == 0
    demo_home = tmp_path / "data" / "study-kiosk" / "demo"
    assert (demo_home / "kiosk.db").exists() and (demo_home / "admin_pin.json").exists()
    assert not (tmp_path / "data" / "study-kiosk" / "kiosk.db").exists()
    assert not (tmp_path / "real.db").exists()


def _rows():
    from db import queries

    return queries.sessions_near(timefmt.utc_now())


def test_demo_history_gives_reports_real_figures_once(capsys, home):
    assert kiosk(capsys, "demo", "--no-run").code == 0
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    first = SignInEvent.select().count()
    finished = StudySession.select().where(StudySession.end < timefmt.utc_now()).count()
    handle.close()
    assert first >= finished * 50  # every finished session got a register and its events
    assert kiosk(capsys, "demo", "--no-run").code == 0
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    assert SignInEvent.select().count() == first
    handle.close()
    year = timefmt.local(timefmt.utc_now(), ZoneInfo("Asia/Shanghai")).year
    annual = kiosk(capsys, "report", "annual", "--year", str(year), "--format", "json", "--out", "-").json()
    assert sum(p["sessions_attended"] for p in annual["people"]) >= finished * 50
