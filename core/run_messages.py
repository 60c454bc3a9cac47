"""Job run messages kept as a code and its parameters, put into words when read.

A run is written by a worker (in the site's default language) and read by an
operator in the admin or by monitoring over /health/jobs/<job>/, each in their
own language. So a run stores what happened (`{"code": ..., "params": ...}` in
its details, as `paused_until` stores only the time), and the reader's
language turns it into words. `JobRun.message` keeps the English text for
logs and the admin's search, and for a code no release knows any more.

Apps declare their messages in their `jobs.py` (imported at start-up, so
every process that reads a run knows every code):

    REFRESH_FAILED = run_message(
        "recruiting.refresh_failed", _("%(connection)s: refresh failed: %(error)s")
    )
    run.mark_partial(REFRESH_FAILED(connection=str(connection), error=exc.message))
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from core.types import Text

logger = logging.getLogger("core.jobs")

_templates: dict[str, Text] = {}

Param = str | int


@dataclass(frozen=True)
class RunMessage:
    """One message of a run: its code and the values its text names."""

    code: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    def text(self) -> str:
        """The message in the active language."""
        return str(_templates[self.code]) % dict(self.params)

    def english(self) -> str:
        with translation.override("en"):
            return self.text()


def run_message(code: str, template: Text) -> Callable[..., RunMessage]:
    """Declare message `code` (a lazy translation with %(name)s fields); returns
    a factory taking those fields as keyword arguments."""
    _templates[code] = template

    def make(**params: Param) -> RunMessage:
        return RunMessage(code, params)

    return make


def stored(message: str | RunMessage) -> str | dict[str, Any]:
    """The form a run's details keep: a dict for a coded message, else the text."""
    return message.as_dict() if isinstance(message, RunMessage) else message


def english(message: str | RunMessage) -> str:
    return message.english() if isinstance(message, RunMessage) else message


def message_text(value: Any, *, fallback: str = "") -> str:
    """A stored message (`stored`) in the active language.

    A plain string (older runs, free text) is shown as it is; a code no
    release declares any more shows `fallback` (the English text kept with
    the run), else the code.
    """
    if isinstance(value, dict) and isinstance(value.get("code"), str):
        params = value.get("params")
        params = params if isinstance(params, dict) else {}
        if value["code"] in _templates:
            try:
                return RunMessage(value["code"], params).text()
            except (KeyError, TypeError, ValueError):
                logger.warning("run message %s does not fit its parameters", value["code"])
        return fallback or value["code"]
    return "" if value is None else str(value)
