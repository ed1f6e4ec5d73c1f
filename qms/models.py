"""Import every model so Alembic and ``db.metadata`` see all tables: the engine's, then each
procedure package's (importing a package imports its models)."""
import importlib

from .auth.models import ApiToken, Department, LoginAttempt, User, UserSession  # noqa: F401
from .core.audit import AuditEvent  # noqa: F401
from .documents.models import ProcedureRevision  # noqa: F401
from .records.models import (Attachment, FormRevision, NumberCounter, Record,  # noqa: F401
                             RecordFacet, Signature)
from .reminders.models import CalendarDay, JobState, MailOutbox, Notification, ReminderWatch  # noqa: F401


def _procedure_models() -> None:
    from . import PROCEDURES  # noqa: PLC0415  (the one list, in the app module)

    for name in PROCEDURES:
        importlib.import_module(name)


_procedure_models()
