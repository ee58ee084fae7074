"""Loads the shipped templates of the child protection and child in need documents, version 1, published (see
shipped_templates.py): strategy discussion, section 47 enquiry, initial and review conferences, child protection
plan, core group meeting, child in need plan and review."""

from django.db import migrations

from opencsc.documents.shipped_templates import SHIPPED_TEMPLATES, load_template

TYPES = [data for data in SHIPPED_TEMPLATES if data["document_type"] != "child_and_family_assessment"]


def load(apps, schema_editor):
    for data in TYPES:
        load_template(
            data,
            template_model=apps.get_model("documents", "DocumentTemplate"),
            section_model=apps.get_model("documents", "TemplateSection"),
            question_model=apps.get_model("documents", "TemplateQuestion"),
        )


def unload(apps, schema_editor):
    apps.get_model("documents", "DocumentTemplate").objects.filter(
        document_type__in=[data["document_type"] for data in TYPES], version=1, documents__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_protection_and_child_in_need_types")]

    operations = [migrations.RunPython(load, unload)]
