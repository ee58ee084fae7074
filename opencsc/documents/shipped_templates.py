"""The templates OpenCSC ships, as data: migrations load them, and an authority adapts them by publishing new
versions (ADR 0011). A shipped version is never edited here once released: a change is a new constant and a new
migration, so a database that loaded version 1 and one built afresh hold the same version 1.

The child and family assessment follows Working Together to Safeguard Children 2023 (chapter 2) and the
assessment framework's three domains: the child's developmental needs, parenting capacity, and family and
environmental factors. The strategy discussion, section 47 enquiry, conferences, child protection plan and core
group follow its chapter 4; the child in need plan and review its chapter 3. The care plan, placement plan and
pathway plan follow the Care Planning, Placement and Case Review (England) Regulations 2010 (regs 4-5 and
Schedule 1, reg 9 and Schedule 2, regs 42-43 and Schedule 8) and the Care Leavers (England) Regulations 2010. A question that fills a statutory
field names it (kinds.py says what each field is and when it is filled).
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


def _q(
    key: str,
    label: str,
    kind: str = "text",
    *,
    required: bool = True,
    help_text: str = "",
    statutory: str = "",
):
    question = {"key": key, "label": label, "kind": kind, "required": required, "help_text": help_text}
    if statutory:
        question["statutory_field"] = statutory
    return question


def _section(key: str, title: str, *questions, help_text: str = "") -> dict:
    return {"key": key, "title": title, "help_text": help_text, "questions": list(questions)}


def _template(document_type: str, title: str, introduction: str, *sections) -> dict:
    return {
        "document_type": document_type,
        "version": 1,
        "title": title,
        "introduction": introduction,
        "sections": list(sections),
    }


CHILD_VIEWS = _q(
    "child_views",
    "The child's wishes and feelings, in their own words",
    help_text="What the child said, as they said it, or how they showed how they feel; if they were not seen, why.",
)
ACTIONS_HELP = "One row for each action: what will be done, who will do it, and by when (day/month/year)."
CONTINGENCY = _q(
    "contingency",
    "Contingency plan",
    help_text="What will happen if the plan is not working or the child is not safer: who acts, and how.",
)

# Working Together 2023, chapter 4: a strategy discussion shares information, decides whether to start enquiries
# under section 47 and agrees what must be done at once to keep the child safe.
STRATEGY_DISCUSSION_V1 = _template(
    "strategy_discussion",
    "Strategy discussion",
    "A record of the discussion between children's social care, the police, health and others about whether the "
    "child is suffering, or likely to suffer, significant harm, and what happens now.",
    _section(
        "who-took-part",
        "Who took part",
        _q(
            "attendees",
            "Who took part, by agency",
            "attendance",
            help_text="At least children's social care, the police and health; and the school or nursery.",
        ),
    ),
    _section(
        "information",
        "Information shared",
        _q(
            "known_history",
            "What was already known",
            help_text="The family's history and earlier assessments.",
        ),
        _q("information_shared", "Information shared by each agency"),
    ),
    _section(
        "decision",
        "Decision",
        _q(
            "section_47_agreed",
            "Was a section 47 enquiry agreed?",
            "yes_no",
            statutory="strategy_discussion.section_47_agreed",
        ),
        _q("decision_reasons", "Reasons for the decision"),
        _q(
            "safety_actions",
            "Immediate actions to keep the child safe",
            "actions",
            required=False,
            help_text=ACTIONS_HELP,
        ),
    ),
)

# Working Together 2023, chapter 4: the section 47 enquiry sees the child (alone where possible), gathers what each
# agency knows, and concludes whether concerns are substantiated and whether an initial conference is needed.
SECTION_47_ENQUIRY_V1 = _template(
    "section_47_enquiry",
    "Section 47 enquiry",
    "The findings of the enquiry into whether the child is suffering, or likely to suffer, significant harm.",
    _section(
        "enquiry",
        "The enquiry",
        _q("known_history", "What was already known", required=False),
        _q("who_was_seen", "Who was seen, when and how"),
        _q("child_seen_alone", "Was the child seen alone?", "yes_no"),
        CHILD_VIEWS,
        _q("parents_views", "What parents and carers said"),
        _q("agency_information", "What each agency told us"),
    ),
    _section(
        "findings",
        "Findings",
        _q("findings", "Findings and analysis", help_text="What happened, the risks and the strengths."),
        _q("outcome", "Outcome of the enquiry", "section_47_outcome", statutory="section_47.outcome"),
        _q(
            "safety_actions",
            "Actions to keep the child safe",
            "actions",
            required=False,
            help_text=ACTIONS_HELP,
        ),
    ),
)

_CONFERENCE_DECISION = _section(
    "decision",
    "Decision",
    _q(
        "plan_decided",
        "Is the child to be (or remain) subject to a child protection plan?",
        "yes_no",
        statutory="conference.plan_decided",
    ),
    _q(
        "category",
        "Category of abuse",
        "category",
        required=False,
        statutory="conference.category",
        help_text="Only when the child is subject to a plan.",
    ),
    _q("decision_reasons", "The decision and the reasons for it"),
    _q(
        "dissent",
        "Dissent recorded",
        required=False,
        help_text="Anyone who disagreed with the decision, and why. Leave blank if everyone agreed.",
    ),
)

# Working Together 2023, chapter 4: the conference brings the family and practitioners together, decides whether
# the child needs a child protection plan and under which category, sets the outline plan, names the core group
# and the lead social worker.
INITIAL_CONFERENCE_V1 = _template(
    "initial_conference",
    "Initial child protection conference",
    "The record of the conference about the child's safety: who came, what was said, what was decided and why.",
    _section(
        "attendance",
        "Who was invited and who attended",
        _q("chair", "Chair", "short_text", statutory="conference.chair"),
        _q("attendance", "Invited and attended, by agency", "attendance"),
        _q(
            "parents_attendance",
            "Parents' and carers' attendance",
            "short_text",
            help_text="Who attended, who did not, and any support to take part (an advocate, an interpreter).",
        ),
    ),
    _section(
        "views",
        "Views",
        _q("enquiry_findings", "What the section 47 enquiry found", required=False),
        _q("parents_views", "Parents' and carers' views"),
        CHILD_VIEWS,
    ),
    _CONFERENCE_DECISION,
    _section(
        "outline-plan",
        "Outline plan",
        _q("outline_outcomes", "What must change for the child (outcomes)"),
        _q("outline_actions", "Actions", "actions", help_text=ACTIONS_HELP),
        _q("core_group_members", "Core group members", "people"),
        _q("lead_social_worker", "Lead social worker", "short_text"),
    ),
)

REVIEW_CONFERENCE_V1 = _template(
    "review_conference",
    "Review child protection conference",
    "The record of the review of the child protection plan: the progress made, whether the child is still at risk "
    "of significant harm, and what happens next.",
    _section(
        "attendance",
        "Who was invited and who attended",
        _q("chair", "Chair", "short_text", statutory="conference.chair"),
        _q("attendance", "Invited and attended, by agency", "attendance"),
        _q("parents_attendance", "Parents' and carers' attendance", "short_text"),
    ),
    _section(
        "progress",
        "Progress against the plan",
        _q("progress", "Progress against each action", "progress"),
        _q("parents_views", "Parents' and carers' views"),
        CHILD_VIEWS,
    ),
    _CONFERENCE_DECISION,
    _section(
        "next",
        "What happens next",
        _q("plan_changes", "Changes to the plan", required=False),
        _q("core_group_members", "Core group members", "people", required=False),
        _q("lead_social_worker", "Lead social worker", "short_text"),
    ),
)

_PLAN_SECTIONS = (
    _section(
        "outcomes",
        "What must change",
        _q(
            "outcomes",
            "Outcomes for the child",
            help_text="What will be different for the child when the plan has worked, in words the family uses.",
        ),
        CHILD_VIEWS,
    ),
    _section(
        "actions", "Who will do what, by when", _q("actions", "Actions", "actions", help_text=ACTIONS_HELP)
    ),
    _section("contingency", "If the plan is not working", CONTINGENCY),
)

# Working Together 2023, chapter 4: the child protection plan, developed by the core group from the outline plan.
CHILD_PROTECTION_PLAN_V1 = _template(
    "child_protection_plan",
    "Child protection plan",
    "The plan to keep the child safe and help the family: what must change, who will do what and by when, and "
    "what happens if it is not working.",
    *_PLAN_SECTIONS,
    _section(
        "core-group",
        "The core group",
        _q("core_group_members", "Core group members", "people"),
        _q("visits", "How often the child will be seen", "short_text"),
    ),
)

# Working Together 2023, chapter 3 (section 17 services): a child in need plan sets out the help and who gives it.
CHILD_IN_NEED_PLAN_V1 = _template(
    "child_in_need_plan",
    "Child in need plan",
    "The plan for the help the child and family will get: what needs to change, who will do what and by when.",
    _section("needs", "The child's needs", _q("needs", "What the assessment found", required=False)),
    *_PLAN_SECTIONS,
)

_MEETING_SECTIONS = (
    _section("attendance", "Who attended", _q("attendance", "Attendance, by agency", "attendance")),
    _section(
        "progress",
        "Progress against the plan",
        _q(
            "progress",
            "Progress against each action",
            "progress",
            help_text="Each action of the plan: judge its progress and say what has happened.",
        ),
        CHILD_VIEWS,
        _q("parents_views", "Parents' and carers' views"),
    ),
    _section(
        "next",
        "What happens next",
        _q("analysis", "Is the child safer and better cared for? Why?"),
        _q("new_actions", "New actions", "actions", required=False, help_text=ACTIONS_HELP),
    ),
)

# Working Together 2023, chapter 4: the core group meets within 10 working days of the initial conference and then
# regularly, develops the plan and reviews its progress.
CORE_GROUP_MEETING_V1 = _template(
    "core_group_meeting",
    "Core group meeting",
    "The record of the core group's meeting: who came, and the progress made on each action of the plan.",
    *_MEETING_SECTIONS,
)

CHILD_IN_NEED_REVIEW_V1 = _template(
    "child_in_need_review",
    "Child in need review",
    "The review of the child in need plan: who came, the progress made on each action, and what happens next.",
    *_MEETING_SECTIONS,
)

FAMILY_TIME_HELP = (
    "Who the child sees (parents, brothers and sisters, grandparents, friends), how often, where, whether it is "
    "supervised, and what the child thinks of it."
)

# Care Planning, Placement and Case Review (England) Regulations 2010 reg 4: the care plan is made before the child
# is first placed or, if that is not practicable, within 10 working days; reg 5 and Schedule 1: it sets out the long-
# term plan for the child's upbringing (the plan for permanence) and how each of the child's needs will be met (the
# health plan, the personal education plan), the family time arranged, the wishes and feelings of the child and
# their parents, and the name of the independent reviewing officer.
CARE_PLAN_V1 = _template(
    "care_plan",
    "Care plan",
    "The plan for the child while they are looked after: where they will grow up, how their health, education and "
    "relationships will be looked after, and who will do what. It is reviewed at every looked-after review.",
    _section(
        "permanence",
        "The plan for permanence",
        _q(
            "permanence_plan",
            "The long-term plan for the child's upbringing",
            help_text=(
                "Returning home, living with family or friends, special guardianship, adoption, long-term "
                "fostering or residential care; the reasons, and by when."
            ),
        ),
        _q("needs", "Why the child is looked after, and what they need", required=False),
    ),
    _section(
        "needs",
        "How the child's needs will be met",
        _q(
            "health",
            "Health (the health plan)",
            help_text=(
                "Physical, emotional and mental health; the health assessment and what it found; the doctor, "
                "dentist and optician; immunisations; who arranges what."
            ),
        ),
        _q(
            "education",
            "Education and training (the personal education plan)",
            help_text="The school or nursery, attendance, the personal education plan and the support the child has.",
        ),
        _q("emotional_development", "Emotional and behavioural development", required=False),
        _q(
            "identity",
            "Identity",
            required=False,
            help_text="Religion, ethnicity, culture and language, and how they will be respected.",
        ),
    ),
    _section("family-time", "Family time", _q("family_time", "Family time", help_text=FAMILY_TIME_HELP)),
    _section(
        "views",
        "Wishes and feelings",
        CHILD_VIEWS,
        _q("parents_views", "Parents' wishes and feelings"),
    ),
    _section(
        "who-does-what",
        "Who does what",
        _q("iro", "Independent reviewing officer", "short_text"),
        _q("actions", "Actions", "actions", help_text=ACTIONS_HELP),
    ),
    _section("contingency", "If the plan is not working", CONTINGENCY),
)

# Reg 9: the placement plan is agreed with the carer before the child is placed or, if that is not practicable,
# within 5 working days of the placement's start; Schedule 2 sets out what it covers: how the placement meets the
# child's needs, health and education arrangements, family time, the decisions the carer may take (delegated
# authority) and the social worker's visits (reg 28).
PLACEMENT_PLAN_V1 = _template(
    "placement_plan",
    "Placement plan",
    "The plan agreed with the child's carer for this placement: why the child lives here, how their day-to-day "
    "care, health, school and family time are arranged, and what the carer may decide.",
    _section(
        "placement",
        "The placement",
        _q("carer", "Where the child lives, and with whom", "short_text"),
        _q(
            "placement_purpose",
            "How the placement meets the child's needs",
            help_text="Why this placement was chosen, and what it will give the child, as the care plan sets out.",
        ),
        _q("planned_length", "How long the child is expected to stay", "short_text", required=False),
    ),
    _section(
        "day-to-day",
        "Day-to-day care",
        _q("health", "Health: the doctor and dentist, appointments, medicines"),
        _q("education", "Education: the school, getting there, the personal education plan"),
        _q("family_time", "Family time arrangements", help_text=FAMILY_TIME_HELP),
        _q(
            "delegated_authority",
            "Decisions the carer may take (delegated authority)",
            help_text="Haircuts, school trips, sleepovers, routine medical treatment: who decides each.",
        ),
    ),
    _section(
        "support",
        "Visits and support",
        _q(
            "visits",
            "How often the social worker will visit",
            "short_text",
            help_text="Within a week of the placement, then at least every 6 weeks in its first year (reg 28).",
        ),
        _q("carer_support", "Support for the carer", required=False),
    ),
    _section(
        "views",
        "Wishes and feelings",
        CHILD_VIEWS,
        _q("carer_views", "The carer's views", required=False),
    ),
)

# Regs 42-43 and Schedule 8 (eligible young people, from 16), and the Care Leavers (England) Regulations 2010 regs
# 5-6 and Schedule 1 (relevant and former relevant): the needs assessment, the pathway plan made from it, and its
# review at least every 6 months.
PATHWAY_PLAN_V1 = _template(
    "pathway_plan",
    "Pathway plan",
    "The young person's plan for leaving care and living independently: what they need, what they want, and who "
    "will help with what. It is written with the young person and reviewed at least every 6 months.",
    _section(
        "needs-assessment",
        "Needs assessment",
        _q("health", "Health and development, including mental health"),
        _q("education_employment", "Education, training and employment"),
        _q("relationships", "Family and social relationships"),
        _q("finance", "Money: income, benefits and managing money"),
        _q("skills", "Practical and other skills for living independently"),
        _q("accommodation", "Accommodation: where the young person lives, and will live"),
    ),
    _section(
        "views",
        "The young person's views",
        _q("young_person_views", "The young person's wishes and feelings, in their own words"),
    ),
    _section(
        "plan",
        "The plan",
        _q("actions", "Actions", "actions", help_text=ACTIONS_HELP),
        _q("personal_adviser", "Personal adviser", "short_text"),
        _q("financial_support", "Financial support the authority will give", required=False),
    ),
    _section("contingency", "If the plan is not working", CONTINGENCY),
)

SHIPPED_TEMPLATES = [
    CHILD_AND_FAMILY_ASSESSMENT_V1,
    STRATEGY_DISCUSSION_V1,
    SECTION_47_ENQUIRY_V1,
    INITIAL_CONFERENCE_V1,
    REVIEW_CONFERENCE_V1,
    CHILD_PROTECTION_PLAN_V1,
    CORE_GROUP_MEETING_V1,
    CHILD_IN_NEED_PLAN_V1,
    CHILD_IN_NEED_REVIEW_V1,
    CARE_PLAN_V1,
    PLACEMENT_PLAN_V1,
    PATHWAY_PLAN_V1,
]


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
