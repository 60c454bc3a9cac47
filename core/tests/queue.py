"""Running what django-q2 queued (ORM broker), as a worker would."""

from __future__ import annotations

from django.utils.module_loading import import_string
from django_q.models import OrmQ


def run_queued() -> list[str]:
    """Take every queued task off the queue and run it here, oldest first;
    returns the dotted paths of the functions run."""
    done = []
    for queued in OrmQ.objects.order_by("pk"):
        task = queued.task
        queued.delete()
        import_string(task["func"])(*task.get("args", ()), **task.get("kwargs", {}))
        done.append(task["func"])
    return done
