import core.fields
from django.db import migrations


def encrypt_stored_resumes(apps, schema_editor):
    """Rows written before this migration hold plain JSON: write them again,
    encrypted (reading takes plain text as it is)."""
    resumes = apps.get_model("recruiting", "Resume")._base_manager
    for pk, document in resumes.values_list("pk", "resume").iterator():
        resumes.filter(pk=pk).update(resume=document)


class Migration(migrations.Migration):
    dependencies = [
        ("recruiting", "0003_application_abandoned"),
    ]

    operations = [
        migrations.AlterField(
            model_name="resume",
            name="resume",
            field=core.fields.EncryptedJSONField(default=dict, verbose_name="resume"),
        ),
        migrations.RunPython(encrypt_stored_resumes, migrations.RunPython.noop),
    ]
