"""Which stage of the traceability chain a form belongs to (IT-07): the top-level YAML key
``trace: {stage: <stage>}``, parsed here as this package's extension (``Procedure.extensions``).

S003 标识和可追溯性控制程序 names the chain: 「业务受理过程、交换传输放号过程、装移机和故障维修过程、工单检查过程、
设备和设施的状况、服务合同执行情况」. The trace page shows those stages in that order, and beside them
the complaints, refunds and surveys about the same number. A form joins the trace page by declaring
its stage; nothing in Python names the forms.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.errors import SpecError
from ..records import spec as specs

# The chain in S003's order, then what is said about the number beside it.
CHAIN = {
    "acceptance": _l("Business acceptance"),
    "allocation": _l("Number allocation"),
    "work_order": _l("Work orders"),
    "inspection": _l("Work-order inspection"),
    "property": _l("Equipment and facility state"),
    "contract": _l("Service contracts"),
}
BESIDE = {
    "complaint": _l("Complaints"),
    "refund": _l("Refunds"),
    "survey": _l("Surveys and visits"),
}
STAGES = {**CHAIN, **BESIDE}
ORDER = {stage: i for i, stage in enumerate(STAGES)}
# The stages whose records carry the line's own number (the slip, the allocation): the numbers they
# name are traced too, so a number allocated other than the one chosen on the slip brings its records.
LINE_STAGES = ("acceptance", "allocation")


def parse(value, where: str, code: str) -> dict:
    """``trace: {stage: <stage>, steps: {<step>: <stage>}}`` → {"stage", "steps"}; SpecError naming the
    file and key. ``steps``: a step of the form that is a stage of its own once signed (the work order's
    inspection step is the chain's 工单检查)."""
    if not isinstance(value, dict) or "stage" not in value or not set(value) <= {"stage", "steps"}:
        raise SpecError(f"{where}: a mapping with the key stage (and steps)")
    stage = value["stage"]
    if stage not in STAGES:
        raise SpecError(f"{where}.stage: one of {', '.join(STAGES)}")
    steps = value.get("steps") or {}
    if not isinstance(steps, dict) or not all(isinstance(k, str) and v in STAGES for k, v in steps.items()):
        raise SpecError(f"{where}.steps: a mapping of step name to one of {', '.join(STAGES)}")
    return {"stage": stage, "steps": dict(steps)}


def stage_of(spec) -> str | None:
    """The stage form ``spec`` declares, or None when it is not part of the trace."""
    declared = spec.extensions.get("trace") if spec is not None else None
    return declared["stage"] if declared else None


def step_stages(spec) -> dict[str, str]:
    """{step: stage} of the form's steps that are a stage of their own once signed."""
    declared = spec.extensions.get("trace") if spec is not None else None
    return dict(declared.get("steps") or {}) if declared else {}


def traced() -> dict[str, str]:
    """{form code: stage} of every current form that declares one."""
    out = {}
    for spec in specs.all_specs():
        stage = stage_of(spec)
        if stage:
            out[spec.code] = stage
    return out


def stage_label(stage: str) -> str:
    """The stage's heading in the reader's language."""
    return str(STAGES.get(stage, stage))
