"""Data analysis (ZLAL009 数据分析控制程序): so far its calendar duties (survey, monthly meetings)."""
from ..records.procedures import Procedure
from .reminders import RULES

PROCEDURE = Procedure("QP-DA", reminders=tuple(RULES))
