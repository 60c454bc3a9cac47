"""Encrypted columns are stored uncompressed on PostgreSQL (`core.migration_ops`)."""

from django.db import migrations

from core.migration_ops import StoreUncompressed


class Migration(migrations.Migration):
    dependencies = [("recruiting", "0007_search_buffers_apart")]

    operations = [
        StoreUncompressed("token", ["access_token", "refresh_token"]),
        StoreUncompressed("resume", ["contacts", "resume"]),
        StoreUncompressed("searchsession", ["query", "state", "pages", "buffers"]),
        StoreUncompressed(
            "subsystemconnection", ["access_token", "refresh_token", "client_secret"]
        ),
        StoreUncompressed("knowncontact", ["contacts"]),
    ]
