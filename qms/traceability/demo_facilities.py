"""Demo identified objects, facilities and materials (IT-01, IT-04, IT-05), DEMO ONLY: one object of
each of the seven types, four facilities of 运行维护部 (one under maintenance for nine days, past the
7-day reminder; one repaired), and quality acceptance slips in each state (待检, waiting for the
head's acceptance, accepted and partly issued, returned in 退换品区, pending decision not yet placed,
scrapped and disposed of). Needs the demo users ``omd``, ``fin``, ``tsd``, ``tsdhead``, ``itnhead``,
and ``quality``; dates are relative to today.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..auth.models import User
from ..core import timeutil
from ..extensions import db
from ..records import service
from ..records import spec as specs

OBJECTS = [  # (who, object_type, name, department, content, method, location, traceable)
    ("quality", "premises", "香洲营业厅门头及功能区", "AHR",
     "营业厅名称、营业时间、功能区名称", "门头标牌、功能区吊牌", "香洲区凤凰路营业厅", ""),
    ("quality", "guide", "业务办理指引及资费公示栏", "AHR",
     "业务办理流程、现行资费", "公示栏、指引牌", "各营业厅大堂", ""),
    ("quality", "customer_category", "客户类别(大客户/重点客户/普通客户)", "CSD",
     "客户类别", "营业受理系统客户类别字段", "营业受理系统", "y"),
    ("quality", "work_order_status", "装移机、修障工单状态", "TSD",
     "受理、派单、施工、完工、检查", "工单签字栏、客户意见栏", "工单", "y"),
    ("quality", "facility", "机楼供电、消防设施运行状态", "OMD",
     "正常/检修", "设施标牌、检修状态标识", "机楼各层", "y"),
    ("itnhead", "computer", "营业前台计算机及受理软件", "ITN",
     "资产编号、软件版本", "资产标签、版本号", "各营业厅前台", ""),
    ("quality", "material", "仓库物资检验状态", "FIN",
     "待检、合格、退换、报废、待处理", "状态标签、隔离区域", "公司仓库", "y"),
]
FACILITIES = [("1号机楼UPS不间断电源", "power_water", "1号机楼一层电力室", "UPS-01"),
              ("机楼消防水泵", "fire", "1号机楼地下一层泵房", "XF-03"),
              ("柴油应急发电机组", "emergency", "1号机楼后院发电机房", "FD-01"),
              ("机房精密空调", "other", "1号机楼三层交换机房", "KT-07")]


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar()


def _new(code: str, who: User, values: dict):
    """A record made and its first step signed as the demo user would sign it (demo shortcut: the
    passwords are not at hand here)."""
    rec = service.create(specs.get(code), who, MultiDict(values), "zh_CN")
    service.sign_verified(rec, who)
    return rec


def _step(rec, who: User, values: dict):
    service.update(rec, who, MultiDict(values), "zh_CN", rec.version)
    service.sign_verified(rec, who)
    return rec


def _objects(people) -> int:
    for who, kind, name, dept, content, method, where, traceable in OBJECTS:
        _new("IT-OBJECT", people[who], {"object_type": kind, "name": name, "responsible_department": dept,
                                        "content": content, "method": method, "location": where,
                                        "traceable": traceable})
    return len(OBJECTS)


def _ago(today, days: int, hour: int | None = None) -> str:
    """A date (or, with ``hour``, a local datetime as forms store it) ``days`` before today."""
    day = (today - timedelta(days=days)).isoformat()
    return day if hour is None else f"{day}T{hour:02d}:00"


def _facilities(people, today) -> int:
    omd = people["omd"]
    recs = [_new("IT-FACILITY", omd, {"name": n, "facility_type": t, "location": loc, "asset_no": a})
            for n, t, loc, a in FACILITIES]
    done = _new("IT-FACMAINT", omd, {"facility": recs[1].number, "started_at": _ago(today, 20, 9),
                                     "reason": "消防水泵出水压力不足", "performed_by": "何建华、消防维保单位"})
    _step(done, omd, {"repaired_at": _ago(today, 18, 16), "work_done": "更换水泵机械密封,试运行压力正常"})
    _new("IT-FACMAINT", omd, {"facility": recs[0].number, "started_at": _ago(today, 9, 8),
                              "reason": "UPS蓄电池组容量不足,放电测试不合格", "performed_by": "何建华"})
    _new("IT-FACMAINT", omd, {"facility": recs[3].number, "started_at": _ago(today, 1, 14),
                              "reason": "空调压缩机告警", "performed_by": "何建华"})
    return len(recs) + 3


def _slip(people, today, material: str, qty: int, unit: str, days: int, result: str = "", inspected: int = 0):
    """A slip logged ``days`` ago by the warehouse; with a result, inspected ``inspected`` days ago and
    (unless the head's acceptance is to wait: result ``"accepted-waiting"``) accepted by the head."""
    rec = _new("IT-QA", people["fin"], {"material": material, "quantity": str(qty), "unit": unit,
                                        "supplier": "珠海通信器材有限公司", "arrived_on": _ago(today, days),
                                        "requesting_department": "TSD"})
    if result:
        _step(rec, people["tsd"], {"inspected_on": _ago(today, inspected), "result": result.split("-")[0],
                                   "inspection": "外观、数量、合格证检查"})
    if result and not result.endswith("waiting"):
        _step(rec, people["tsdhead"], {"label_applied": "y"})
    return rec


def _materials(people, today) -> int:
    fin, tsd = people["fin"], people["tsd"]
    _slip(people, today, "皮线光缆(2芯)", 30, "盘", 1)  # 待检
    _slip(people, today, "电话机 HA8000", 50, "台", 3, "accepted-waiting", 2)  # waits for the head
    ok = _slip(people, today, "光纤连接器 SC/APC", 200, "个", 10, "accepted", 9)
    _new("IT-ISSUE", fin, {"slip": ok.number, "quantity": "80", "issued_to": "TSD", "receiver": "黄立新",
                           "issued_on": _ago(today, 8)})
    back = _slip(people, today, "分线盒", 40, "个", 7, "returned", 6)
    _step(back, fin, {"segregation_area": "退换品区", "disposer": str(tsd.id), "segregated_on": _ago(today, 6)})
    _slip(people, today, "宽带调制解调器", 12, "台", 4, "pending", 3)  # 待处理, not yet placed in an area
    gone = _slip(people, today, "话机电池", 100, "节", 25, "scrapped", 24)
    _step(gone, fin, {"segregation_area": "报废品区", "disposer": str(fin.id), "segregated_on": _ago(today, 24)})
    _step(gone, fin, {"disposal": "scrapped", "disposed_on": _ago(today, 20), "remarks": "已按报废程序处理"})
    return 7


def load() -> int:
    """Create the demo objects, facilities and materials; returns how many records were made."""
    people = {u: _user(u) for u in ("omd", "fin", "tsd", "tsdhead", "itnhead", "quality")}
    if any(p is None for p in people.values()):
        return 0
    today = timeutil.today()
    return _objects(people) + _facilities(people, today) + _materials(people, today)
