"""Demo data for core: a demo company, its recruiter and an administrator."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Organization, User

DEMO_ORGANIZATION = "Demo Company"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str


DEMO_LOGINS = [
    DemoLogin("recruiter", "recruiter", "recruiter-demo"),
    DemoLogin("admin", "admin", "admin-demo"),
]


def seed() -> list[str]:
    organization, _ = Organization.objects.get_or_create(name=DEMO_ORGANIZATION)
    recruiter, admin = DEMO_LOGINS
    _user(recruiter, organization=organization, first_name="Анна", last_name="Рекрутерова")
    _user(admin, is_staff=True, is_superuser=True)
    return [f"{login.role}: {login.username} / {login.password}" for login in DEMO_LOGINS]


def _user(login: DemoLogin, **fields) -> User:
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={"email": f"{login.username}@demo.localhost", **fields},
    )
    if created:
        user.set_password(login.password)
        user.save(update_fields=["password"])
    return user
