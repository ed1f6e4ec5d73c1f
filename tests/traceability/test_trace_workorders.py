"""The work order on the trace (IT-03, IT-07): issued from the slip, found from the number; its
inspection step, once signed, is the chain's 工单检查 stage (``trace: {steps: {inspect: inspection}}``),
linked back to its work order; the devices it registered appear with their states.
covers: IT-03, IT-07"""
from qms.core import timeutil
from qms.traceability import trace
from tests import factories as F
from tests.customer_property import workorders_helpers as W
from tests.support.clock import at


def test_it07_a_work_order_and_its_inspection_are_stages_of_the_trace(app):
    p = W.People()
    timeutil.set_clock(at(11, 22, 9))
    biz = W.slip(p.clerk)
    wo = W.issue(p.clerk, biz)
    W.self_check(wo, p.lineman, W.PHONE_ROW, W.FAX_ROW)
    W.customer_signs(wo, p.lineman)
    t = trace.build("(0756) 221-6688", p.quality)
    stages = {s: [n.key for n in nodes] for s, _label, nodes in t.stages()}
    assert stages["acceptance"] == [f"r{biz.id}"] and stages["work_order"] == [f"r{wo.id}"]
    assert stages["inspection"] == []  # not inspected yet: the stage says so
    assert {i.item.kind for i in t.items} == {"telephone", "fax_g3"}
    W.inspect(wo, p.tsd_head)
    t = trace.build("0756-2216688", p.quality)
    inspection = [n for s, _label, nodes in t.stages() if s == "inspection" for n in nodes]
    assert [n.key for n in inspection] == [f"r{wo.id}:inspect"]
    assert t.record_count == 2 and len(t.nodes) == 3  # the inspection is the work order's, not a third record
    assert [s.step for s in inspection[0].signatures] == ["工单检查"] and inspection[0].valid
    assert (f"r{wo.id}:inspect", f"r{wo.id}", "装移机/修障工单") in t.edges
    assert any(a == f"r{wo.id}" and b == f"r{biz.id}" for a, b, _label in t.edges)  # the slip it was issued from


def test_it07_a_pbx_and_its_reinspection_rounds_stand_with_the_equipment(app):
    """CP-04 on the trace: the application, the failed inspection's round and the PBX item's history."""
    from tests.customer_property import pbx_helpers as P
    who = P.people()
    application = P.application(who["clerk"])
    P.inspect(application, who["inspector"], "fail")
    again = P.round_(application, who["inspector"], "pass")
    t = trace.build("+86 756 2216688", F.user("quality_manager", "EMD"))
    equipment = [n.key for s, _label, nodes in t.stages() if s == "property" for n in nodes]
    assert f"r{application.id}" in equipment and f"r{again.id}" in equipment
    assert [i.state for i in t.items if i.item.kind == "pbx"] == ["检验/验收合格"]
