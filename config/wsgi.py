import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    application = get_wsgi_application()
except (ImproperlyConfigured, ValueError) as exc:
    print(f"Configuration error: {exc}", file=sys.stderr)
    # 3 is gunicorn's worker boot error: the master stops instead of
    # restarting workers that can never boot.
    raise SystemExit(3) from None
