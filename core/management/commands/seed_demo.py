"""Fill the database with demo data. Idempotent; refused outside the sandbox."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Create demo users and data for every app (only with DEBUG and SANDBOX on)."

    def handle(self, *args, **options):
        if not (settings.SANDBOX and settings.DEBUG):
            raise CommandError(
                "seed_demo runs only with DEBUG and SANDBOX on: it creates known passwords."
            )
        lines: list[str] = []
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.startswith(("django.", "allauth", "rest_framework")) or not find_spec(
                module_name
            ):
                continue
            with transaction.atomic():
                lines += import_module(module_name).seed() or []
            self.stdout.write(f"demo data: {config.label} ready")
        for line in lines:
            self.stdout.write(self.style.SUCCESS(line))
