"""Loads the shipped templates of the looked-after documents, version 1, published (see shipped_templates.py): the
care plan, the placement plan and the pathway plan (Care Planning, Placement and Case Review (England)
Regulations 2010)."""

from django.db import migrations

from opencsc.documents.shipped_templates import (
    CARE_PLAN_V1,
    PATHWAY_PLAN_V1,
    PLACEMENT_PLAN_V1,
    load_template,
)

TYPES = [CARE_PLAN_V1, PLACEMENT_PLAN_V1, PATHWAY_PLAN_V1]


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
    dependencies = [("documents", "0007_looked_after_document_types")]

    operations = [migrations.RunPython(load, unload)]
