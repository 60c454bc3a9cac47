"""Card phones in E.164, checked against the numbering plans (`phonenumbers`).

Existing drafts and cards on moderation are rewritten in E.164. A phone that
is not a valid number is left as it was: the freelancer sees the error the
next time the card is edited, and nothing anyone wrote is lost.

Accepted and declined versions are not rewritten: they are the record of what
a moderator decided on, and the database refuses any UPDATE of them (0002).
Pages show every phone through the same formatter, which reads any form, so
the catalogue looks the same for old and new versions.
"""

from django.db import migrations, models

import freelancers.validators
from core.phones import phone_e164

UNMODERATED = ("draft", "on_moderation")


def phones_to_e164(apps, schema_editor):
    card_model = apps.get_model("freelancers", "FreelancerCard")
    cards = card_model.objects.filter(status__in=UNMODERATED).exclude(phone="")
    for pk, phone in cards.values_list("pk", "phone").iterator():
        e164 = phone_e164(phone)
        if e164 is not None and e164 != phone:
            card_model.objects.filter(pk=pk, status__in=UNMODERATED).update(phone=e164)


class Migration(migrations.Migration):
    dependencies = [("freelancers", "0003_freelancer_user_expiry_notice")]

    operations = [
        migrations.AlterField(
            model_name="freelancercard",
            name="phone",
            field=models.CharField(
                blank=True,
                max_length=32,
                validators=[freelancers.validators.validate_phone],
                verbose_name="phone",
            ),
        ),
        # Forward only: the written forms are gone, and E.164 is valid under
        # the old validator too.
        migrations.RunPython(phones_to_e164, migrations.RunPython.noop),
    ]
