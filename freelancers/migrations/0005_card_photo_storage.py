import freelancers.photos
from django.db import migrations, models


class Migration(migrations.Migration):
    """The photo's storage (URLs of the guarded view) is Python-only: state
    only, because SQLite would rebuild the table for an AlterField and drop
    the immutability triggers of migration 0002."""

    dependencies = [
        ("freelancers", "0004_phone_e164"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="freelancercard",
                    name="photo",
                    field=models.ImageField(
                        blank=True,
                        storage=freelancers.photos.card_photo_storage,
                        upload_to="freelancers/photos/",
                        verbose_name="photo",
                    ),
                ),
            ]
        ),
    ]
