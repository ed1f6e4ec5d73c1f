"""The mock declarations (TEST-*) the engine tests use instead of the business forms."""
from pathlib import Path

# Loaded after forms/ by the test app (tests/conftest.py sets QMS_EXTRA_FORMS_DIRS to it).
MOCK_FORMS_DIR = Path(__file__).resolve().parent.parent / "records" / "forms"
