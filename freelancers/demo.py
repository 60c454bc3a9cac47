"""Demo freelancers with cards in every state (certificates come from the emulator)."""

from __future__ import annotations

import random

from core.models import User
from freelancers import services
from freelancers.models import Freelancer, FreelancerCard

# Same uids as sandbox/demo.py gives certificates to (a convention, not an import).
DEMO_UIDS = range(7_700_000, 7_700_036)

FIRST = ["Анна", "Иван", "Мария", "Алексей", "Ольга", "Дмитрий", "Елена", "Сергей", "Наталья"]
LAST = ["Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров"]
REGIONS = ["Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Самара"]
ABOUT = [
    "Настраиваю поисковые кампании в Директе под ключ, веду и оптимизирую.",
    "Медийная реклама и ретаргетинг; аналитика в Метрике, отчёты раз в неделю.",
    "Помогаю малому бизнесу запустить первую кампанию и не слить бюджет.",
    "Автостратегии, товарные кампании и фиды для интернет-магазинов.",
]


def seed() -> list[str]:
    rng = random.Random(7)
    moderator = User.objects.filter(is_superuser=True).order_by("pk").first()
    created = 0
    for position, uid in enumerate(DEMO_UIDS):
        female = position % 2 == 0
        last = rng.choice(LAST) + ("а" if female else "")
        freelancer, new = Freelancer.objects.get_or_create(
            uid=uid,
            defaults={
                "client_id": 9_000_000 + position,
                "first_name": rng.choice(FIRST[0::2] if female else FIRST[1::2]),
                "last_name": last,
                "region": REGIONS[position % len(REGIONS)],
            },
        )
        if new and moderator is not None:
            _cards(freelancer, position, moderator, rng)
            created += 1
    _demo_login()
    return [
        f"freelancer: {DEMO_LOGIN[0]} / {DEMO_LOGIN[1]}",
        f"freelancers: {created} demo freelancers created ({len(DEMO_UIDS)} in all); "
        "with the server running, `manage.py sync_freelancer_certificates` pulls their "
        "certificates from the emulator (or Admin → Job runs → Run now)",
    ]


# The cabinet's demo login, linked to the first demo freelancer (slot 0: an
# accepted card; in the catalogue once certificates are synced).
DEMO_LOGIN = ("freelancer", "freelancer-demo")


def _demo_login() -> None:
    freelancer = Freelancer.objects.filter(uid=DEMO_UIDS[0]).first()
    if freelancer is None or freelancer.user_id is not None:
        return
    user, created = User.objects.get_or_create(
        username=DEMO_LOGIN[0], defaults={"email": "freelancer@demo.localhost"}
    )
    if created:
        user.set_password(DEMO_LOGIN[1])
        user.save(update_fields=["password"])
    freelancer.user = user
    freelancer.save(update_fields=["user", "updated_at"])


def _cards(freelancer: Freelancer, position: int, moderator: User, rng: random.Random) -> None:
    """Cards in every state, by position: accepted; accepted + a new version on
    moderation; accepted + declined; a draft; on moderation; two accepted."""

    def card(submit: bool = True) -> FreelancerCard:
        return services.freelancer_card_create(
            freelancer=freelancer,
            about=rng.choice(ABOUT),
            phone=f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            email=f"freelancer{freelancer.uid}@example.com",
            site=f"https://freelancer{freelancer.uid}.example.com" if position % 3 else "",
            messenger=f"@direct_{freelancer.uid}",
            submit=submit,
        )

    def accepted() -> FreelancerCard:
        return services.freelancer_card_accept(card=card(), moderator=moderator)

    slot = position % 6
    if slot == 3:
        card(submit=False)
        return
    if slot == 4:
        card()
        return
    accepted()
    if slot == 1:
        card()
    elif slot == 2:
        services.freelancer_card_decline(
            card=card(), moderator=moderator, reason="Контакты нельзя указывать в тексте о себе."
        )
    elif slot == 5:
        accepted()
