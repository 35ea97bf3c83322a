"""``kiosk demo``: a realistic demo office in its own home, safe to fill twice.

About 200 staff with Chinese names in 12 departments, the groups 中心组 / 党员 / 后备干部, and a
year's study plan modelled on an office's practice — a monthly 机关学习日, about fifteen
central-group meetings, lectures, an exhibition visit with its 座谈会, a training for reserve
cadres — plus one session open right now and one later today, so the kiosk has something to
sign in to whenever the demo starts. Everything is derived from a fixed seed and keyed by
staff ID or by (title, start), so a second run adds nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from db import ledger, migrations
from db.models import Attendance, Department, Leave, StaffGroup, StudySession
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from kiosk import card_numbers, config, pin, timefmt
from kiosk.cli.context import Context
from kiosk.i18n import t

DEMO_PIN = "123456"
TRY_IDS = "A1001, B1003, F1005, K1030 · Z9999"
TRY_CARD_HOLDER, TRY_CARD = "D1002", 169552957  # a work card's number: 0169552957 / 3D2C1B0A
SEED = 20261128
DEPARTMENTS = [
    ("办公室", 22), ("政策法规科", 15), ("发展规划科", 16), ("财务科", 14), ("人事科", 14),
    ("机关党委", 12), ("信息中心", 20), ("督查室", 12), ("宣传科", 15), ("审计科", 16),
    ("后勤服务中心", 30), ("纪检监察室", 12),
]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "霞", "平", "刚", "斌", "鹏", "婷", "颖", "峰", "琳", "欣", "宁", "凯", "晶")
GIVEN_PAIRS = ("秀英", "桂英", "建国", "志强", "海燕", "红梅", "晓东", "文博", "子涵", "浩然", "思远", "雨轩",
               "欣怡", "佳琪", "梓萱", "宇航", "俊杰", "嘉怡", "一鸣", "晨阳", "立新", "春生", "建华", "玉兰",
               "淑珍", "国华", "振华", "卫东", "丽萍", "晓红", "永刚", "建军", "明辉", "雪梅", "志刚", "丽娟",
               "海涛", "秀兰", "国庆", "文静", "晓燕", "婷婷", "伟民", "亚楠", "凤英", "家豪", "若曦", "天佑",
               "慧敏", "振宇", "书涵", "国栋", "红霞", "小军", "少华", "德明", "丹丹", "晓峰", "新民", "光明")
LEADER_TITLES = ("主任", "科长", "书记")
TITLES = ("副科长", "一级主任科员", "二级主任科员", "四级主任科员", "一级科员", "科员")
LEAVE_REASONS = ("出差", "病假", "外出开会", "年休假", "下乡调研")
MAIN_HALL = "机关三楼大会议室"
PARTY_ROOM = "党组会议室"


def demo_home() -> Path:
    """A ``demo`` folder beside the real home, so the demo never touches real data."""
    return config.default_home() / "demo"


def demo_context(ctx: Context) -> Context:
    """The command context pointed at the demo home (unless KIOSK_HOME was set), settings re-read.

    In the default demo home, ``KIOSK_DB`` and ``KIOSK_CENTRAL`` from the environment are ignored
    so a demo never writes to, or syncs into, the office's real database (``--db`` still applies).
    """
    if os.environ.get("KIOSK_HOME"):
        environ, home = dict(os.environ), ctx.settings.home
    else:
        environ = {k: v for k, v in os.environ.items() if k not in ("KIOSK_DB", "KIOSK_CENTRAL")}
        home = demo_home()
    settings = config.load(environ, db=getattr(ctx.args, "db", None), lang=getattr(ctx.args, "lang", None),
                           home=home)
    return dataclasses.replace(ctx, settings=settings)


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.02 else rng.choice(SURNAMES)
        given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN_PAIRS)
        name = surname + given
        if name not in used:
            used.add(name)
            return name


def roster() -> list[StaffRecord]:
    """The demo staff: the same people every run (fixed seed), ids A1001…, B1001…, one letter a department."""
    rng = random.Random(SEED)
    used: set[str] = set()
    records = []
    for d, (dept, size) in enumerate(DEPARTMENTS):
        letter = chr(ord("A") + d)
        for n in range(size):
            staff_id = f"{letter}{1001 + n}"
            leader = n == 0
            title = rng.choice(LEADER_TITLES) if leader else (
                "副" + rng.choice(LEADER_TITLES[:2]) if n == 1 else rng.choice(TITLES))
            groups = []
            if leader or (d == 0 and n < 4):
                groups.append("中心组")
            if leader or rng.random() < 0.62:
                groups.append("党员")
            if not leader and 2 <= n <= 6 and rng.random() < 0.45:
                groups.append("后备干部")
            records.append(StaffRecord(staff_id, staff_id, _name(rng, used), dept, title, tuple(groups),
                                       active=not (d == 10 and n == size - 1)))
    return _with_cards(records)


def _with_cards(records: list[StaffRecord]) -> list[StaffRecord]:
    """Everyone holds a work card (its own seed: the people stay the same with or without cards);
    TRY_CARD_HOLDER's is the one the demo prints (0169552957)."""
    rng = random.Random(SEED + 15)
    cards = {r.key: rng.randrange(10**8, 2**32) for r in records}
    cards[TRY_CARD_HOLDER] = TRY_CARD
    return [dataclasses.replace(r, card=cards[r.key], card_column=True) for r in records]


@dataclasses.dataclass(frozen=True)
class PlannedSession:
    title: str
    kind: str
    start: dt.datetime  # local wall time
    minutes: int
    audience: tuple[tuple[str, str], ...]
    location: str = MAIN_HALL
    speaker: str = ""
    credit_hours: float | None = None
    require_signout: bool = False


def _last_friday(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    day = nxt - dt.timedelta(days=1)
    while day.weekday() != 4:
        day -= dt.timedelta(days=1)
    return day


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m))


def year_plan(year: int) -> list[PlannedSession]:
    everyone = (("all", ""),)
    central = (("group", "中心组"),)
    plan: list[PlannedSession] = []
    topics = ["学习贯彻党的二十届三中全会精神", "法治政府建设专题", "安全生产专题", "保密知识学习",
              "意识形态工作专题", "优化营商环境专题", "廉政警示教育", "民法典学习", "数字政府建设",
              "统计法规学习", "乡村振兴专题", "年度工作总结交流"]
    for month in range(1, 13):
        day = _last_friday(year, month)
        plan.append(PlannedSession(f"{month}月机关学习日:{topics[month - 1]}", "learning_day",
                                   _at(day, "15:00"), 120, everyone, speaker="办公室主任",
                                   credit_hours=2))
    central_months = [1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 11, 12]
    for i, month in enumerate(central_months):
        day = dt.date(year, month, 8 if i % 2 == 0 else 20)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        plan.append(PlannedSession(f"党组理论学习中心组第{i + 1}次集中学习", "central_group",
                                   _at(day, "09:00"), 150, central, location=PARTY_ROOM,
                                   speaker="党组书记", credit_hours=3))
    lectures = [(3, "习近平文化思想专题报告", "市委党校 王教授"),
                (5, "公文写作与规范", "省政府办公厅 李处长"),
                (6, "防范电信网络诈骗", "市公安局 反诈中心"), (9, "人工智能与政务服务", "市大数据局 陈主任"),
                (10, "心理健康讲座", "市第一人民医院 周医生"), (11, "宪法宣传周专题报告", "市司法局 赵处长")]
    for month, title, speaker in lectures:
        day = dt.date(year, month, 15)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        plan.append(PlannedSession(title, "lecture", _at(day, "14:30"), 90, everyone, speaker=speaker))
    visit = dt.date(year, 7, 1)
    while visit.weekday() >= 5:
        visit += dt.timedelta(days=1)
    plan.append(PlannedSession("参观廉政教育基地", "exhibition", _at(visit, "09:00"), 180,
                               (("group", "党员"),), location="市廉政教育基地", credit_hours=3))
    plan.append(PlannedSession("参观学习心得座谈会", "seminar", _at(visit + dt.timedelta(days=1), "15:00"),
                               90, (("group", "党员"),), location=PARTY_ROOM, speaker="机关党委书记"))
    plan.append(PlannedSession("后备干部能力提升培训", "training", _at(dt.date(year, 4, 22), "09:00"),
                               240, (("group", "后备干部"),), location="市委党校", require_signout=True))
    return plan


def today_sessions(now_local: dt.datetime) -> list[PlannedSession]:
    """One session whose sign-in is open now (it starts 15–30 minutes from now, so the first
    people to try it are on time) and one later today when that still fits in the day."""
    quarter = now_local.replace(second=0, microsecond=0, tzinfo=None)
    quarter += dt.timedelta(minutes=(-quarter.minute) % 15)
    if quarter < now_local.replace(tzinfo=None):
        quarter += dt.timedelta(minutes=15)
    start = quarter + dt.timedelta(minutes=15)
    sessions = [PlannedSession("机关学习日:学习贯彻全会精神(演示)", "learning_day", start, 120,
                               (("all", ""),), speaker="刘主任", credit_hours=2)]
    later = start + dt.timedelta(hours=3)
    if later.date() == start.date():
        sessions.append(PlannedSession("中心组专题学习(演示)", "central_group", later, 90,
                                       (("group", "中心组"),), location=PARTY_ROOM, speaker="党组书记"))
    return sessions


def _add(planned: PlannedSession, tz: ZoneInfo, existing: set[tuple[str, dt.datetime]]) -> bool:
    start = planned.start.replace(tzinfo=tz).astimezone(dt.UTC).replace(tzinfo=None)
    if (planned.title, start) in existing:
        return False
    add_session({"title": planned.title, "kind": planned.kind, "start": start,
                 "end": start + dt.timedelta(minutes=planned.minutes), "location": planned.location,
                 "speaker": planned.speaker, "credit_hours": planned.credit_hours,
                 "require_signout": planned.require_signout}, list(planned.audience))
    existing.add((planned.title, start))
    return True


def fill(ctx: Context, now: dt.datetime | None = None) -> dict:
    """Create or top up the demo office; prints what to try. Returns counts for tests."""
    now = now or timefmt.utc_now()
    settings = ctx.settings
    tz = settings.tz
    ctx.out(t("demo.filling", home=settings.home))
    db = ctx.database(require_schema=False)
    migrations.upgrade(db)
    now_local = timefmt.local(now, tz)
    day_start, day_end = timefmt.day_bounds_utc(now_local.date(), tz)
    with db.atomic():
        upsert_staff(roster())
        existing = {(title, start) for title, start in StudySession.select(
            StudySession.title, StudySession.start).tuples()}
        open_today = [s for s in StudySession.select().where(
            (StudySession.start >= day_start - dt.timedelta(hours=12)) & (StudySession.start < day_end))
            if s.title.endswith("(演示)") and s.start - dt.timedelta(minutes=s.open_before) <= now <= s.end]
        today = now_local.date()
        for planned in year_plan(now_local.year):
            if planned.start.date() != today:  # keep today to the demo's own two sessions
                _add(planned, tz, existing)
        if not open_today:
            for planned in today_sessions(now_local):
                _add(planned, tz, existing)
        simulate_history(now)
        from kiosk.demo_credits import record_demo_credits  # articles, self-study … (records)

        record_demo_credits(roster(), now_local.date())
    if not pin.has_pin(settings.home):
        pin.set_pin(settings.home, DEMO_PIN)
    _write_config(settings)
    from kiosk.cli.setup import ensure_signing_key

    ensure_signing_key(ctx)
    counts = {"staff": len(roster()), "departments": Department.select().count(),
              "sessions": StudySession.select().count(), "groups": StaffGroup.select().count()}
    ctx.out(t("demo.summary", staff=counts["staff"], departments=counts["departments"],
              sessions=counts["sessions"]))
    for s in StudySession.select().where((StudySession.start <= now + dt.timedelta(minutes=30))
                                         & (StudySession.end >= now)).order_by(StudySession.start):
        ctx.out(t("demo.open_now", title=s.title, start=timefmt.hhmm(s.start, tz),
                  end=timefmt.hhmm(s.end, tz)))
    ctx.out(t("demo.try_ids", ids=TRY_IDS))
    ctx.out(t("demo.try_card", dec10=f"{TRY_CARD:010d}", hex_reversed=card_numbers.forms(TRY_CARD)[
        "hex_reversed"], staff_id=TRY_CARD_HOLDER))
    payload = _badge_payload(settings, "C1002")
    if payload:
        ctx.out(t("demo.try_badge", payload=payload))
    ctx.out(t("demo.pin", pin=DEMO_PIN if pin.check_pin(settings.home, DEMO_PIN) else "****"))
    return counts


def simulate_history(now: dt.datetime) -> int:
    """Give every finished demo session a plausible register (so reports have real figures).

    About 88 % arrive on time, 5 % late, 4 % are on leave and the rest are absent; each arrival
    is written as a sign-in event too, so the exported log matches. Sessions that already hold a
    sign-in or a leave are left alone, which keeps a second run from adding anything.
    """
    touched = {sid for (sid,) in Attendance.select(Attendance.session).where(
        Attendance.signed_in_at.is_null(False)).distinct().tuples()}
    touched |= {sid for (sid,) in Leave.select(Leave.session).distinct().tuples()}
    filled = 0
    for session in StudySession.select().where(StudySession.end < now).order_by(StudySession.start):
        if session.id in touched:
            continue
        rng = random.Random(SEED + session.id)
        rows = list(Attendance.select(Attendance.id, Attendance.staff).where(
            (Attendance.session == session.id) & Attendance.expected).tuples())
        for row_id, staff_key in rows:
            _simulate_one(session, row_id, staff_key, rng)
        filled += 1
    return filled


def _simulate_one(session: StudySession, row_id: int, staff_key: str, rng: random.Random) -> None:
    draw = rng.random()
    if draw < 0.04:
        event_id = ledger.new_event_id()
        at = session.start - dt.timedelta(hours=rng.randint(2, 48))
        ledger.add_leave(session.id, staff_key, rng.choice(LEAVE_REASONS), "demo", event_id, at)
        ledger.append_event(ledger.Event(kiosk_id="demo-history", at=at, method="manual",
                                         result="leave", staff_key=staff_key, session_id=session.id,
                                         note="demo", actor="demo", id=event_id))
        return
    if draw >= 0.97:
        return  # absent
    late = draw >= 0.92
    offset = rng.uniform(6, 25) if late else rng.uniform(-25, 4)
    at = (session.start + dt.timedelta(minutes=offset)).replace(microsecond=0)
    how = rng.random()
    method = "qr" if how < 0.45 else "card" if how < 0.8 else "id"
    event_id = ledger.new_event_id()
    (Attendance.update(status="late" if late else "present", signed_in_at=at, method=method,
                       kiosk_id="demo-history", event_id=event_id)
     .where(Attendance.id == row_id).execute())
    ledger.append_event(ledger.Event(kiosk_id="demo-history", at=at, method=method,
                                     result="late" if late else "present", staff_key=staff_key,
                                     session_id=session.id, id=event_id))


def screen_hint(settings: config.Settings) -> Callable[[], str]:
    """One line for the kiosk's status bar, since the printed hints vanish behind the full screen.

    A function giving the line in the current language: it follows a language switch.
    """
    shown = DEMO_PIN if pin.check_pin(settings.home, DEMO_PIN) else "****"
    ids = TRY_IDS.replace(",", "").replace(" ·", "")
    return lambda: t("demo.hint", ids=ids, pin=shown)


def _write_config(settings: config.Settings) -> None:
    """Give the demo office a name (only if the home has no config of its own yet)."""
    path = settings.home / config.CONFIG_FILE
    if path.exists():
        return
    path.write_text('[office]\nname = "示范机关"\n\n[kiosk]\nid = "demo-kiosk"\n', encoding="utf-8")


def _badge_payload(settings: config.Settings, staff_id: str) -> str | None:
    try:
        from kiosk.badges import keys, payload

        return payload.sign(keys.load_signing_key(settings.home), staff_id, 1)
    except Exception:  # the badge feature is optional for the demo
        return None
