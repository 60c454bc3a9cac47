"""Deterministic generated job seekers shared by the job-site emulators.

Person `i` is generated from a RNG seeded with `i`, so every run sees the same
people. hh.ru lists persons 0..5999 and SuperJob 4000..6999: 2,000 people are
on both sites (with the same name, birth date, city, employer and education,
and a salary and update time that differ a little), so merging shows.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

# hh.ru and SuperJob are Moscow sites: their days (ages, hh.ru's daily limits
# and contacts' open-until date) are Moscow's (unverified: hh.ru's API docs
# say "daily" without naming a time zone).
SITES_ZONE = ZoneInfo("Europe/Moscow")
HH_RANGE = range(0, 6000)
SUPERJOB_RANGE = range(4000, 7000)

MALE_FIRST = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Иван",
    "Михаил",
    "Никита",
    "Егор",
    "Павел",
    "Роман",
    "Олег",
    "Кирилл",
    "Артём",
]
FEMALE_FIRST = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Екатерина",
    "Светлана",
    "Юлия",
    "Дарья",
    "Алина",
    "Ксения",
    "Полина",
]
LAST = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
]
MALE_MIDDLE = ["Александрович", "Сергеевич", "Игоревич", "Андреевич", "Петрович", "Олегович"]
FEMALE_MIDDLE = ["Александровна", "Сергеевна", "Игоревна", "Андреевна", "Петровна", "Олеговна"]
# (city, hh area id, SuperJob town id)
CITIES = [
    ("Москва", "1", 4),
    ("Санкт-Петербург", "2", 14),
    ("Екатеринбург", "3", 33),
    ("Новосибирск", "4", 25),
    ("Казань", "88", 42),
    ("Нижний Новгород", "66", 9),
]
CITY_WEIGHTS = [40, 20, 10, 10, 10, 10]
# (title, weight, skills)
PROFESSIONS = [
    ("Python-разработчик", 12, "Python Django PostgreSQL"),
    ("Java-разработчик", 10, "Java Spring Kotlin"),
    ("Frontend-разработчик", 10, "JavaScript TypeScript React"),
    ("Разработчик 1С", 8, "1С Бухгалтерия"),
    ("Менеджер по продажам", 12, "Продажи CRM Переговоры"),
    ("Бухгалтер", 10, "1С МСФО Налоги"),
    ("Аналитик данных", 10, "SQL Python Excel"),
    ("HR-менеджер", 8, "Подбор персонала Адаптация"),
    ("Системный администратор", 10, "Linux Сети Windows"),
    ("Маркетолог", 10, "SMM Контекстная реклама"),
]
EMPLOYERS = [
    "ООО Ромашка",
    "АО Вектор",
    "ПАО Северсталь",
    "ООО Техносфера",
    "АО Сбербанк-Технологии",
    "ООО Альфа-Софт",
    "ООО Уральские самоцветы",
    "АО РЖД",
    "ООО Лента",
    "ООО Контур",
]
UNIVERSITIES = [
    "МГУ им. М. В. Ломоносова",
    "СПбГУ",
    "МФТИ",
    "НИУ ВШЭ",
    "УрФУ",
    "НГУ",
    "Казанский федеральный университет",
    "ННГУ им. Лобачевского",
    "МГТУ им. Баумана",
]


@dataclass(frozen=True)
class Person:
    index: int
    gender: str  # "male" | "female"
    first_name: str
    last_name: str
    middle_name: str
    birth_date: date
    city: str
    hh_area: str
    sj_town: int
    title: str
    skills: str
    employer: str
    position: str
    university: str
    graduated: int
    salary: int | None  # RUB
    hh_usd: bool  # lists the salary in USD on hh.ru
    hh_updated: datetime
    sj_updated: datetime
    hh_open: bool  # contacts already open for the sandbox employer
    sj_open: bool
    phone: str
    email: str

    @property
    def experience_months(self) -> int:
        return max(6, (self.age - 22) * 12)

    @property
    def age(self) -> int:
        """On the sites' own day (Moscow's), as of now: a long-running
        emulator ages its people on their birthdays."""
        return age_on(self.birth_date, datetime.now(SITES_ZONE).date())

    def relevance(self, text: str) -> int:
        """A score both sites derive alike, so a person ranks near on each."""
        digest = hashlib.sha256(f"{self.index}:{text.lower()}".encode()).digest()
        return int.from_bytes(digest[:4], "big")

    @cached_property
    def haystack(self) -> str:
        return f"{self.title} {self.skills} {self.position} {self.employer}".lower()

    def matches(self, text: str) -> bool:
        hay = self.haystack
        return all(word in hay for word in text.lower().split())


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _female(last: str) -> str:
    return last + "а" if last.endswith(("ов", "ев", "ёв", "ин")) else last


def person(index: int) -> Person:
    rng = random.Random(f"sandbox-person-{index}")
    gender = rng.choice(["male", "female"])
    male = gender == "male"
    last = rng.choice(LAST)
    title, _, skills = rng.choices(PROFESSIONS, weights=[p[1] for p in PROFESSIONS])[0]
    city, area, town = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
    birth = date(rng.randint(1965, 2003), rng.randint(1, 12), rng.randint(1, 28))
    salary = None if rng.random() < 0.1 else rng.randrange(40_000, 400_000, 5_000)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hh_updated = now - timedelta(minutes=rng.randint(60, 60 * 24 * 90))
    return Person(
        index=index,
        gender=gender,
        first_name=rng.choice(MALE_FIRST if male else FEMALE_FIRST),
        last_name=last if male else _female(last),
        middle_name=rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE),
        birth_date=birth,
        city=city,
        hh_area=area,
        sj_town=town,
        title=title,
        skills=skills,
        employer=rng.choice(EMPLOYERS),
        position=title if rng.random() < 0.7 else f"Ведущий {title.lower()}",
        university=rng.choice(UNIVERSITIES),
        graduated=birth.year + rng.randint(21, 24),
        salary=salary,
        hh_usd=rng.random() < 0.08,
        hh_updated=hh_updated,
        sj_updated=hh_updated + timedelta(minutes=rng.randint(-180, 180)),
        hh_open=rng.random() < 0.1,
        sj_open=rng.random() < 0.1,
        phone=f"+7 (9{rng.randint(10, 99)}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
        email=f"user{index}@example.ru",
    )


@lru_cache(maxsize=2)
def people(which: str) -> tuple[Person, ...]:
    """Everyone listed on site `which` ("hh" or "superjob")."""
    span = HH_RANGE if which == "hh" else SUPERJOB_RANGE
    return tuple(person(i) for i in span)


def hh_resume_id(index: int) -> str:
    return hashlib.sha1(f"hh-resume-{index}".encode()).hexdigest()[:32].upper()  # noqa: S324


def sj_resume_id(index: int) -> int:
    return 40_000_000 + index * 7


@lru_cache(maxsize=2)
def by_resume_id(which: str) -> dict[str, Person]:
    key = hh_resume_id if which == "hh" else (lambda i: str(sj_resume_id(i)))
    return {key(p.index): p for p in people(which)}
