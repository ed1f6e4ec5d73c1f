"""Import every engine model so Alembic and ``db.metadata`` see their tables. The procedure
packages' own models (instruments, the CAPA desk...) are imported with their packages, which
``create_app`` loads first (``configure_procedures``), so a migration always sees every table."""
from .admin.contacts import FlowContact  # noqa: F401
from .auth.models import ApiToken, Department, DepartmentAlias, LoginAttempt, User, UserSession  # noqa: F401
from .core.audit import AuditEvent  # noqa: F401
from .documents.models import ProcedureRevision  # noqa: F401
from .records.customers import CustomerEntry, CustomerForm  # noqa: F401
from .records.models import (  # noqa: F401
                             Attachment,
                             FormRevision,
                             NumberCounter,
                             Record,
                             RecordFacet,
                             Signature,
                             SignatureReturn,
)
from .reminders.models import (  # noqa: F401
                             CalendarDay,
                             CalendarSeedYear,
                             DutyClosure,
                             JobState,
                             MailOutbox,
                             Notification,
                             ReminderWatch,
)
