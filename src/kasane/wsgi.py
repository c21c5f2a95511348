"""WSGI entry point for gunicorn: ``gunicorn kasane.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kasane.settings")

application = get_wsgi_application()

# Once the application is loaded: in each gunicorn worker (or, with --preload, in the
# master before it forks them).
from kasane.core.process import settle  # noqa: E402 - needs the settings configured above

settle()
