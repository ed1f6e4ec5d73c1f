"""After-sales service and complaints (ZLAL009 后续服务和客户投诉处理程序): so far its calendar duties."""
from ..records.procedures import Procedure
from .reminders import RULES

PROCEDURE = Procedure("QP-CS", reminders=tuple(RULES))
