"""Demo data of the satisfaction survey (DA-02): the 2025 campaign closed by 企业管理部 (results frozen,
the tariffs element low and its nonconformity raised), and the 2026 campaign in progress with its
responses (counted now, compared with 2025; the duty da02-survey still open until 15 December).
Answers are drawn with a fixed seed, so every demo shows the same figures."""
from __future__ import annotations

import random
from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from ..records import service
from ..records import spec as specs
from ..records.demo_support import dated
from ..records.demo_support import user as _user
from ..records.webforms import to_formdata
from . import survey_service
from .survey_score import RESPONSE, SURVEY

SURNAMES = "陈李王张刘黄周吴林郑何梁谢罗"
GIVEN = "建国海燕志明丽华德才美玲文斌秀英晓东春梅"
# Per element, the chance of each answer 5..1 in 2025; 2026 moves the tariffs and charging up.
TYPICAL = (0.45, 0.38, 0.12, 0.04, 0.01)
WEAK = (0.15, 0.35, 0.28, 0.16, 0.06)  # 2025's tariffs (e6) and the 189 line (e8)
BETTER = (0.30, 0.42, 0.18, 0.08, 0.02)


def _answers(rnd: random.Random, year: int) -> dict:
    out = {}
    for i in range(1, 12):
        field = f"e{i}"
        if field in ("e3", "e4") and rnd.random() < 0.3:
            continue  # no install or repair this year: not applicable
        mix = TYPICAL
        if field in ("e6", "e8"):
            mix = WEAK if year == 2025 else BETTER
        out[field] = str(rnd.choices((5, 4, 3, 2, 1), weights=mix)[0])
    return out


def _sign(record, username: str) -> None:
    # Demo data only: the demo users' passwords are published (qms.seed), so the password step is
    # skipped here; every other rule of a signature applies (service.sign_verified).
    service.sign_verified(record, _user(username), "zh_CN")


def _campaign(year: int, method: str, sample: int) -> object:
    values = {"year": year, "method": method, "sample_size": sample, "return_by": f"{year}-12-31",
              "return_address": "珠海市香洲区凤凰路 1 号 电信公司企业管理部（收）",
              "sampling": "从在网客户中按住宅、商业、重点客户分层随机抽取；电话征询为主，重点客户寄发征询函。"}
    rec = service.create(specs.get(SURVEY), _user("quality"), MultiDict(values), "zh_CN")
    _sign(rec, "quality")
    return rec


def _responses(campaign, year: int, count: int, start: date) -> int:
    rnd = random.Random(year)
    spec = specs.get(RESPONSE)
    for i in range(count):
        name = rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, 2))
        values = {"campaign": f"#{campaign.id}", "customer": name, "phone": f"0756-{2200000 + year % 100 * 1000 + i}",
                  "method": "letter" if i % 5 == 0 else "phone",
                  "answered_on": (start + timedelta(days=i % 20)).isoformat(), **_answers(rnd, year)}
        if i % 17 == 0:
            values["remarks"] = rnd.choice(["资费套餐希望更灵活。", "189 电话经常占线。", "装机师傅很负责。",
                                            "营业厅排队时间较长。"])
        rec = service.create(spec, _user("clerk"), MultiDict(values), "zh_CN")
        _sign(rec, "clerk")
    return count


def load() -> int:
    """The two campaigns and their responses; returns how many records were made."""
    if _user("quality") is None or _user("clerk") is None or specs.get(SURVEY) is None:
        return 0
    # 2025 as it happened: planned in November, answers by 9 December, closed on the 12th (due the 15th).
    with dated(date(2025, 11, 18)):
        old = _campaign(2025, "both", 300)
    with dated(date(2025, 12, 10)):
        made = 1 + _responses(old, 2025, 260, date(2025, 11, 20))
    with dated(date(2025, 12, 12)):
        survey_service.take_results(old, _user("quality"), "zh_CN")
        conclusion = ("总分达到满意水平；「电话资费满意情况」和「189电话业务受理」低于 80 分，已开具不合格项，"
                      "由市场部和客户服务部制定改进措施。")
        data = to_formdata(specs.get(SURVEY), {**old.values, "conclusion": conclusion})
        service.update(old, _user("quality"), data, "zh_CN", old.version)
        _sign(old, "quality")
        # 企业管理部 raised the tariffs element; the 189 line's is still to be raised from the page.
        survey_service.raise_low(old, "e6", _user("quality"), "MKT", "general", "")
    new = _campaign(2026, "phone", 300)
    return made + 2 + _responses(new, 2026, 220, date(2026, 11, 10))
