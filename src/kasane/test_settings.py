"""Settings for the test suite: the production settings, fast password hashing, and a
throw-away data directory so a test run never writes into the checkout."""

import os
import tempfile

os.environ.setdefault("KASANE_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("KASANE_DATA_DIR", tempfile.mkdtemp(prefix="kasane-test-"))

from kasane.settings import *  # noqa: F403
from kasane.settings import STATIC_ROOT, STORAGES

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Most tests sign in with a password only; the two-factor tests switch it on themselves
# (kasane/accounts/tests/test_2fa.py). Production's default is on.
KASANE_2FA = False
# Its flush command lifts the audit log's append-only triggers (kasane.testing.audit).
INSTALLED_APPS = [*INSTALLED_APPS, "kasane.testing"]  # noqa: F405
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# SQLite: test on a file, as production does, not in memory. An in-memory test database
# uses shared-cache table locks that ignore the busy timeout, so two HTMX requests that a
# page fires at once under the live server fail with "database table is locked". On a file,
# WAL and the busy timeout serialise writers as in production.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(os.environ["KASANE_DATA_DIR"], "test.sqlite3")
    }
