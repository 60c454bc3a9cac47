"""Run the support chat sync now: `manage.py sync_support_chat [--dry-run] [--force]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core import errors
from core.models import JobRun
from supportchat import services
from supportchat.plan import Plan

SHOW_IDS = 20


class Command(BaseCommand):
    help = (
        "Sync the checked_support_chat feature on every shard from the exclusion list. "
        "--dry-run prints the plan and changes nothing; --force applies a plan the "
        "safety guards refuse."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Plan only; change nothing.")
        parser.add_argument(
            "--force", action="store_true", help="Apply even a plan the safety guards refuse."
        )

    def handle(self, *args, dry_run: bool, force: bool, **options):
        try:
            result = services.support_chat_sync(
                trigger=JobRun.Trigger.COMMAND,
                dry_run=dry_run,
                force=force,
                on_batch=self._progress,
            )
        except errors.ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"run #{result.run_id}: {result.outcome}")
        if result.version is not None:
            version = result.version
            self.stdout.write(f"table {version.location}, modified {version.modified_at}")
        if result.plan is not None:
            self._print_plan(result.plan)
        for reason in result.refusals:
            self.stdout.write(self.style.WARNING(f"a real run would be refused: {reason}"))
        if result.outcome == "synced":
            self.stdout.write(self.style.SUCCESS(f"applied {result.applied} changes"))

    def _progress(self, shard: int, action: str, done: int, total: int) -> None:
        # Progress goes to stderr so stdout stays a clean report.
        if self.stderr.isatty():
            end = "\n" if done == total else ""
            self.stderr.write(f"\rshard {shard}: {action} {done}/{total}", ending=end)
        elif done == total:
            self.stderr.write(f"shard {shard}: {action} {done}/{total}")

    def _print_plan(self, plan: Plan) -> None:
        for name, value in plan.counters().items():
            self.stdout.write(f"  {name}: {value}")
        for shard, shard_plan in sorted(plan.shards.items()):
            self.stdout.write(
                f"  shard {shard}: disable {len(shard_plan.to_disable)} "
                f"{_ids(shard_plan.to_disable)}, enable {len(shard_plan.to_enable)} "
                f"{_ids(shard_plan.to_enable)}"
            )
        if plan.unknown:
            self.stdout.write(f"  unknown to the shard map: {_ids(plan.unknown)}")


def _ids(ids: tuple[int, ...]) -> str:
    shown = ", ".join(map(str, ids[:SHOW_IDS]))
    return f"[{shown}{', …' if len(ids) > SHOW_IDS else ''}]"
