"""The demo office's study outside the sessions: articles by the central group, self-study,
training and study trips, dated in the year up to today — so ``kiosk report person`` and the
annual report show credits next to the sessions.

Deterministic (one seed) and recorded through :func:`db.credits.record_credits`, which matches
a credit by person, kind, title and date: running the demo again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from db.credits import CreditRecord, record_credits
from db.roster import StaffRecord

SEED = 20261201
ARTICLES = ("关于优化营商环境的调研报告", "学习贯彻全会精神的心得体会", "基层治理现代化的调查与思考",
            "数字政府建设的实践与思考", "关于推进依法行政的几点认识")
SELF_STUDY = ("《习近平谈治国理政》第五卷", "学习强国专题学习", "《中国共产党纪律处分条例》",
              "党史学习教育读本")
TRAININGS = (("市委党校中青年干部培训班", 24.0), ("公文写作能力提升培训", 6.0),
             ("数字化转型专题网络培训", 8.0))
TRIPS = (("赴延安学习考察", 16.0), ("赴浙江学习考察数字政府建设", 12.0))


def demo_credits(staff: list[StaffRecord], today: dt.date) -> list[CreditRecord]:
    """Credits for the active people of the demo roster, none dated after ``today``."""
    rng = random.Random(SEED)
    credits: list[CreditRecord] = []
    days = max(1, (today - dt.date(today.year, 1, 1)).days)

    def day() -> dt.date:
        return dt.date(today.year, 1, 1) + dt.timedelta(days=rng.randrange(days))

    for person in staff:
        if person.active is False:
            continue
        central = "中心组" in (person.groups or ())
        for title in rng.sample(ARTICLES, rng.randint(1, 3) if central else int(rng.random() < 0.2)):
            credits.append(CreditRecord(person.key, "article", title, day(), None))
        for title in rng.sample(SELF_STUDY, rng.randint(0, 3)):
            credits.append(CreditRecord(person.key, "self_study", title, day(),
                                        float(rng.choice((1, 1.5, 2, 3)))))
        if rng.random() < 0.3:
            title, hours = rng.choice(TRAININGS)
            credits.append(CreditRecord(person.key, "training", title, day(), hours))
        if central and rng.random() < 0.4:
            title, hours = rng.choice(TRIPS)
            credits.append(CreditRecord(person.key, "trip", title, day(), hours))
    return credits


def record_demo_credits(staff: list[StaffRecord], today: dt.date) -> int:
    """Record them (audited like any credit); returns how many were new."""
    done = record_credits(demo_credits(staff, today), actor="demo", kiosk_id="demo-history")
    return sum(1 for _, what in done if what == "added")
