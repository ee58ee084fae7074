"""Loads the shipped templates of the child protection and child in need documents, version 1, published (see
shipped_templates.py): strategy discussion, section 47 enquiry, initial and review conferences, child protection
plan, core group meeting, child in need plan and review."""

from django.db import migrations

from opencsc.documents.shipped_templates import (
    CHILD_IN_NEED_PLAN_V1,
    CHILD_IN_NEED_REVIEW_V1,
    CHILD_PROTECTION_PLAN_V1,
    CORE_GROUP_MEETING_V1,
    INITIAL_CONFERENCE_V1,
    REVIEW_CONFERENCE_V1,
    SECTION_47_ENQUIRY_V1,
    STRATEGY_DISCUSSION_V1,
    load_template,
)

# Named one by one: the templates of later types are loaded by their own migrations.
TYPES = [
    STRATEGY_DISCUSSION_V1,
    SECTION_47_ENQUIRY_V1,
    INITIAL_CONFERENCE_V1,
    REVIEW_CONFERENCE_V1,
    CHILD_PROTECTION_PLAN_V1,
    CORE_GROUP_MEETING_V1,
    CHILD_IN_NEED_PLAN_V1,
    CHILD_IN_NEED_REVIEW_V1,
]


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
