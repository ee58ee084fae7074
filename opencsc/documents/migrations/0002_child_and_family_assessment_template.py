"""Loads the shipped child and family assessment template, version 1, published (see shipped_templates.py)."""

from django.db import migrations
from django.utils import timezone

from opencsc.documents.shipped_templates import CHILD_AND_FAMILY_ASSESSMENT_V1


def load(apps, schema_editor):
    template_model = apps.get_model("documents", "DocumentTemplate")
    section_model = apps.get_model("documents", "TemplateSection")
    question_model = apps.get_model("documents", "TemplateQuestion")
    data = CHILD_AND_FAMILY_ASSESSMENT_V1
    if template_model.objects.filter(document_type=data["document_type"], version=data["version"]).exists():
        return
    template = template_model.objects.create(
        document_type=data["document_type"],
        version=data["version"],
        title=data["title"],
        introduction=data["introduction"],
        published_at=timezone.now(),
    )
    for section_position, section in enumerate(data["sections"], start=1):
        saved = section_model.objects.create(
            template=template,
            position=section_position,
            key=section["key"],
            title=section["title"],
            help_text=section.get("help_text", ""),
        )
        for position, question in enumerate(section["questions"], start=1):
            question_model.objects.create(
                section=saved,
                position=position,
                key=question["key"],
                label=question["label"],
                help_text=question.get("help_text", ""),
                kind=question["kind"],
                required=question.get("required", False),
                statutory_field=question.get("statutory_field", ""),
            )


def unload(apps, schema_editor):
    apps.get_model("documents", "DocumentTemplate").objects.filter(
        document_type=CHILD_AND_FAMILY_ASSESSMENT_V1["document_type"], version=1, documents__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
