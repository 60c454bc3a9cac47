from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from core.sqlite import install_unicode_like


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Control panel")

    def ready(self) -> None:
        from core import checks  # noqa: F401  (registers the deploy checks)

        # Every app declares its scheduled jobs in <app>/jobs.py.
        autodiscover_modules("jobs")
        connection_created.connect(install_unicode_like, dispatch_uid="core.sqlite.unicode_like")
