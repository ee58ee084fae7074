"""Loads the shipped child and family assessment template, version 1, published (see shipped_templates.py)."""

from django.db import migrations

from opencsc.documents.shipped_templates import CHILD_AND_FAMILY_ASSESSMENT_V1, load_template


def load(apps, schema_editor):
    load_template(
        CHILD_AND_FAMILY_ASSESSMENT_V1,
        template_model=apps.get_model("documents", "DocumentTemplate"),
        section_model=apps.get_model("documents", "TemplateSection"),
        question_model=apps.get_model("documents", "TemplateQuestion"),
    )


def unload(apps, schema_editor):
    apps.get_model("documents", "DocumentTemplate").objects.filter(
        document_type=CHILD_AND_FAMILY_ASSESSMENT_V1["document_type"], version=1, documents__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
