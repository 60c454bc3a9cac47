"""`migrate` that brings every ppc shard up to date, not just the default database.

Without `--database` it migrates the default database, then every other shard
alias (the router lets only the shard tables onto them). With `--database` it
does exactly what Django's command does (the test runner relies on that).
"""

from django.conf import settings
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS


class Command(migrate.Command):
    help = migrate.Command.help + " Without --database: the default database and every ppc shard."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=None)

    def get_check_kwargs(self, options):
        if options["database"] is not None:
            return super().get_check_kwargs(options)
        return {
            **super().get_check_kwargs({**options, "database": DEFAULT_DB_ALIAS}),
            "databases": _aliases(),
        }

    def handle(self, *args, **options):
        if options["database"] is not None:
            return super().handle(*args, **options)
        for alias in _aliases():
            if options["verbosity"] >= 1 and alias != DEFAULT_DB_ALIAS:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Database {alias}:"))
            super().handle(*args, **{**options, "database": alias})


def _aliases() -> list[str]:
    shards = [alias for alias in settings.PPC_SHARDS.values() if alias != DEFAULT_DB_ALIAS]
    return [DEFAULT_DB_ALIAS, *shards]
