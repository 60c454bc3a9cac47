"""A database guard: a moderated (accepted or declined) card row is never updated.

Works on SQLite and PostgreSQL; other backends rely on the model-level guard.
Deleting rows stays possible (a freelancer's removal cascades to its cards).
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE TRIGGER freelancers_card_immutable
BEFORE UPDATE ON freelancers_freelancercard
WHEN OLD.status IN ('accepted', 'declined')
BEGIN
    SELECT RAISE(ABORT, 'freelancer card: a moderated card is immutable');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS freelancers_card_immutable;"

POSTGRES_CREATE = [
"""
CREATE OR REPLACE FUNCTION freelancers_card_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN ('accepted', 'declined') THEN
        RAISE EXCEPTION 'freelancer card: a moderated card is immutable'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
"""
CREATE TRIGGER freelancers_card_immutable
BEFORE UPDATE ON freelancers_freelancercard
FOR EACH ROW EXECUTE FUNCTION freelancers_card_immutable();
""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS freelancers_card_immutable ON freelancers_freelancercard;",
    "DROP FUNCTION IF EXISTS freelancers_card_immutable();",
]


def _run(statements: dict[str, list[str]]):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("freelancers", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": [SQLITE_CREATE], "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": [SQLITE_DROP], "postgresql": POSTGRES_DROP}),
        )
    ]
