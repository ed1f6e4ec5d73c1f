"""The handbook's complaint item catalogue as shipped (S004 考核及奖励办法, 74 items; SEEDS-DIGEST §3.2F):
what ``qms init`` writes as version 1 of the admin-edited catalogue (:mod:`.catalogue`). CS-12.

The category titles are lost in the seed: the ones below are inferred from the items (SEEDS-DIGEST
§3.2F). ``cause``: who caused what the item describes — ``human`` (front-desk staff), ``system`` (the
item says 因系统原因) or ``network`` (8.1/8.2, 按"网络通"标准处理: no grade of this scheme). Principle B
(非人为原因(如:网络、系统原因)造成的投诉暂不奖励客户) makes ``system`` and ``network`` items unrewarded.
``mobile``: items only a mobile operator has (SIM/smart cards, credit limits, outbound roaming;
SEEDS-DIGEST §5 item 4), which a fixed-line company switches off on the catalogue page.
"""
from __future__ import annotations

# key: (zh, en) — the inferred category titles
CATEGORIES = {
    "1": ("服务规范", "Service conduct"),
    "2.1": ("业务解释", "Explaining services"),
    "2.2": ("业务办理", "Handling service requests"),
    "2.3": ("业务系统", "Service systems"),
    "3.1": ("缴费解释与引导", "Explaining and guiding payment"),
    "3.2": ("收费操作", "Taking payments"),
    "3.3": ("托收系统", "Bank collection system"),
    "4.1": ("二次批价", "Secondary repricing"),
    "4.2": ("计费系统", "Charging system"),
    "5.1": ("信用控制解释", "Explaining credit control"),
    "5.2": ("信用额度调整", "Credit limit changes"),
    "5.3": ("信用控制系统", "Credit control system"),
    "6.1": ("使用指导", "Usage guidance"),
    "6.2": ("功能系统", "Feature systems"),
    "7.1": ("单据投递解释", "Explaining bill delivery"),
    "7.2": ("投递资料录入", "Delivery data entry"),
    "7.3": ("投递系统", "Delivery system"),
    "8": ("网络", "Network"),
}

_X = "前台人员不按我公司业务规范向客户解释或解释不清，"
_D = "客户申请办理某一业务或功能的，前台人员漏办、错办、误办的，"
_R = "前台人员录入客户资料（户名、地址、联系电话、身份证等）错误，"
_P = "前台人员没有按我公司业务规范要求向客户解释缴费信息（交费时期、计费周期等）或解释不清，"
_C = "因收费资料（号码、收费期间）录入错误或遗漏，"
_K = "前台人员未按照我公司业务规范要求向客户解释信用控制方法或未将信用控制方法解释清楚，"
_M = "前台人员录入资料（邮编、地址、户名、帐号、银行等）有误，"
_F = "以各部门接到的第一宗投诉为准"

# (number, category, grade, cause, mobile, text); grade: minor/general/major/serious, "" = 按网络通标准处理
ITEMS = (
    ("1.1", "1", "general", "human", False, "前台人员未按我公司规定着装、佩带工号牌等"),
    ("1.2", "1", "general", "human", False, "客户反映前台人员服务态度差的"),
    ("1.3", "1", "minor", "human", False, "前台人员未按我公司规定使用服务用语的"),
    ("1.4", "1", "general", "human", False, "反映前台人员在工作时间内做与工作无关的事情（打电话、聊天、吃零食等）的"),
    ("1.5", "1", "minor", "human", False, "客户反映前台人员工作效率低的"),
    ("2.1.1", "2.1", "minor", "human", False, _X + "未造成客户使用或费用损失的"),
    ("2.1.2", "2.1", "general", "human", False, _X + "造成客户费用损失的"),
    ("2.1.3", "2.1", "general", "human", False, _X + "造成客户手机停止使用的"),
    ("2.1.4", "2.1", "major", "human", False, "前台人员解释的优惠、资费标准、业务内容与我公司不符的"),
    ("2.2.1", "2.2", "minor", "human", False, _D + "未造成客户使用或费用损失的"),
    ("2.2.2", "2.2", "general", "human", False, _D + "造成客户费用损失的"),
    ("2.2.3", "2.2", "major", "human", False, _D + "造成客户手机停止使用的"),
    ("2.2.4", "2.2", "major", "human", False, _R + "造成客户费用损失的"),
    ("2.2.5", "2.2", "minor", "human", False, _R + "未造成客户费用损失的"),
    ("2.2.6", "2.2", "major", "human", False, _R + "造成客户手机停止使用的"),
    ("2.2.7", "2.2", "general", "human", True,
     "前台人员在检测或修改客户手机或智能卡资料时，操作失误，造成客户资料丢失的"),
    ("2.2.8", "2.2", "minor", "human", False,
     "前台人员受理业务后，不按我公司业务规定返还客户相关资料，造成客户资料遗失的"),
    ("2.2.9", "2.2", "general", "human", False, "前台人员不按我公司规定的业务办理手续受理业务，造成客户费用损失的"),
    ("2.2.10", "2.2", "minor", "human", False, "前台人员不按我公司规定的业务办理手续受理业务，未造成客户费用损失的"),
    ("2.2.11", "2.2", "general", "human", False, "前台人员在受理业务或投诉过程中，承诺的时限或服务没有兑现的"),
    ("2.2.12", "2.2", "general", "human", True,
     "前台人员在检测或修改客户手机或智能卡资料时，操作失误，造成客户SIM卡不能使用的"),
    ("2.2.13", "2.2", "major", "human", False, "因客户资料录入错误或遗漏，延误客户手机恢复使用的"),
    ("2.3.1", "2.3", "serious", "system", False, "因系统原因，造成客户费用损失的，" + _F),
    ("2.3.2", "2.3", "minor", "system", False, "因系统原因，未造成客户费用损失的，" + _F),
    ("3.1.1", "3.1", "general", "human", False, _P + "造成客户手机停止使用的"),
    ("3.1.2", "3.1", "general", "human", False, _P + "使客户产生费用损失的"),
    ("3.1.3", "3.1", "minor", "human", False, _P + "没有造成客户使用或费用上的损失的"),
    ("3.1.4", "3.1", "minor", "human", False, "前台人员错误引导客户缴费，未造成客户使用或费用损失的"),
    ("3.1.5", "3.1", "general", "human", False, "前台人员错误引导客户缴费，造成客户费用损失的"),
    ("3.1.6", "3.1", "general", "human", False, "前台人员错误引导客户缴费，造成客户手机停止服务的"),
    ("3.2.1", "3.2", "general", "human", False, _C + "使客户产生费用损失的"),
    ("3.2.2", "3.2", "minor", "human", False, _C + "没有造成客户使用或费用上的损失的"),
    ("3.2.3", "3.2", "major", "human", False, _C + "造成客户手机停止使用的"),
    ("3.2.4", "3.2", "general", "human", False, _C + "延误客户手机恢复使用的"),
    ("3.2.5", "3.2", "minor", "human", False,
     "前台人员没有按规范向客户报出收费项目（收费号码、收费月份、收费金额），造成客户误缴费的"),
    ("3.2.6", "3.2", "general", "human", False,
     "前台人员没有按规范向客户报出收费项目（收费号码、收费月份、收费金额），造成客户投诉的"),
    ("3.2.7", "3.2", "general", "human", False, "前台人员收费操作错误，使客户产生费用损失的"),
    ("3.2.8", "3.2", "minor", "human", False, "前台人员收费操作错误，没有造成客户使用或费用上的损失，造成客户投诉的"),
    ("3.2.9", "3.2", "general", "human", False, "前台人员收费操作错误，造成客户手机停止使用的"),
    ("3.2.10", "3.2", "general", "human", False, "前台人员收费操作错误，延误客户手机恢复使用的"),
    ("3.3.1", "3.3", "serious", "system", False, "因系统原因，使客户托收资料出错，造成客户手机停止使用的，" + _F),
    ("3.3.2", "3.3", "major", "system", False, "因系统原因，造成客户托收资料出错，使客户产生费用损失的，" + _F),
    ("3.3.3", "3.3", "general", "system", False, "因系统原因，延误客户手机恢复使用的，" + _F),
    ("4.1.1", "4.1", "general", "human", False, "前台人员遗漏或错误提供客户数据做二次批价处理的，造成客户费用损失"),
    ("4.2.1", "4.2", "major", "system", False, "因系统计费错误，造成客户费用损失的"),
    ("5.1.1", "5.1", "general", "human", True, _K + "造成客户停止服务的"),
    ("5.1.2", "5.1", "general", "human", True, _K + "造成客户费用损失的"),
    ("5.1.3", "5.1", "minor", "human", True, _K + "没有造成客户使用或费用上的损失，但产生投诉的"),
    ("5.2.1", "5.2", "general", "human", True, "客户申请调整信用额度，前台人员漏办、错办，造成客户停止服务的"),
    ("5.2.2", "5.2", "minor", "human", True,
     "客户申请调整信用额度，前台人员漏办、错办，但没有造成客户使用或费用上的损失的"),
    ("5.2.3", "5.2", "general", "human", True, "客户申请调整信用额度，前台人员漏办、错办，直接造成客户费用损失的"),
    ("5.2.4", "5.2", "general", "human", True, "客户没有申请调整信用额度，前台人员错为客户调整，造成客户停止服务的"),
    ("5.2.5", "5.2", "general", "human", True,
     "客户没有申请调整信用额度，前台人员错为客户调整，没有造成客户使用或费用上的损失的"),
    ("5.3.1", "5.3", "major", "system", True, "因系统原因，造成客户停止服务的，" + _F),
    ("5.3.2", "5.3", "general", "system", True, "因系统原因，造成客户信用额度有误，未造成客户停止服务的，" + _F),
    ("6.1.1", "6.1", "general", "human", False, "前台人员指导错误，直接造成客户费用损失"),
    ("6.1.2", "6.1", "minor", "human", False, "前台人员指导错误，没有造成客户费用上的损失的"),
    ("6.2.1", "6.2", "general", "system", False, "因系统原因，使功能无法使用，造成客户费用损失，" + _F),
    ("6.2.2", "6.2", "general", "system", False, "因系统原因，使客户无法使用该项功能，没有造成客户费用损失的，" + _F),
    ("6.2.3", "6.2", "general", "system", False, "因系统原因，使客户无法得到正确信息的，" + _F),
    ("7.1.1", "7.1", "minor", "human", False,
     "前台人员不按我公司业务规范要求向客户解释单据投递信息（如投递时间、对公发票投递等）的，造成客户误投诉的"),
    ("7.1.2", "7.1", "minor", "human", False,
     "前台人员不按我公司业务规范要求向客户说明信箱、单位地址、通邮情况等会影响投递的特殊情况，造成客户无法收到通知单，前来投诉的"),
    ("7.2.1", "7.2", "minor", "human", False, _M + "造成客户无法收到通知单"),
    ("7.2.2", "7.2", "minor", "human", False, _M + "造成客户无法收到托收发票、话费清单的"),
    ("7.2.3", "7.2", "minor", "human", False, _M + "使客户有直接费用损失的"),
    ("7.2.4", "7.2", "minor", "human", False, _M + "没有造成客户费用损失的"),
    ("7.3.1", "7.3", "minor", "system", False, "因系统原因，造成客户无法收到通知单，但没有造成客户费用损失的，" + _F),
    ("7.3.2", "7.3", "minor", "system", False,
     "因系统原因，造成客户无法收到托收发票、话费清单，但没有造成客户费用损失的，" + _F),
    ("7.3.3", "7.3", "minor", "system", False, "因系统原因，造成客户无法收到通知单，且使客户有直接费用损失的，" + _F),
    ("7.3.4", "7.3", "minor", "system", False,
     "因系统原因，造成客户无法收到托收发票、话费清单，且使客户有直接费用损失的，" + _F),
    ("7.3.5", "7.3", "general", "system", False, "因系统原因，造成单据明细费用不相符的，" + _F),
    ("8.1", "8", "", "network", False, "因我公司网络覆盖等问题，引起的客户投诉（按“网络通”标准处理）"),
    ("8.2", "8", "", "network", False, "因我公司网络质量等问题，引起的客户投诉（按“网络通”标准处理）"),
    ("8.3", "8", "minor", "human", True, "客户出访漫游不能使用的"),
)
