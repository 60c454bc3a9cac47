"""Scheduled jobs: the registry, the run recorder, the lock and health.

Each app declares its jobs in `<app>/jobs.py` with `register(Job(...))`; core
imports those modules at start-up. Every job body runs inside `job_run()`,
which writes a `JobRun`, holds the job's lock and records the outcome.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import errors
from core.joblock import DEAD_RUN_ERROR, Heartbeat, lock_acquire, lock_extend, lock_release
from core.models import JobRun
from core.run_messages import RunMessage, english, message_text, run_message, stored
from core.types import Text

logger = logging.getLogger("core.jobs")


@dataclass(frozen=True)
class Job:
    """A job declared in code.

    `task` is the dotted path of the django-q2 entry point; `every_minutes` its
    schedule; `stale_after` how long without a successful run before the health
    check turns CRIT; `enabled_setting` the settings name of its on/off switch.
    `lock_ttl` is the lease a run holds, renewed every quarter of it while the
    run works (`auto_heartbeat`): how long a dead worker's run blocks the next
    one before it is taken over. `auto_heartbeat=False` leaves renewing to the
    body's own `heartbeat()` calls.
    """

    name: str
    title: Text  # may be a lazy translation
    task: str
    every_minutes: int
    stale_after: timedelta
    enabled_setting: str | None = None
    lock_ttl: timedelta = timedelta(minutes=2)
    runbook: str = ""
    auto_heartbeat: bool = True

    @property
    def enabled(self) -> bool:
        return bool(getattr(settings, self.enabled_setting, True)) if self.enabled_setting else True


_registry: dict[str, Job] = {}


def register(job: Job) -> Job:
    _registry[job.name] = job
    return job


def get_job(name: str) -> Job:
    try:
        return _registry[name]
    except KeyError:
        raise errors.NotFound(f"Unknown job {name!r}", details={"job": name}) from None


def all_jobs() -> list[Job]:
    return sorted(_registry.values(), key=lambda job: job.name)


# A details key: the PARTIAL run made progress (`RunRecorder.mark_partial`).
PROGRESSED = "progressed"


class JobLocked(errors.FailedPrecondition):
    default_message = _("Another run of this job is in progress")


LOCKED = run_message("core.locked", JobLocked.default_message)
# `core.joblock` writes DEAD_RUN_ERROR (in English) on the runs it closes: the
# same words, read in the reader's language.
DEAD_RUN = run_message(
    "core.dead_run", _("Lock lease expired: the run died or was killed before it finished")
)


@dataclass
class RunRecorder:
    """What a job body uses to report counters, details and its outcome."""

    run: JobRun
    counters: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    messages: list[str | RunMessage] = field(default_factory=list)
    partial: bool = False

    def incr(self, key: str, amount: int = 1) -> None:
        self.counters[key] = self.counters.get(key, 0) + amount

    def set(self, key: str, value: int) -> None:
        self.counters[key] = value

    def detail(self, key: str, value: Any) -> None:
        self.details[key] = value

    def note(self, message: str | RunMessage) -> None:
        """Record a message: a coded one (`run_message`) is read in the
        reader's language, plain text as it is."""
        logger.info("%s: %s", self.run.job, english(message))
        self.messages.append(message)

    def mark_paused(self, until: datetime, message: str | RunMessage) -> None:
        """The job is paused on purpose until `until`: the run succeeds (it is
        shown as skipped), health says WARN, "paused until" in the reader's
        language."""
        self.note(message)
        self.details["paused_until"] = until.isoformat()
        self.details["skipped"] = "paused"

    def mark_critical(self, reason: str | RunMessage) -> None:
        """Health goes CRIT at once when this run ends with the marker.

        For failures that will not heal by themselves (a source lost, access
        revoked), unlike transient ones that only WARN until `stale_after`.
        """
        self.note(reason)
        self.details["critical"] = stored(reason)

    def mark_partial(self, message: str | RunMessage, *, progressed: bool = False) -> None:
        """The run ends PARTIAL: health says WARN with `message`.

        `progressed`: the run still did its work for most of its scope (e.g.
        some batches synced). Such a run counts toward the staleness window
        like a success, so one record the source never answers for keeps the
        job at WARN instead of turning it CRIT for good.
        """
        self.partial = True
        if progressed:
            self.details[PROGRESSED] = True
        self.note(message)

    def heartbeat(self) -> None:
        """Extend the job's lock lease during a long run.

        Raises JobLocked when the lease was lost (it expired and another run
        took it): the caller must stop rather than run alongside it.
        """
        if not lock_extend(self.run.job, str(self.run.pk), get_job(self.run.job).lock_ttl):
            raise JobLocked(_("The job's lock lease expired and was taken over"))


@contextmanager
def job_run(
    name: str,
    *,
    trigger: str = JobRun.Trigger.SCHEDULE,
    dry_run: bool = False,
    scoped: bool = False,
) -> Iterator[RunRecorder]:
    """Run a job body under the job's lock and record it as a `JobRun`.

    `dry_run` and `scoped` (a run over a subset, such as chosen records) runs
    are recorded but never count as the job's success for its health check.

    Raises JobLocked (after recording a SKIPPED run) when another run holds the
    lock. An exception from the body marks the run FAILED and propagates.
    """
    job = get_job(name)
    run = JobRun.objects.create(
        job=name, started_at=timezone.now(), trigger=trigger, dry_run=dry_run, scoped=scoped
    )
    owner = str(run.pk)
    if not lock_acquire(name, owner, job.lock_ttl):
        _finish(run, JobRun.Status.SKIPPED, messages=[LOCKED()])
        raise JobLocked(details={"job": name})
    recorder = RunRecorder(run=run)
    heartbeat = Heartbeat(name, owner, job.lock_ttl) if job.auto_heartbeat else nullcontext()
    try:
        with heartbeat:
            yield recorder
    except BaseException as exc:
        _finish(run, JobRun.Status.FAILED, recorder=recorder, error=f"{type(exc).__name__}: {exc}")
        raise
    else:
        status = JobRun.Status.PARTIAL if recorder.partial else JobRun.Status.SUCCESS
        _finish(run, status, recorder=recorder)
    finally:
        lock_release(name, owner)


def _finish(
    run: JobRun,
    status: str,
    *,
    recorder: RunRecorder | None = None,
    messages: list[str | RunMessage] | None = None,
    error: str = "",
) -> None:
    run.status = status
    run.finished_at = timezone.now()
    if recorder is not None:
        run.counters = recorder.counters
        run.details = recorder.details
        messages = recorder.messages
    messages = messages or []
    if any(isinstance(m, RunMessage) for m in messages):
        # Read in the reader's language (`run_message_text`); `message` keeps
        # the English words for the logs and the admin's search.
        run.details = {**run.details, "messages": [stored(m) for m in messages]}
    run.message = "\n".join(english(m) for m in messages)
    run.error = error[:10_000]
    run.save(update_fields=["status", "finished_at", "counters", "details", "message", "error"])
    log = logger.error if status == JobRun.Status.FAILED else logger.info
    log("job %s run %s finished: %s %s %s", run.job, run.pk, status, run.counters, error)


# --- health --------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    job: str
    status: str  # OK | WARN | CRIT
    last_success: datetime | None
    last_run: datetime | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "status": self.status,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "message": self.message,
        }


def evaluate_health(
    job: Job,
    *,
    now: datetime,
    last_success: datetime | None,
    last_run: JobRun | None,
    stuck: JobRun | None = None,
) -> Health:
    """The monitoring verdict for one job, from its last runs (pure).

    `last_success` is the start of the latest run that succeeded or ended
    partial with progress (`RunRecorder.mark_partial(progressed=True)`).
    WARN: the job is switched off or paused on purpose, or its last finished
    run failed or was partial, or a run is `stuck` (still marked running,
    its lease lapsed: the worker died or hangs). CRIT: the last finished run was marked critical
    (`RunRecorder.mark_critical`), or no successful run within `stale_after`.
    OK otherwise. The message is in the active language.
    """
    last_run_at = last_run.started_at if last_run else None

    def verdict(status: str, message: str) -> Health:
        return Health(job.name, status, last_success, last_run_at, message)

    if not job.enabled:
        return verdict(
            "WARN", gettext("switched off by %(setting)s") % {"setting": job.enabled_setting}
        )
    if last_run and last_run.details.get("critical"):
        critical = message_text(last_run.details["critical"])
        return verdict("CRIT", _last_run_text(last_run, critical))
    if last_success is None:
        return verdict("CRIT", gettext("no successful run yet"))
    age = now - last_success
    if age > job.stale_after:
        message = gettext("no successful run for %(age)s (limit %(limit)s)")
        return verdict("CRIT", message % {"age": _human(age), "limit": _human(job.stale_after)})
    if stuck is not None:
        message = gettext(
            "run %(run)s started %(age)s ago stopped renewing its lock: its worker died"
            " or hangs; the next run takes the lock over and marks it failed"
        )
        return verdict("WARN", message % {"run": stuck.pk, "age": _human(now - stuck.started_at)})
    if last_run and last_run.details.get("paused_until"):
        return verdict("WARN", paused_message(last_run.details["paused_until"]))
    if last_run and last_run.details.get("paused"):  # recorded before `paused_until`
        return verdict("WARN", str(last_run.details["paused"]))
    if last_run and last_run.status in (JobRun.Status.FAILED, JobRun.Status.PARTIAL):
        reason = " ".join((run_error_text(last_run) or run_message_text(last_run)).splitlines()[:1])
        return verdict("WARN", _last_run_text(last_run, reason))
    return verdict("OK", gettext("last success %(age)s ago") % {"age": _human(age)})


def paused_message(until: str) -> str:
    """ "Paused until T" for an ISO time, in the active language and time zone."""
    try:
        shown = formats.date_format(
            timezone.localtime(datetime.fromisoformat(until)), "DATETIME_FORMAT"
        )
    except (TypeError, ValueError):
        shown = until
    return gettext("paused until %(time)s: the job changes nothing until then") % {"time": shown}


def run_outcome(run: JobRun) -> Text:
    """A run's outcome in words: its status, or why a successful run did nothing."""
    skipped = run.details.get("skipped") if isinstance(run.details, dict) else None
    if run.status == JobRun.Status.SUCCESS and skipped == "paused":
        return _("skipped: paused")
    if run.status == JobRun.Status.SUCCESS and skipped == "unchanged":
        return _("skipped: nothing changed")
    return run.get_status_display()


def run_message_text(run: JobRun) -> str:
    """The run's messages, one a line, in the active language."""
    kept = run.details.get("messages") if isinstance(run.details, dict) else None
    if not isinstance(kept, list):
        return run.message
    lines = run.message.splitlines()
    return "\n".join(
        message_text(m, fallback=lines[i] if i < len(lines) else "") for i, m in enumerate(kept)
    )


def run_error_text(run: JobRun) -> str:
    """The run's error in the active language where its words are ours; an
    exception's own text as it was raised."""
    return DEAD_RUN().text() if run.error == DEAD_RUN_ERROR else run.error


def _last_run_text(run: JobRun, reason: str) -> str:
    status = run.get_status_display()
    if not reason:
        return gettext("last run %(status)s") % {"status": status}
    return gettext("last run %(status)s: %(reason)s") % {"status": status, "reason": reason}


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return gettext("%(n)d min") % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return gettext("%(n)d h") % {"n": hours}
    return gettext("%(n)d d") % {"n": hours // 24}


def job_task(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a django-q2 entry point of job `name`.

    A scheduled run of a job switched off by its setting does nothing; a run
    that finds another one in progress ends quietly (the SKIPPED JobRun says so).
    A run that fails with a ServiceError is already recorded as a failed
    JobRun: it is logged and the task ends, so the next scheduled run is the
    retry, not the queue's redelivery. Any other exception propagates.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, trigger: str = JobRun.Trigger.SCHEDULE, **kwargs: Any) -> Any:
            job = get_job(name)
            if trigger == JobRun.Trigger.SCHEDULE and not job.enabled:
                logger.info("job %s is switched off by %s", name, job.enabled_setting)
                return None
            try:
                return func(*args, trigger=trigger, **kwargs)
            except JobLocked:
                logger.warning("job %s: another run is in progress, this one is skipped", name)
                return None
            except errors.ServiceError as exc:
                logger.error("job %s failed: %s", name, exc.message)
                return None

        return wrapper

    return decorate


# --- core's own jobs -------------------------------------------------------------

register(
    Job(
        name="jobruns_prune",
        title=_("Prune old job runs"),
        task="core.tasks.jobruns_prune",
        every_minutes=24 * 60,
        stale_after=timedelta(days=3),
        enabled_setting="JOBRUNS_PRUNE_ENABLED",
        runbook="docs/jobs/jobruns_prune.md",
    )
)
