"""The templates OpenCSC ships, as data: migrations load them, and an authority adapts them by publishing new
versions (ADR 0011). A shipped version is never edited here once released: a change is a new constant and a new
migration, so a database that loaded version 1 and one built afresh hold the same version 1.

The child and family assessment follows Working Together to Safeguard Children 2023 (chapter 2) and the
assessment framework's three domains: the child's developmental needs, parenting capacity, and family and
environmental factors.
"""

from django.utils import timezone

CHILD_AND_FAMILY_ASSESSMENT_V1 = {
    "document_type": "child_and_family_assessment",
    "version": 1,
    "title": "Child and family assessment",
    "introduction": (
        "This assessment is about what life is like for the child, what the family is doing well, what worries "
        "people, and what should happen next. It is written with the family and shared with them."
    ),
    "sections": [
        {
            "key": "who-was-seen",
            "title": "Who was seen and how",
            "help_text": "Everyone spoken to for this assessment, when, where and how (visit, phone, meeting).",
            "questions": [
                {
                    "key": "who_was_seen",
                    "label": "Who was seen, when and how",
                    "kind": "text",
                    "required": True,
                },
                {
                    "key": "child_seen_on",
                    "label": "Date the child was seen",
                    "kind": "date",
                    "required": True,
                    "statutory_field": "assessment.child_seen_on",
                },
                {
                    "key": "child_seen_alone",
                    "label": "Was the child seen alone?",
                    "kind": "yes_no",
                    "required": True,
                },
                {
                    "key": "not_seen_alone_reason",
                    "label": "If the child was not seen alone, why not",
                    "kind": "short_text",
                },
            ],
        },
        {
            "key": "developmental-needs",
            "title": "The child's developmental needs",
            "help_text": "",
            "questions": [
                {
                    "key": "developmental_needs",
                    "label": "The child's developmental needs",
                    "help_text": (
                        "Health, education, emotional and behavioural development, identity, family and social "
                        "relationships, social presentation and self-care skills."
                    ),
                    "kind": "text",
                    "required": True,
                },
            ],
        },
        {
            "key": "parenting-capacity",
            "title": "Parenting capacity",
            "help_text": "",
            "questions": [
                {
                    "key": "parenting_capacity",
                    "label": "Parenting capacity",
                    "help_text": (
                        "Basic care, keeping the child safe, emotional warmth, stimulation, guidance and "
                        "boundaries, and stability."
                    ),
                    "kind": "text",
                    "required": True,
                },
            ],
        },
        {
            "key": "family-environment",
            "title": "Family and environmental factors",
            "help_text": "",
            "questions": [
                {
                    "key": "family_environment",
                    "label": "Family and environmental factors",
                    "help_text": (
                        "Family history and how the family gets on, wider family, housing, work, income, the "
                        "family's place in the community and the help around them."
                    ),
                    "kind": "text",
                    "required": True,
                },
            ],
        },
        {
            "key": "child-voice",
            "title": "The child's wishes and feelings",
            "help_text": "",
            "questions": [
                {
                    "key": "wishes_and_feelings",
                    "label": "The child's wishes and feelings, in their own words",
                    "help_text": "Write what the child said, as they said it, and how they showed how they feel.",
                    "kind": "text",
                    "required": True,
                },
            ],
        },
        {
            "key": "family-views",
            "title": "Parents' and carers' views",
            "help_text": "",
            "questions": [
                {
                    "key": "parents_views",
                    "label": "What parents and carers think",
                    "kind": "text",
                    "required": True,
                },
            ],
        },
        {
            "key": "agencies",
            "title": "Information from other agencies",
            "help_text": "",
            "questions": [
                {
                    "key": "agency_information",
                    "label": "What each agency told us",
                    "help_text": "Name each agency (school, health visitor, GP, police, others) and what it said.",
                    "kind": "text",
                    "required": True,
                },
            ],
        },
        {
            "key": "analysis",
            "title": "Analysis",
            "help_text": "",
            "questions": [
                {
                    "key": "analysis",
                    "label": "Analysis",
                    "help_text": (
                        "What the information means for the child: strengths, worries, and how likely harm is."
                    ),
                    "kind": "text",
                    "required": True,
                },
            ],
        },
        {
            "key": "decision",
            "title": "Decision and what happens next",
            "help_text": "",
            "questions": [
                {
                    "key": "factors",
                    "label": "Factors identified",
                    "help_text": "The Department for Education's codes, reported in the child in need census.",
                    "kind": "factors",
                    "required": True,
                    "statutory_field": "assessment.factors",
                },
                {
                    "key": "outcome",
                    "label": "Decision",
                    "kind": "outcome",
                    "required": True,
                    "statutory_field": "assessment.outcome",
                },
                {
                    "key": "next_steps",
                    "label": "What happens next",
                    "help_text": "Who will do what, and by when.",
                    "kind": "text",
                    "required": True,
                },
            ],
        },
    ],
}

SHIPPED_TEMPLATES = [CHILD_AND_FAMILY_ASSESSMENT_V1]


def load_template(data: dict, *, template_model, section_model, question_model) -> None:
    """Write one shipped template, published, unless that type and version is already there. Takes the model
    classes so that a migration passes its historical models; the template is published last, as a published
    template refuses new sections and questions."""
    if template_model.objects.filter(document_type=data["document_type"], version=data["version"]).exists():
        return
    template = template_model.objects.create(
        document_type=data["document_type"],
        version=data["version"],
        title=data["title"],
        introduction=data["introduction"],
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
    template_model.objects.filter(pk=template.pk).update(published_at=timezone.now())


def load_shipped_templates() -> None:
    """The shipped templates, for a database emptied after migrating (the browser tests' flush)."""
    from opencsc.documents.models import DocumentTemplate, TemplateQuestion, TemplateSection

    for data in SHIPPED_TEMPLATES:
        load_template(
            data,
            template_model=DocumentTemplate,
            section_model=TemplateSection,
            question_model=TemplateQuestion,
        )
