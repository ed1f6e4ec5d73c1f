"""The six roles. Labels are translated where shown; codes are stored."""
from flask_babel import lazy_gettext as _l

CLERK = "clerk"
TECHNICIAN = "technician"
DEPARTMENT_HEAD = "department_head"
QUALITY_MANAGER = "quality_manager"
GENERAL_MANAGER = "general_manager"
ADMIN = "admin"

ROLES = {
    CLERK: _l("Clerk"),
    TECHNICIAN: _l("Technician"),
    DEPARTMENT_HEAD: _l("Department head"),
    QUALITY_MANAGER: _l("Quality manager"),
    GENERAL_MANAGER: _l("General manager"),
    ADMIN: _l("Administrator"),
}

# Roles whose work spans the company: they see every department's records.
COMPANY_WIDE = {QUALITY_MANAGER, GENERAL_MANAGER, ADMIN}

# Site-wide rights that are not about one form: who administers, who reads the whole audit trail.
SITE_RIGHTS = {
    "admin": {ADMIN},
    "audit_global": {QUALITY_MANAGER, GENERAL_MANAGER, ADMIN},
}
