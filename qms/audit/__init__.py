"""The global audit trail's page for the quality office (the trail itself is ``qms.core.audit``)."""
