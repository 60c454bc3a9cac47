"""Search sessions are kept out of PostgreSQL's WAL (`core.migration_ops.Unlogged`):
a recruiter whose session a crash emptied runs the search again."""

from django.db import migrations

from core.migration_ops import Unlogged


class Migration(migrations.Migration):
    dependencies = [("recruiting", "0008_encrypted_columns_uncompressed")]

    operations = [Unlogged("searchsession")]
