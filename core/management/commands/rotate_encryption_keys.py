from django.core.management.base import BaseCommand

from core import services


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first of FIELD_ENCRYPTION_KEYS. "
        "Run after putting a new key first; drop the old key only afterwards."
    )

    def handle(self, *args, **options):
        for label, count in services.encrypted_fields_rotate():
            self.stdout.write(f"{label}: {count} values re-encrypted")
