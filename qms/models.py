"""Import every model so Alembic and ``db.metadata`` see all tables."""
from .auth.models import ApiToken, Department, LoginAttempt, User, UserSession  # noqa: F401
from .core.audit import AuditEvent  # noqa: F401
from .documents.models import ProcedureRevision  # noqa: F401
from .records.models import (Attachment, FormRevision, NumberCounter, Record,  # noqa: F401
                             RecordFacet, Signature)
from .reminders.models import CalendarDay, JobState, MailOutbox, Notification, ReminderWatch  # noqa: F401
from .capa.models import NcDesk, NcMonthly, NcTally  # noqa: F401
from .instruments.models import Instrument  # noqa: F401
