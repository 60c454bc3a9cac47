import gc
import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    application = get_wsgi_application()
except (ImproperlyConfigured, ValueError) as exc:
    print(f"Configuration error: {exc}", file=sys.stderr)
    # 3 is gunicorn's worker boot error: the master stops instead of
    # restarting workers that can never boot.
    raise SystemExit(3) from None

# Import every view now (Django would on the first request), then keep what
# is loaded, which lives as long as the process, out of the garbage
# collector's full passes: each walked the whole heap, about 30 ms with the
# interpreter lock held, every few hundred search requests.
get_resolver().url_patterns  # noqa: B018 - the import is the point
gc.freeze()
# A search allocates some hundred thousand objects, nearly all freed by
# their reference counts: at the default threshold (700) the collector's
# young pass ran some hundred times a search, walking objects about to be
# freed anyway, 2% of its instructions; every 20,000 allocations it costs
# half that, and what waits for it (objects in cycles) is a few megabytes
# at most.
gc.set_threshold(20_000, *gc.get_threshold()[1:])
