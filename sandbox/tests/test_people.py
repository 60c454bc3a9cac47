"""The generated job seekers the job-site emulators share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from sandbox.emulators.people import people


def test_a_person_turns_older_at_moscow_midnight_of_the_birthday():
    """The sites' day is Moscow's (21:00 UTC the day before), and a running
    emulator's people age: nothing keeps the age of its first reading."""
    person = people("hh")[0]
    birthday = person.birth_date.replace(year=2026)
    moscow_midnight = datetime(birthday.year, birthday.month, birthday.day, tzinfo=UTC) - timedelta(
        hours=3
    )
    with time_machine.travel(moscow_midnight - timedelta(minutes=1), tick=False):
        before = person.age
    with time_machine.travel(moscow_midnight + timedelta(minutes=1), tick=False):
        after = person.age
    assert after == before + 1 == 2026 - person.birth_date.year
