from django.core.management.base import BaseCommand

from core import services


class Command(BaseCommand):
    help = "Create or update the django-q2 schedule of every job declared in code."

    def handle(self, *args, **options):
        for name in services.schedules_sync():
            self.stdout.write(f"schedule {name}: up to date")
