"""The kiosk screen under Pilot: the real app, the real desk, a real SQLite file, a frozen clock."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static

from db.models import Attendance, SignInEvent
from kiosk import pin
from kiosk.i18n import t
from kiosk.ui.dialogs import PinDialog, SessionPickDialog, SetPinDialog
from kiosk.ui.screens import signin
from kiosk.ui.screens.admin import AdminScreen
from kiosk.ui.screens.signin import SignInScreen
from kiosk.ui.widgets.result_banner import ResultBanner
from kiosk.ui.widgets.session_card import SessionCard
from kiosk.ui.widgets.sync_mark import SyncMark
from tests.conftest import make_office
from tests.ui.kiosk_office import PIN, kiosk, open_admin, ready


async def scan(app, pilot, text: str) -> str:
    """A scanner types fast: set the field and press Enter (the real submit path)."""
    app.signin.query_one("#scan", Input).value = text
    await pilot.press("enter")
    await pilot.pause()
    return app.signin.query_one(ResultBanner).text


def banner(app) -> ResultBanner:
    return app.signin.query_one(ResultBanner)


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_typed_id_confirms_with_name_and_is_recorded(db, home, size):
    ids = make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        assert "机关学习日" in str(app.screen.query_one(SessionCard).content)
        assert app.screen.focused is app.screen.query_one("#scan", Input)
        await pilot.press(*"a1001", "enter")
        await pilot.pause()
        text = banner(app).text
        assert "张 三" in text and "办公室" in text and "签到成功" in text
        assert banner(app).has_class("-ok")
        assert app.bells == 0
        assert app.screen.query_one("#scan", Input).value == ""
    row = Attendance.get(session=ids["morning"], staff="A1001")
    assert row.status == "present" and row.signed_in_at is not None


async def test_unknown_is_refused_with_bell_then_repeat_is_already(db, home):
    make_office(db)
    app, clock = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        text = await scan(app, pilot, "Z9999")
        assert "查无此人" in text and banner(app).has_class("-bad")
        assert app.bells == 1
        await scan(app, pilot, "B2001")
        clock.set("2026-11-28 09:10")
        text = await scan(app, pilot, "b2001")
        assert "已签到(于 09:02)" in text and "王 五" in text
        assert banner(app).has_class("-warn")
        assert app.bells == 1


async def test_late_and_nothing_open_shows_next_session(db, home):
    make_office(db)
    app, clock = kiosk(db, home, at="2026-11-28 09:20")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert "迟到" in await scan(app, pilot, "A1002")
        clock.set("2026-11-28 12:00")
        text = await scan(app, pilot, "A1001")
        assert "当前没有正在签到的学习" in text and "14:00 中心组集中学习" in text
        assert app.bells == 1
        app.signin.clear_result()
        await ready(app, pilot)
        card = str(app.signin.query_one(SessionCard).content)
        assert "当前没有正在签到的学习" in card and "下一场" in card and "13:30 开始签到" in card


async def test_sign_out_and_early_leave_are_shown(db, home):
    make_office(db)
    app, clock = kiosk(db, home, at="2026-11-28 13:50")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert "签到成功" in await scan(app, pilot, "B2001")  # 财务培训 asks for a sign-out
        clock.set("2026-11-28 14:40")
        text = await scan(app, pilot, "B2001")
        assert "签退成功 · 早退" in text and banner(app).has_class("-warn")


async def test_bad_input_is_refused_without_crash(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert "输入过长" in await scan(app, pilot, "9" * 300)
        assert "控制字符" in await scan(app, pilot, "A10\x0701")
        assert "无法识别" in await scan(app, pilot, "张三😀")
        assert app.bells == 3 and app.is_running
    assert SignInEvent.select().where(SignInEvent.reason == "invalid_input").count() == 3


async def test_result_returns_to_the_session_card(db, home, monkeypatch):
    make_office(db)
    monkeypatch.setattr(signin, "RESULT_SECONDS", 1.0)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, "A1001")
        assert banner(app).display and not app.screen.query_one("#middle").display
        for _ in range(50):
            await pilot.pause(0.1)
            if not banner(app).display:
                break
        assert not banner(app).display and app.screen.query_one("#middle").display
        assert app.screen.focused is app.screen.query_one("#scan", Input)


async def test_ambiguous_session_opens_pick_list_and_signs_in_to_choice(db, home):
    ids = make_office(db)
    app, _ = kiosk(db, home, at="2026-11-28 14:01")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, "B2002")  # 中心组 and 财务科: both sessions expect him
        assert isinstance(app.screen, SessionPickDialog)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert "财务培训" in banner(app).text
    assert Attendance.get(session=ids["finance"], staff="B2002").status == "present"
    assert Attendance.get(session=ids["central"], staff="B2002").status == "pending"


async def test_quit_keys_and_palette_do_nothing(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+c", "ctrl+q", "escape", "ctrl+p", "ctrl+backslash")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, SignInScreen)
        await scan(app, pilot, "A1001")
        assert "张 三" in banner(app).text


async def test_pin_gate_admin_and_quit(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PinDialog)
        await pilot.press(*"111111", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PinDialog)
        assert "PIN 不正确" in str(app.screen.query_one("#pin-error", Static).content)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and app.is_running
        await open_admin(app, pilot)
        assert isinstance(app.screen, AdminScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        await open_admin(app, pilot)
        await pilot.click("#admin-quit")
        await pilot.pause()
    assert app.return_code == 0


async def test_language_switch_is_live(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await open_admin(app, pilot)
        await pilot.click("#lang-en")
        await pilot.pause()
        assert "Administration" in str(app.screen.query_one("#admin-title").content)
        await pilot.press("escape")
        await pilot.pause()
        assert "Scan your badge" in str(app.screen.query_one("#prompt", Static).content)
        assert "Unknown staff ID" in await scan(app, pilot, "Z9999")
        await app.workers.wait_for_complete()
    # the choice survives a restart: it is kept in config.toml (the rest of the file untouched)
    from kiosk import config

    assert config.load(home=home, environ={}).lang == "en"


async def test_admin_chooses_the_session_for_this_kiosk(db, home):
    ids = make_office(db)
    app, _ = kiosk(db, home, at="2026-11-28 14:01")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await open_admin(app, pilot)
        options = app.screen.query_one("#session-list", OptionList)
        index = next(i for i in range(options.option_count)
                     if options.get_option_at_index(i).id == str(ids["central"]))
        options.focus()
        options.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen_session_id == ids["central"]
        await pilot.press("escape")
        await ready(app, pilot)
        assert "本机指定场次" in str(app.screen.query_one(SessionCard).content)
        text = await scan(app, pilot, "B2002")
        assert isinstance(app.screen, SignInScreen) and "中心组集中学习" in text
    assert Attendance.get(session=ids["central"], staff="B2002").status == "present"


async def test_a_preloaded_plan_is_on_the_first_frame_without_a_database_round_trip(db, home):
    """``kiosk run`` reads today's sessions while Textual loads: the title needs no worker."""
    from kiosk.config import Settings
    from kiosk.ui.app import build_app
    from kiosk.ui.today import PlanPreload
    from tests.ui.kiosk_office import FrozenClock

    make_office(db)
    pin.set_pin(home, PIN)
    clock = FrozenClock("2026-11-28 09:02")
    settings = Settings(home=home, db_url=f"sqlite:///{db.database}", lang="zh", kiosk_id="k")
    plan = PlanPreload(db, settings.tz, clock).take(timeout=5)
    assert plan is not None and plan.current.title == "机关学习日"
    app = build_app(settings, db, clock=clock, plan=plan)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "机关学习日" in str(app.signin.query_one(SessionCard).content)  # before any worker ran
        await ready(app, pilot)
        assert "张 三" in await scan(app, pilot, "A1001")


def toast_text(app) -> str:
    return " ".join(str(n.message) for n in app._notifications)


async def test_without_a_pin_the_kiosk_signs_in_and_never_offers_to_set_one(db, home):
    """A home set up without a PIN: nobody walking up can claim the kiosk; F2 says how to set one."""
    make_office(db)
    app, _ = kiosk(db, home, with_pin=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.focused is app.screen.query_one("#scan", Input)
        assert "张 三" in await scan(app, pilot, "A1001")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert "kiosk init --no-keys --pin 123456" in toast_text(app)
        await pilot.press(*"123456", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
    assert not pin.has_pin(home)
    assert Attendance.get(staff="A1001", status="present")


async def test_english_no_pin_message(db, home):
    make_office(db)
    app, _ = kiosk(db, home, with_pin=False, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        text = toast_text(app)
        assert "No admin PIN is set" in text and "kiosk init --no-keys --pin 123456" in text


async def test_changing_the_pin_from_the_admin_screen_still_works(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await open_admin(app, pilot)
        await pilot.click("#admin-pin")
        await pilot.pause()
        assert isinstance(app.screen, SetPinDialog)
        await pilot.press(*"12", "enter", *"12", "enter")
        await pilot.pause()
        assert "6–32" in str(app.screen.query_one("#pin-error", Static).content)
        await pilot.press(*"5791", "enter", *"5791", "enter")
        await pilot.pause()
        assert "6–32" in str(app.screen.query_one("#pin-error", Static).content)
        await pilot.press(*"579135", "enter", *"579135", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AdminScreen)
    assert pin.check_pin(home, "579135")


async def test_pin_dialog_closes_itself_after_a_while_without_a_key(db, home, monkeypatch):
    from kiosk.ui import dialogs

    monkeypatch.setattr(dialogs, "IDLE_SECONDS", 1.0)
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("f2")
        await pilot.pause(0.6)
        await pilot.press("1")
        await pilot.pause(0.6)
        assert isinstance(app.screen, PinDialog)  # a key restarted the countdown
        await pilot.pause(1.0)
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.focused is app.screen.query_one("#scan", Input)
        assert "张 三" in await scan(app, pilot, "A1001")


async def test_a_badge_scanned_into_the_pin_dialog_signs_in_and_is_no_wrong_pin(db, home):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from db import queries
    from kiosk.badges import keys, payload

    make_office(db)
    key = Ed25519PrivateKey.generate()
    with db.atomic():
        queries.set_setting("badge_public_key", keys.public_key_text(key.public_key()))
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        for _ in range(6):  # more than the lockout's five
            await pilot.press("f2")
            await pilot.pause()
            assert isinstance(app.screen, PinDialog)
            app.screen.query_one("#pin-input", Input).value = payload.sign(key, "A1002", 1)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
            assert "李 四" in banner(app).text
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one("#pin-input", Input).value = "X" * 40  # longer than any PIN
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert pin.lockout(home).failures == 0
        await open_admin(app, pilot)  # no lockout: the right PIN opens admin
        assert isinstance(app.screen, AdminScreen)
    assert SignInEvent.get(SignInEvent.staff_key == "A1002").method == "qr"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_notifications_never_cover_the_input(db, home, size):
    from textual.widgets._toast import Toast

    make_office(db)
    app, _ = kiosk(db, home, with_pin=False)  # F2 without a PIN: a toast says how to set one
    async with app.run_test(size=size, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        assert toasts and "PIN" in toast_text(app)
        field = app.screen.query_one("#scan", Input).region
        prompt = app.screen.query_one("#prompt").region
        for toast in toasts:
            assert toast.region.area and not toast.region.overlaps(field)
            assert not toast.region.overlaps(prompt)


async def test_qr_only_refuses_typed_ids_and_accepts_a_scanned_badge(db, home):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from db import queries
    from kiosk.badges import keys, payload

    make_office(db)
    key = Ed25519PrivateKey.generate()
    with db.atomic():
        queries.set_setting("badge_public_key", keys.public_key_text(key.public_key()))
    app, _ = kiosk(db, home, qr_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert "请刷卡签到" in str(app.screen.query_one("#prompt", Static).content)
        assert "只接受扫码" in await scan(app, pilot, "A1001")
        assert "李 四" in await scan(app, pilot, payload.sign(key, "A1002", 1) + "\r")
    event = SignInEvent.get(SignInEvent.staff_key == "A1002")
    assert event.method == "qr" and event.result == "present"


async def test_missing_camera_is_a_message_not_a_crash(db, home, tmp_path):
    make_office(db)
    app, _ = kiosk(db, home)
    app.camera_source = str(tmp_path / "no-such-video.mp4")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.pause(0.5)
        status = str(app.screen.query_one("#status-line", Static).content)
        assert status == t("camera.cannot_open") and app.is_running
        assert "张 三" in await scan(app, pilot, "A1001")


async def test_webcam_badges_sign_in_with_method_camera(db, home, tmp_path):
    pytest.importorskip("cv2")
    pytest.importorskip("zxingcpp")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from db import queries
    from kiosk.badges import keys, payload
    from tests.test_camera import script, write_video

    make_office(db)
    key = Ed25519PrivateKey.generate()
    with db.atomic():
        queries.set_setting("badge_public_key", keys.public_key_text(key.public_key()))
    badges = [payload.sign(key, staff_id, 1) for staff_id in ("A1001", "B2001")]
    video = write_video(tmp_path / "badges.avi", script(badges))
    app, _ = kiosk(db, home)
    app.camera_source = str(video)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        for _ in range(100):
            await pilot.pause(0.05)
            if SignInEvent.select().where(SignInEvent.method == "camera").count() == 2:
                break
        await pilot.pause()
        assert "王 五" in banner(app).text  # the last badge shown
        assert app.is_running
    rows = {e.staff_key: (e.method, e.result) for e in SignInEvent.select()}
    assert rows == {"A1001": ("camera", "present"), "B2001": ("camera", "present")}


async def test_sync_mark_local_only(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert str(app.signin.query_one(SyncMark).content) == "● 仅本机"


async def synced(app, pilot, rounds: int = 1, timeout: float = 10) -> None:
    """Wait until the background sync loop has delivered ``rounds`` states."""
    for _ in range(int(timeout / 0.05)):
        if app._sync_published >= rounds:
            break
        await pilot.pause(0.05)
    await pilot.pause()


async def test_sync_mark_with_a_reachable_centre_pushes_right_after_the_scan(db, home, tmp_path):
    from db import database, migrations

    central_url = f"sqlite:///{tmp_path / 'central.db'}"
    central = database.bind(central_url)  # migrations run on the bound database
    migrations.upgrade(central)
    central.close()
    database.proxy.initialize(db)
    make_office(db)
    from db.sync.adopt import adopt_home  # a home mirrors its centre: this office moved there

    centre = database.make_database(central_url)
    centre.connect()
    adopt_home(centre)
    centre.close()
    app, _ = kiosk(db, home, central_url=central_url, sync_interval=60.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await synced(app, pilot)
        assert app.sync_state.reachable is True and app.sync_loop.rounds == 1
        await scan(app, pilot, "A1001")
        for _ in range(50):  # pushed at once, in the background: the next round is a minute away
            await pilot.pause(0.05)
            if app.sync_state.queued == 0 and app.sync_loop.pushes:
                break
        assert str(app.signin.query_one(SyncMark).content) == "● 中心已连接 · 待上传 0"
        assert app.sync_loop.rounds == 1 and app.sync_loop.pushes >= 1


async def test_sync_mark_with_an_unreachable_centre_shows_the_queue(db, home):
    make_office(db)
    app, _ = kiosk(db, home, central_url="postgresql://kiosk:secret@127.0.0.1:1/central")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await synced(app, pilot)
        await scan(app, pilot, "A1001")
        await scan(app, pilot, "Z9999")
        await ready(app, pilot)
        assert app.sync_state.reachable is False and app.sync_state.queued == 2
        mark = app.signin.query_one(SyncMark)
        assert str(mark.content) == "● 中心未连接 · 待上传 2" and mark.has_class("-down")
        assert "secret" not in app.sync_state.detail()


def test_backoff_doubles_to_five_minutes_while_unreachable():
    from kiosk.ui.sync_poll import next_delay
    from kiosk.ui.widgets.sync_mark import SyncState

    down, up = SyncState(local_only=False, reachable=False), SyncState(local_only=False, reachable=True)
    delays = [10.0]
    for _ in range(8):
        delays.append(next_delay(down, 10.0, delays[-1]))
    assert delays[:5] == [10, 20, 40, 80, 160] and delays[-1] == 300
    assert next_delay(up, 10.0, 300) == 10


async def test_three_wrong_pins_lock_the_dialog_for_a_while(db, home, monkeypatch):
    monkeypatch.setattr(pin, "FIRST_LOCK", 1.0)  # 30 s in real life
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        field = app.screen.query_one("#pin-input", Input)
        for _ in range(3):
            field.value = "000000"
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
        field.value = PIN
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PinDialog)
        assert "后再试" in str(app.screen.query_one("#pin-error", Static).content)
        await pilot.pause(1.1)
        field.value = PIN
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AdminScreen)
