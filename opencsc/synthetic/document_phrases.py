"""Phrase banks for the synthetic authority's practice documents, and the answers made from them.

Everything here is offline and deterministic: a document's answers are drawn from these banks with the random
stream the caller passes, and filled in with what the record holds (the child's name and age, the family, the
factors identified, the outcome, the category of abuse, the plan's actions). Answers are made for the questions
of the template the document is written in, by the statutory field a question fills, then by its key, then by its
kind of answer, so a template an authority has adapted (a question added) is answered too.

The wording follows the shape of real practice recording (Working Together to Safeguard Children 2023, chapters
2 to 4; the assessment framework's three domains): what was seen and heard, what it means for the child, what
will change and who will do it. No text is copied from any real record.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from opencsc.casework.models import AssessmentOutcome, CategoryOfAbuse, Section47Outcome
from opencsc.core.dates import long_date
from opencsc.documents.models import QuestionKind, StatutoryField, TemplateQuestion


@dataclass(frozen=True)
class Relative:
    role: str  # mother, father, step-parent, grandmother...
    first_name: str
    lives_with_child: bool


@dataclass(frozen=True)
class ChildFacts:
    first_name: str
    last_name: str
    sex: str  # M, F or U
    born_on: dt.date | None
    family: tuple[Relative, ...] = ()

    def age_on(self, day: dt.date) -> int | None:
        """Whole years on `day`, or None before the child is born."""
        if self.born_on is None or self.born_on > day:
            return None
        return day.year - self.born_on.year - ((day.month, day.day) < (self.born_on.month, self.born_on.day))


@dataclass
class Facts:
    """What the record holds about the event a document completes, in the words a document uses."""

    child: ChildFacts
    day: dt.date
    document_type: str
    worker: str
    manager: str
    factors: list[str] = field(default_factory=list)  # the worries the text speaks of
    recorded_factors: list[str] | None = None  # the assessment's codes as recorded ("21": none identified)
    outcome: str = ""  # an assessment's
    section_47_agreed: bool | None = None
    section_47_outcome: str = ""
    plan_decided: bool | None = None
    category: str = ""
    chair: str = ""
    seen_on: dt.date | None = None
    actions: list[dict] = field(default_factory=list)  # the plan's actions: what, who, by
    progress: list[dict] = field(default_factory=list)  # the actions as judged at this meeting
    members: list[dict] = field(default_factory=list)  # core group or attendees: agency, name, role
    findings: str = ""  # carried from the enquiry or the assessment
    placement: str = ""  # a looked-after child's carer or home, and its kind
    iro: str = ""  # the child's independent reviewing officer

    @property
    def age(self) -> int | None:
        return self.child.age_on(self.day)

    @property
    def carer(self) -> Relative | None:
        living = [r for r in self.child.family if r.lives_with_child and r.role != "grandmother"]
        return (living or list(self.child.family) or [None])[0]

    @property
    def other_parent(self) -> Relative | None:
        carer = self.carer
        others = [
            r for r in self.child.family if r is not carer and r.role in ("father", "mother", "step-parent")
        ]
        return others[0] if others else None


# The child ------------------------------------------------------------------------------------------------

PRONOUNS = {
    "M": {"they": "he", "them": "him", "their": "his"},
    "F": {"they": "she", "them": "her", "their": "her"},
}
BABY = {"they": "the baby", "them": "the baby", "their": "the baby's"}
CHILD = {"they": "the child", "them": "the child", "their": "the child's"}
SHE_OR_HE = {"mother": "she", "grandmother": "she", "father": "he", "step-parent": "he"}


def age_band(age: int | None) -> str:
    if age is None:
        return "unborn"
    if age < 2:
        return "baby"
    if age < 5:
        return "young"
    if age < 12:
        return "primary"
    return "teenager"


def words(facts: Facts) -> dict[str, str]:
    """The names and pronouns a phrase may use: {child}, {they}, {their}, {carer}, {other}, {school}..."""
    child = facts.child
    pronouns = PRONOUNS.get(child.sex, CHILD) if facts.age is not None else BABY
    carer, other = facts.carer, facts.other_parent
    age = facts.age
    band = age_band(age)
    filled = {
        "child": child.first_name if band != "unborn" else "the baby",
        "Child": child.first_name if band != "unborn" else "The baby",
        "full_name": f"{child.first_name} {child.last_name}",
        "age": _age_words(age),
        "carer": carer.first_name if carer else "the carer",
        "carer_role": carer.role if carer else "carer",
        "other": other.first_name if other else "",
        "other_role": other.role if other else "",
        "carer_they": SHE_OR_HE.get(carer.role, "they") if carer else "they",
        "other_they": SHE_OR_HE.get(other.role, "they") if other else "they",
        "school": SETTINGS[band],
        "universal": "the health visitor" if band in ("unborn", "baby") else f"the {SETTINGS[band]}",
        "health": "health visitor" if band in ("unborn", "baby", "young") else "school nurse",
        "worker": facts.worker,
        "manager": facts.manager,
    }
    filled.update(pronouns)
    filled.update({key.capitalize(): value.capitalize() for key, value in pronouns.items()})
    return filled


SETTINGS = {
    "unborn": "the antenatal clinic",
    "baby": "the baby clinic",
    "young": "nursery",
    "primary": "primary school",
    "teenager": "school",
}


def _age_words(age: int | None) -> str:
    if age is None:
        return "unborn"
    if age == 0:
        return "under one"
    return f"{age} year{'s' if age != 1 else ''} old"


# Phrase banks ------------------------------------------------------------------------------------------------

# For each factor code: what worries people, what the family is doing about it, and an action (what, who, weeks).
FACTOR_PHRASES = {
    "1B": (
        "{carer}'s drinking has increased since the family moved; neighbours have seen {carer} drunk in the street.",
        "{carer} has cut down and says {carer_they} has not had a drink during the day for a month.",
        ("Attend the community alcohol service and share test results", "carer", 8),
    ),
    "2B": (
        "{carer} has used cannabis and cocaine at home; police found drugs in the kitchen in reach of {child}.",
        "{carer} has started working with the drug and alcohol service and the recent tests were clear.",
        ("Engage with the drug and alcohol service; give consent for tests", "carer", 6),
    ),
    "3A": (
        "{child} has seen and heard arguments and violence at home and is frightened when voices are raised.",
        "{child} can name a safe adult at {school} and knows how to call for help.",
        ("Direct work with {child} on feelings and staying safe", "worker", 6),
    ),
    "3B": (
        "Police have attended several incidents of domestic abuse at the home in the last year; {child} was in "
        "the house for most of them.",
        "{carer} has worked with the domestic abuse advocate and has a safety plan {carer_they} can explain.",
        ("Complete the Freedom Programme", "carer", 12),
    ),
    "3C": (
        "An adult who stays at the home has been violent to a previous partner, and {carer} did not know this.",
        "{carer} agreed the adult will not stay overnight while the assessment is completed.",
        ("Tell the social worker about anyone staying at the home", "carer", 2),
    ),
    "4A": (
        "{child}'s mood has been low for months; {they} has stopped seeing friends and has trouble sleeping.",
        "{child} has been referred to the child and adolescent mental health service and is on its waiting list.",
        ("Follow up the CAMHS referral and share the date of the first appointment", "health", 4),
    ),
    "4B": (
        "{carer} has depression and anxiety; on bad days {carer_they} stays in bed and {child}'s routine falls apart.",
        "{carer} sees the GP regularly, takes the prescribed medication and has asked for talking therapy.",
        ("Attend GP reviews and self-refer to talking therapies", "carer", 4),
    ),
    "5B": (
        "{carer} has a learning disability and finds written information and appointments hard to manage.",
        "{carer} is loving and attentive and uses the easy-read plan the worker made with the family.",
        ("Support {carer} with an easy-read plan and a calendar of appointments", "worker", 3),
    ),
    "6B": (
        "{carer}'s illness means long spells in bed, and {child} takes on more of the care at home than is right.",
        "The family accept help and {carer} has asked adult social care for an assessment.",
        ("Refer {carer} to adult social care for a care needs assessment", "worker", 4),
    ),
    "7A": (
        "{child} cares for a parent and younger brothers and sisters and is often late for {school} or tired.",
        "{child} is proud of how {they} helps, and {carer} wants {them} to have more time for {themselves}.",
        ("Refer {child} to the young carers' service", "worker", 4),
    ),
    "10A": (
        "{child} has been reported missing three times since the spring, found each time in town late at night.",
        "{child} has spoken openly in the return home interviews and has agreed a curfew with {carer}.",
        ("Return home interview after every missing episode", "worker", 2),
    ),
    "11A": (
        "{child} has older friends who give {them} lifts, vapes and gifts, and has been seen in cars with men "
        "not known to the family.",
        "{child} has started to talk to the specialist exploitation worker and {carer} has changed the wifi settings.",
        ("Specialist exploitation work with {child}, weekly", "worker", 8),
    ),
    "13A": (
        "{child} is linked to a group of young people involved in fights in the town centre.",
        "{child} says {they} wants to keep out of trouble and has started the youth club's football sessions.",
        ("Youth justice service to offer prevention work", "worker", 6),
    ),
    "14A": (
        "{child}'s behaviour at {school} has led to two exclusions this term; {they} swears at staff and leaves lessons.",
        "{school} has put in a pastoral support plan and {child} gets on well with the learning mentor.",
        ("Review the pastoral support plan with {carer} and {child}", "school", 6),
    ),
    "15A": (
        "{child} has cut {their} arms and told a friend {they} thinks about ending {their} life.",
        "{child} has a safety plan from CAMHS and {carer} keeps medicines locked away.",
        ("Keep the CAMHS safety plan up to date and lock away medicines", "carer", 1),
    ),
    "16A": (
        "The home is often dirty, there is little food in the house and {child} has come to {school} hungry "
        "and in unwashed clothes.",
        "Since the referral the home has been cleaner at each visit and {child}'s attendance has improved.",
        ("Keep the home clean and safe, with food in the cupboards, checked at each visit", "carer", 4),
    ),
    "17A": (
        "{carer} speaks to {child} harshly and blames {them} for the family's problems; {child} is withdrawn at home.",
        "{carer} recognises the effect of the shouting and has agreed to a parenting programme.",
        ("Complete a parenting programme and practise the strategies at home", "carer", 10),
    ),
    "18B": (
        "{child} was hurt in a fight with an older child and the injuries needed hospital treatment.",
        "{school} has a plan to keep the two children apart and {child} feels safer.",
        ("Agree a safety plan at {school}", "school", 2),
    ),
    "18C": (
        "{child} had bruising to the upper arm that {they} said came from being grabbed at home.",
        "{carer} accepts that physical chastisement is not acceptable and has agreed not to use it.",
        ("No physical chastisement; talk through the safety plan at every visit", "carer", 2),
    ),
    "19C": (
        "{child} told a teacher that an adult known to the family touched {them} in a way that made {them} "
        "feel uncomfortable.",
        "{carer} believed {child}, has stopped all contact with the adult and went with {them} to the interview.",
        ("No contact with the adult named; police to update on the investigation", "police", 4),
    ),
    "24A": (
        "{child} has been found with large sums of cash and a second phone, and was stopped by police in another county.",
        "{child} has started to talk to the exploitation worker and {carer} has reported every missing episode.",
        ("National Referral Mechanism referral and weekly work with the exploitation worker", "worker", 2),
    ),
    "20": (
        "The family have been evicted and are living in one room of temporary accommodation.",
        "{carer} keeps in touch with the housing team and has bid for a two-bedroom flat.",
        ("Support the family with the housing application", "worker", 6),
    ),
}
GENERAL_WORRY = (
    "{carer} has struggled to keep {child}'s routines going and has few people to turn to for help.",
    "The family have moved three times in two years and {child} has not settled anywhere.",
)
GENERAL_STRENGTH = (
    "{carer} loves {child} and wants help to make things better.",
    "{child} is close to {their} grandmother, who visits every week and helps with school runs.",
    "{carer} has kept every appointment since the referral.",
    "{child} has a good friendship group and enjoys {school}.",
)
DEVELOPMENT = {
    "unborn": (
        "The pregnancy is at {weeks} weeks. {carer} booked late with the midwife and has missed one scan; the "
        "midwife has no concerns about the baby's growth.",
    ),
    "baby": (
        "{child} is {age} and meeting {their} milestones. The health visitor saw {them} feeding well and "
        "gaining weight; {their} immunisations are up to date.",
        "{child} is {age}. {Their} weight has dropped across two centiles and the health visitor is seeing "
        "{them} weekly; {their} development is otherwise on track.",
    ),
    "young": (
        "{child} is {age} and attends nursery three days a week. {They} has some delay in speech, uses short "
        "sentences and is waiting for speech and language therapy.",
        "{child} is {age}, lively and curious. {Their} two-year check found development on track, though "
        "{they} has had several missed dental appointments.",
    ),
    "primary": (
        "{child} is {age} and in primary school. Attendance is 88% this year; teachers say {they} is bright but "
        "often tired and finds it hard to concentrate in the afternoons.",
        "{child} is {age}. {They} is healthy, registered with the GP and dentist, and enjoys football. At "
        "school {they} is working just below the expected level in reading.",
    ),
    "teenager": (
        "{child} is {age} and in year {school_year} at secondary school. Attendance has fallen to 79% and {they} has "
        "had detentions for lateness; {they} wants to go to college to study {subject}.",
        "{child} is {age}. {They} is physically well, but sleeps late and spends much of the night on {their} "
        "phone. {They} has a few close friends and plays for a local team.",
    ),
}
SUBJECTS = ("motor mechanics", "hair and beauty", "sport", "art", "construction", "childcare", "computing")
PARENTING = (
    "{carer} meets {child}'s basic needs most of the time: there is food in the house, {child} is clean and "
    "{their} clothes fit. Routines slip when {carer} is under stress, and bedtimes are late.",
    "{carer} is warm with {child} and responds quickly when {they} is upset. Boundaries are inconsistent: "
    "{carer} gives in to arguments and then shouts.",
    "{carer} provides good basic care but has found it hard to keep {child} safe from the adults around "
    "the family, and has not always recognised the risk they pose.",
)
PARENTING_OTHER = (
    "{other} ({other_role}) sees {child} at weekends and says {other_they} would like to be more involved.",
    "{other} ({other_role}) lives at the home; {other} was reluctant to meet at first but took part in the "
    "second visit.",
)
ENVIRONMENT = (
    "The family live in a two-bedroom rented flat. Money is tight: {carer} receives Universal Credit and "
    "has rent arrears. {carer}'s mother lives nearby and helps with childcare.",
    "The family rent a three-bedroom house from a housing association. The home was warm and tidy at the "
    "visits. {carer} works part-time in a supermarket and has a small network of friends.",
    "The family have recently moved into the area and do not yet know anyone locally. They are registered "
    "with a GP but have not yet registered with a dentist.",
)
VOICE = {
    "unborn": (
        "The baby is not yet born. {carer} talked about the baby's nursery and said: 'I want this baby to have "
        "what I never had.'",
    ),
    "baby": (
        "{child} is too young to say how {they} feels. At the visits {they} looked to {carer} for comfort, "
        "smiled when {carer} talked to {them} and settled quickly when held.",
        "{child} is a baby. {They} was alert and made good eye contact; {they} reached for {carer} when "
        "the worker came close, and was calm during the visit.",
    ),
    "young": (
        "{child} showed the worker {their} toys and drew a picture of {their} family with everyone holding "
        "hands. {They} said: 'Mummy shouts sometimes. I hide under my bed.'",
        "{child} was chatty and played happily. Asked what makes {them} happy {they} said 'park and ice "
        "cream'; asked what makes {them} sad {they} said 'when it's loud at home'.",
    ),
    "primary": (
        "{child} talked with the worker at school using the three houses tool. In the house of worries {they} "
        "put 'when mum cries' and 'when there is no food'. In the house of dreams: 'a dog and my own bedroom'.",
        "{child} said: 'I like living with mum but I don't like it when people come round late and it's "
        "noisy.' {They} said {they} would like to see {their} dad more.",
    ),
    "teenager": (
        "{child} said: 'I'm fine, I don't need a social worker.' Later {they} said {they} worries about "
        "{their} mum and wants things to be calmer at home.",
        "{child} said {they} feels safer since the police got involved, and wants to stay at home 'as long as "
        "things keep getting better'. {They} wants to be told what is happening and not find out last.",
    ),
}
PARENT_VIEWS = (
    "{carer} said: 'I know things got bad, but I'm doing everything I've been asked to do.' {carer} agrees "
    "with most of the worries but does not accept that {child} was at risk.",
    "{carer} was upset by the referral but has been open with the worker. {carer} said the family needed "
    "help months ago and is glad to have it now.",
    "{carer} disagrees with the concerns raised by the school and feels judged. {carer} agreed to the plan "
    "for {child}'s sake.",
)
OTHER_VIEWS = (
    " {other} ({other_role}) said {other_they} wants to support the plan and would like to be invited to meetings.",
    " {other} ({other_role}) did not respond to letters or calls.",
)
AGENCY_SETTING = (
    "{School}: {child}'s attendance and presentation, and two welfare concerns logged this term.",
    "{School}: {child} is settled; staff have noticed {them} hungry on Mondays.",
)
AGENCY_INFORMATION = (
    "{Health}: growth and immunisations, and missed appointments. GP: {carer}'s health and medication. "
    "Police: {police}.",
    "{Health}: no concerns about development. GP: no concerns about the children. Police: {police}.",
)
POLICE_INFORMATION = (
    "three call-outs to the address in the last year",
    "no recent call-outs to the address",
    "one call-out for a neighbour dispute",
)
ANALYSIS = (
    "{child} is loved, and {carer} has shown that {carer_they} can make changes when supported. The worries "
    "are {worry_list}. Without help these are likely to affect {child}'s development and safety.",
    "The information shows a pattern, not a one-off: {worry_list}. There are real strengths, {strength}, but "
    "they have not yet been enough to keep {child} safe from harm.",
    "{child}'s needs are being met some of the time. The worries ({worry_list}) are known to the family, "
    "who have engaged with the assessment, and there is evidence of change in the last month.",
)
NEXT_STEPS = {
    AssessmentOutcome.SUPPORT_REQUIRED: (
        "A child in need plan will be agreed with the family within 10 working days. {worker} remains the "
        "social worker and will visit every two weeks.",
        "The case stays open to children's social care. A child in need meeting will be held within 10 working "
        "days to agree the plan with the family and the professionals.",
    ),
    AssessmentOutcome.NO_FURTHER_ACTION: (
        "No further action by children's social care. The family have been given information about local "
        "support, and {universal} will keep in touch with {carer}.",
    ),
    AssessmentOutcome.EARLY_HELP: (
        "The case will be stepped down to the early help team, who will meet the family within 10 working "
        "days. {carer} has agreed to this.",
    ),
}
CATEGORY_WORDS = {
    CategoryOfAbuse.NEGLECT: "neglect",
    CategoryOfAbuse.EMOTIONAL: "emotional abuse",
    CategoryOfAbuse.PHYSICAL: "physical abuse",
    CategoryOfAbuse.SEXUAL: "sexual abuse",
    CategoryOfAbuse.MULTIPLE: "more than one category of abuse",
}
CONFERENCE_REASONS = {
    True: (
        "The conference agreed that {child} is likely to suffer significant harm through {category}. The "
        "worries are {worry_list}; the strengths are not yet enough to reduce the risk without a plan.",
        "Members agreed that the threshold for a plan under the category of {category} is met: the harm "
        "{child} has experienced is ongoing and {carer} has not yet been able to make the changes needed.",
    ),
    False: (
        "The conference agreed that {child} is not likely to suffer significant harm. The family have made "
        "changes and support will continue under a child in need plan.",
        "Members agreed that the risks are being managed by the family with support, and {child} does not "
        "need a child protection plan. A child in need plan will follow.",
    ),
}
REVIEW_REASONS = {
    True: (
        "Progress has been made but is not yet sustained: {worry_list} remain. The plan continues under "
        "{category}.",
        "The core group reported mixed progress. {child} remains likely to suffer significant harm through "
        "{category}, so the plan continues with the changes below.",
    ),
    False: (
        "The changes have lasted for over three months and {child} is no longer likely to suffer significant "
        "harm. The plan ends; support continues as a child in need.",
        "All agencies agreed that the risks have reduced and the family are working openly with support. The "
        "child protection plan ends.",
    ),
}
DISSENT = (
    "{carer} disagreed with the decision and asked for this to be recorded.",
    "The school's representative felt a child in need plan would be enough; the chair noted the dissent.",
)
OUTCOMES = {
    "16A": "{child} lives in a clean, warm home, has regular meals and goes to {school} every day, clean and rested.",
    "3B": "{child} lives free from domestic abuse and feels safe at home.",
    "3A": "{child} understands what happened at home and knows how to get help.",
    "2B": "{child}'s carers are free from drug use and care for {them} safely.",
    "1B": "{child} is cared for by sober adults every day.",
    "4B": "{carer}'s mental health is stable and {child} has a predictable routine.",
    "17A": "{child} is spoken to kindly, praised and feels valued at home.",
    "18C": "{child} is not hurt at home and adults use safe ways to manage {their} behaviour.",
    "10A": "{child} stays safe, comes home on time and tells an adult where {they} is.",
    "11A": "{child} is safe from exploitation and understands healthy relationships.",
    "24A": "{child} is safe from criminal exploitation and back in full-time education.",
}
GENERAL_OUTCOME = "{child} is safe, well cared for and reaching {their} potential at {school}."
CONTINGENCY = (
    "If the actions are not completed or the worries continue, the core group will meet early and {worker} "
    "will consult the team manager about a legal planning meeting.",
    "If {child} is found in an unsafe situation, or {carer} does not follow the safety plan, an early review "
    "conference will be called and legal advice sought.",
    "If progress stalls, {manager} will review the case and the plan will be escalated to a strategy discussion "
    "if {child} is at risk of significant harm.",
)
STANDARD_ACTIONS = (
    ("Visit {child} at home and see {them} alone, every {visit_weeks} weeks", "worker", 2),
    ("Monitor attendance and share any concerns with the social worker the same day", "school", 4),
    ("Attend every core group meeting and keep the plan's agreements", "carer", 4),
    ("Complete developmental checks and share the outcome", "health", 8),
)
PROGRESS_NOTES = {
    "done": ("Completed: {evidence}.", "Done, confirmed by {source}."),
    "on_track": ("Started; {evidence}.", "Under way and on time: {evidence}."),
    "not_started": (
        "Not yet started: waiting for a date from the service.",
        "Not started; the referral is in.",
    ),
    "off_track": (
        "Behind: two sessions missed; {carer} has agreed to rebook.",
        "Not happening as agreed; discussed.",
    ),
}
EVIDENCE = (
    "seen at the last two visits",
    "the school confirmed it",
    "the service sent a progress report",
    "{carer} showed the worker the letters",
)
SOURCES = ("{school}", "the {health}", "the service's letter", "the last home visit")
# How the meeting judged the child's progress, as the actions' progress says: all done or on track, some behind.
MEETING_ANALYSIS = {
    True: (
        "{child} is safer than at the last meeting: the home is calmer and {carer} is using the support offered. "
        "The worries about {worry} need to be watched.",
        "Good progress: all agencies report that {child} is better cared for and presents as happier. The "
        "group will consider at the review whether the plan is still needed.",
    ),
    False: (
        "Progress is slower than hoped. {carer} has engaged but {behind} behind, and {child} told the worker "
        "things are 'the same'. The group agreed to keep the plan as it is and meet again sooner.",
        "Some actions are behind ({behind}). The worries about {worry} remain, and the group agreed what must "
        "happen before the next meeting.",
    ),
}
ATTENDED = ("attended", "apologies", "report", "absent")
ATTENDANCE_WORDS = {
    "attended": "attended",
    "apologies": "sent apologies",
    "report": "sent a report",
    "absent": "was invited and did not come",
}
PARENTS_SUPPORT = (
    "{carer} was supported by an advocate.",
    "{carer} met the chair before the conference.",
    "{carer} took part for the whole meeting.",
    "An interpreter was offered and not needed.",
)
SEEN_BY = (
    "{child} was seen at home on {seen_on}, and at {school}. {carer} was seen at home twice and by phone. "
    "The school, {health} and GP were spoken to by phone.",
    "{child} was seen on {seen_on} at home with {carer}, and again at {school}. Home visits were announced, "
    "one unannounced. Professionals were contacted by phone and email.",
)
NOT_SEEN_ALONE = (
    "Too young to be seen alone",
    "Did not want to be seen without mum",
    "Seen with an interpreter",
)
KNOWN_HISTORY = (
    "The family were known to children's social care in {year}, when a child in need plan was in place for "
    "six months. There have been two contacts since.",
    "There is no previous involvement with children's social care. The family are known to early help.",
)
INFORMATION_SHARED = (
    "Police shared three domestic abuse call-outs in the last year. Health shared that {child}'s development "
    "checks were missed. The school reported concerns about {their} presentation.",
    "Police have no recent information. Health report {carer}'s mental health has declined. The school "
    "shared the disclosure {child} made this morning.",
)
DECISION_REASONS = {
    True: (
        "There is reasonable cause to suspect {child} is suffering, or likely to suffer, significant harm: "
        "a section 47 enquiry is needed.",
    ),
    False: (
        "The threshold for a section 47 enquiry is not met; a child and family assessment will continue.",
    ),
}
FINDINGS = {
    Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC: (
        "The concerns are substantiated: {worry_list}. {child} is likely to suffer significant harm and an "
        "initial child protection conference is needed.",
    ),
    Section47Outcome.CONCERNS_SUBSTANTIATED_NO_ICPC: (
        "The concerns are substantiated, but {carer} has acted to protect {child} and the risk is reduced. "
        "Support will continue without a conference.",
    ),
    Section47Outcome.NOT_SUBSTANTIATED: (
        "The concerns are not substantiated. {child} presented as well cared for and gave a consistent "
        "account; support will be offered through a child and family assessment.",
    ),
}
PLAN_CHANGES = {
    True: (
        "A new action for {carer} to attend the parenting course; the visit frequency stays at every two weeks.",
        "No changes: the actions stay as agreed.",
    ),
    False: ("The plan ends. The actions still open carry on in the child in need plan.",),
}
VISITS = ("Every 10 working days, seen alone", "Every two weeks, at home and at school")
RETURN_COMMENTS = (
    (
        "Please say more about {other_or_carer}'s role and what the risk is to {child}.",
        "The worker added what is known about {other_or_carer} and the risk to {child}.",
    ),
    (
        "The analysis describes the family well but does not say what the risk is. Please set out how "
        "likely harm is and why.",
        "The analysis now says how likely harm is and why.",
    ),
    (
        "The child's own words are missing. Please add what {child} said.",
        "{child}'s own words added from the last visit.",
    ),
    (
        "Some actions have no date. Please give each one an owner and a date.",
        "Each action now has an owner and a date.",
    ),
)
AUTHORISE_COMMENTS = (
    "A clear record. Agreed.",
    "Good analysis; the plan follows from it.",
    "Agreed. Please share with the family this week.",
    "",
)
WORKER_ROLES = {"worker": "Social worker", "school": "School", "health": "", "police": "Police", "carer": ""}
AGENCIES = (
    ("health", "Health visitor", "health"),
    ("education", "Designated safeguarding lead", "school"),
    ("police", "Detective constable", "police"),
    ("health", "GP", "gp"),
)
GENERIC_TEXT = (
    "Discussed with {carer} and the professionals involved; {child}'s needs are at the centre of the plan.",
    "See the record of the visits; {child} was seen and {carer} agreed with what is written here.",
)


# Children looked after (Care Planning, Placement and Case Review (England) Regulations 2010) -------------------

PERMANENCE = {
    "baby": (
        "Adoption, with a parallel plan for return to {carer} if the assessment of {carer} is positive.",
    ),
    "young": (
        "Return home to {carer}, if the parenting assessment is positive within six months; otherwise adoption.",
        "Long-term fostering with a family who can keep {child} with {their} brothers and sisters.",
    ),
    "primary": (
        "Long-term fostering with the current carers, matched at the next fostering panel.",
        "Return home to {carer} once the work on the home conditions is complete and tested over weekends.",
    ),
    "teenager": (
        "Long-term fostering until {child} is 18, then staying put with the same carers if {they} wishes.",
        "{child} stays in {their} placement and prepares to move to supported lodgings at 18.",
    ),
}
CARE_HEALTH = (
    "{child}'s review health assessment is due in {month}; immunisations are up to date. {They} is registered "
    "with a GP and dentist near the placement.",
    "{child} is well. The initial health assessment found glue ear; a hearing test is booked. The dentist "
    "saw {them} last month.",
)
CARE_EDUCATION = {
    "baby": ("{child} is not yet of school age; the health visitor checks {their} development.",),
    "young": ("{child} goes to nursery three mornings a week, funded as a looked-after child.",),
    "primary": (
        "{child} stays at the same primary school; the carer drives {them} each day. The personal education plan "
        "was reviewed this term and pupil premium pays for reading support.",
    ),
    "teenager": (
        "{child} is in year {school_year}. Attendance is 91%. The personal education plan targets maths and a "
        "college place; the virtual school has funded a tutor.",
    ),
}
EMOTIONAL = (
    "{child} has settled well but can be anxious at bedtimes and after family time; the carer keeps a calm routine.",
    "{child} sometimes finds it hard to manage anger; the placement's support worker is doing work on feelings.",
)
IDENTITY = (
    "{child}'s life story book has been started with the worker. The carer supports {their} faith and culture, "
    "and {they} keeps a photograph of {their} family in {their} room.",
)
FAMILY_TIME = (
    "{child} sees {carer} ({carer_role}) every fortnight at the family centre, supervised, and speaks to "
    "{them_carer} by video each Sunday.",
    "Family time with {carer} is once a month in the community, supported by the worker; {child} sees "
    "{their} brothers and sisters every week.",
)
PLACEMENT_PURPOSE = (
    "To give {child} a safe and stable home while the plan for permanence is made.",
    "To care for {child} long term as part of the family, as the care plan says.",
)
PLANNED_LENGTH = ("Until the next review decides the plan for permanence", "Until {child} is 18")
DELEGATED = (
    "The carer may agree school trips, haircuts, sleepovers with friends the carer knows, and routine medical "
    "treatment. The local authority agrees holidays abroad and passports.",
)
CARER_SUPPORT = ("A supervising social worker visits every month; respite is available one weekend in six.",)
CARER_VIEWS = (
    "The carer says {child} is part of the family and is doing well at school.",
    "The carer would like more help with {child}'s behaviour after family time.",
)
PATHWAY = {
    "health": "{child} is registered with a GP and has a health passport. {They} sees the dentist yearly.",
    "education_employment": "{child} is studying {subject} at college and wants an apprenticeship next year.",
    "relationships": "{child} is close to {their} former foster carers and sees {carer} most weeks.",
    "finance": "{child} has a bank account and a budget plan; the leaving care grant has been explained.",
    "skills": "{child} can cook simple meals and does {their} own washing; {they} is learning to budget for bills.",
    "accommodation": "{child} lives in supported lodgings and wants to move to a flat of {their} own at 19.",
}
YOUNG_PERSON_VIEWS = (
    "{child} said: 'I want to do this myself, but it's good to know someone is there.'",
    "{child} said {they} worries about money and wants help to find a job.",
)
FINANCIAL_SUPPORT = (
    "Setting-up-home allowance when {child} moves; a bursary while {they} is in education; travel costs.",
)
LOOKED_AFTER_CONTINGENCY = {
    "care_plan": (
        "If the placement is at risk of ending, a stability meeting is held within five working days and the "
        "IRO is told; a move is planned, never made in a crisis, unless {child} is unsafe.",
    ),
    "pathway_plan": (
        "If {child} loses {their} home, the personal adviser arranges supported housing the same day and the "
        "plan is reviewed within 10 working days.",
    ),
}
CARE_ACTIONS = (
    ("Complete the review health assessment", "health", 8),
    ("Hold the personal education plan meeting", "school", 6),
    ("Arrange family time as the plan sets out", "worker", 2),
    ("Life story work with {child}", "worker", 12),
)
PATHWAY_ACTIONS = (
    ("Apply for a place on the apprenticeship scheme", "child", 8),
    ("Open a savings account for the leaving care grant", "child", 4),
    ("Find a flat through the housing pathway", "worker", 16),
    ("Register with a GP near the new home", "child", 6),
)


# Filling in -------------------------------------------------------------------------------------------------


class Writer:
    """Makes the answers to one document's questions from the phrase banks and the record's facts."""

    def __init__(self, facts: Facts, rng: random.Random):
        self.facts = facts
        self.rng = rng
        self.fill = words(facts)
        self.attendance: list[str] | None = None
        self.judged: list[dict] | None = None
        self.fill["themselves"] = {"him": "himself", "her": "herself"}.get(self.fill["them"], "themselves")
        self.fill["Health"] = self.fill["health"].capitalize()
        self.fill["School"] = self.fill["school"].capitalize()
        self.fill["police"] = rng.choice(POLICE_INFORMATION)
        self.fill["year"] = str(facts.day.year - rng.randint(2, 6))
        self.fill["weeks"] = str(rng.randint(14, 32))
        self.fill["subject"] = rng.choice(SUBJECTS)
        self.fill["category"] = CATEGORY_WORDS.get(facts.category, "neglect")
        self.fill["seen_on"] = long_date(facts.seen_on or facts.day)
        self.fill["visit_weeks"] = "two"
        self.fill["other_or_carer"] = self.fill["other"] or self.fill["carer"]
        self.fill["month"] = f"{facts.day + dt.timedelta(days=rng.randint(30, 300)):%B}"
        self.fill["them_carer"] = {"she": "her", "he": "him"}.get(self.fill["carer_they"], "them")
        age = facts.age
        self.fill["school_year"] = str(min(max((age or 11) - 4, 7), 13))
        worries = self.worries()
        self.fill["worry_list"] = "; ".join(self.in_sentence(w) for w in worries[:2])
        self.fill["worry"] = self.in_sentence(worries[0])
        self.fill["strength"] = self.in_sentence(self.strengths()[0])

    def say(self, phrase: str) -> str:
        text = phrase.format(**self.fill)
        return text[0].upper() + text[1:] if text else text

    def in_sentence(self, sentence: str) -> str:
        """A sentence carried inside another: its full stop dropped, its first word in lower case unless a name."""
        first = sentence.split(" ", 1)[0].split("'", 1)[0]
        names = {r.first_name for r in self.facts.child.family} | {self.facts.child.first_name}
        sentence = sentence.rstrip(".")
        return sentence if first in names else sentence[0].lower() + sentence[1:]

    def pick(self, phrases) -> str:
        return self.say(self.rng.choice(phrases))

    def _factor_phrases(self) -> list[tuple]:
        return [FACTOR_PHRASES[code] for code in self.facts.factors if code in FACTOR_PHRASES]

    def worries(self) -> list[str]:
        found = [self.say(worry) for worry, _, _ in self._factor_phrases()]
        return found or [self.say(GENERAL_WORRY[len(self.facts.child.first_name) % len(GENERAL_WORRY)])]

    def strengths(self) -> list[str]:
        found = [self.say(strength) for _, strength, _ in self._factor_phrases()]
        return found or [self.say(GENERAL_STRENGTH[len(self.facts.child.last_name) % len(GENERAL_STRENGTH)])]

    # Names and rows ------------------------------------------------------------------------------------------

    def owner(self, who: str) -> str:
        carer, other = self.facts.carer, self.facts.other_parent
        if who == "carer" and carer:
            return f"{carer.first_name} ({carer.role})"
        if who == "other" and other:
            return f"{other.first_name} ({other.role})"
        return {
            "child": self.facts.child.first_name,
            "worker": f"{self.facts.worker} (social worker)",
            "school": f"{self.fill['School']}: designated safeguarding lead"
            if age_band(self.facts.age) in ("young", "primary", "teenager")
            else "Health visitor",
            "health": self.fill["health"].capitalize(),
            "police": "Police: investigating officer",
        }.get(who, "The family")

    def actions(self, count: int | None = None) -> list[dict]:
        """The plan's actions: one for each worry named, then the plan's standard ones."""
        made = []
        actions = {"care_plan": CARE_ACTIONS, "pathway_plan": PATHWAY_ACTIONS}.get(self.facts.document_type)
        if actions is None:
            actions = [p[2] for p in self._factor_phrases()] + list(STANDARD_ACTIONS)
        for what, who, weeks in actions:
            by = self.facts.day + dt.timedelta(weeks=weeks + self.rng.randint(0, 2))
            row = {"what": self.say(what), "who": self.owner(who), "by": by.isoformat()}
            if row["what"] not in [r["what"] for r in made]:
                made.append(row)
        return made[: count or self.rng.randint(3, 5)]

    def progress(self) -> list[dict]:
        """Each action of the plan judged at this meeting: what was done stays done."""
        rows = []
        for row in self.facts.progress or self.actions():
            if row.get("progress") == "done":
                rows.append(dict(row))
                continue
            overdue = dt.date.fromisoformat(row["by"]) < self.facts.day
            state = self.rng.choices(
                ("done", "on_track", "not_started", "off_track"),
                weights=(0.6, 0.15, 0.05, 0.2) if overdue else (0.25, 0.55, 0.1, 0.1),
            )[0]
            note = self.rng.choice(PROGRESS_NOTES[state]).format(
                evidence=self.rng.choice(EVIDENCE).format(**self.fill),
                source=self.rng.choice(SOURCES).format(**self.fill),
                **self.fill,
            )
            plan_row = {key: row[key] for key in ("what", "who", "by")}
            rows.append({**plan_row, "progress": state, "notes": note[0].upper() + note[1:]})
        self.judged = rows
        return rows

    def behind(self) -> int:
        """How many actions this meeting judged not started or off track."""
        if self.judged is None:
            self.progress()
        return sum(row["progress"] in ("not_started", "off_track") for row in self.judged)

    def members(self, attendance: bool) -> list[dict]:
        if not self.facts.members:
            self.facts.members = self._new_members()
        rows = [
            {key: row[key] for key in ("agency", "name", "role") if key in row} for row in self.facts.members
        ]
        if attendance:
            if self.attendance is None:
                self.attendance = [
                    self.rng.choices(ATTENDED, weights=(0.8, 0.1, 0.07, 0.03))[0] for _ in rows
                ]
                self.attendance[0] = "attended"  # the worker
                carer = self.facts.carer
                for number, row in enumerate(rows):
                    if carer and row["agency"] == "family" and row["name"] == carer.first_name:
                        self.attendance[number] = "attended"
            for row, attended in zip(rows, self.attendance, strict=False):
                row["attendance"] = attended
        return rows

    def parents_attendance(self) -> str:
        """Who of the family came, as the attendance rows say, and the help they had to take part."""
        family = [row for row in self.members(attendance=True) if row["agency"] == "family"]
        if not family:
            return "No parent or carer is known to the conference."
        said = [
            f"{row['name']} ({row['role'].lower()}): {ATTENDANCE_WORDS[row['attendance']]}" for row in family
        ]
        return "; ".join(said) + ". " + self.pick(PARENTS_SUPPORT)

    def professionals(self) -> list[dict]:
        """Who took part in a discussion between agencies: the professionals, and the worker's manager."""
        rows = [row for row in self.members(attendance=True) if row["agency"] != "family"]
        manager = {"agency": "social_care", "name": self.facts.manager, "role": "Team manager"}
        return [*rows[:1], {**manager, "attendance": "attended"}, *rows[1:]]

    def _new_members(self) -> list[dict]:
        rows = [{"agency": "social_care", "name": self.facts.worker, "role": "Social worker"}]
        carer, other = self.facts.carer, self.facts.other_parent
        if carer:
            rows.append({"agency": "family", "name": carer.first_name, "role": carer.role.capitalize()})
        if other:
            rows.append({"agency": "family", "name": other.first_name, "role": other.role.capitalize()})
        for agency, role, _ in AGENCIES[:3] if self.facts.age is None or self.facts.age >= 5 else AGENCIES:
            if agency == "education" and (self.facts.age is None or self.facts.age < 3):
                continue
            if role == "Health visitor" and self.facts.age is not None and self.facts.age >= 5:
                role = "School nurse"
            rows.append({"agency": agency, "name": self._professional_name(), "role": role})
        return rows

    def _professional_name(self) -> str:
        first = self.rng.choice(PROFESSIONAL_FORENAMES)
        return f"{first} {self.rng.choice(PROFESSIONAL_SURNAMES)}"

    # Answers -------------------------------------------------------------------------------------------------

    def answer(self, question: TemplateQuestion):
        """The answer to one question: by the statutory field it fills, its key, or its kind of answer."""
        if question.statutory_field in STATUTORY_ANSWERS:
            return STATUTORY_ANSWERS[question.statutory_field](self)
        if question.key in KEY_ANSWERS:
            return KEY_ANSWERS[question.key](self)
        return KIND_ANSWERS.get(question.kind, lambda w: None)(self)


PROFESSIONAL_FORENAMES = ("Anna", "Ben", "Claire", "David", "Emma", "Farah", "Gareth", "Helen", "Imran", "Jo")
PROFESSIONAL_SURNAMES = ("Ahmed", "Baker", "Collins", "Davies", "Evans", "Fisher", "Grant", "Hughes", "Khan")


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _who_was_seen(w: Writer) -> str:
    return w.pick(SEEN_BY)


def _seen_alone(w: Writer) -> bool:
    return w.facts.age is not None and w.facts.age >= 4 and w.rng.random() < 0.78


def _not_seen_alone_reason(w: Writer) -> str:
    if w.facts.age is None or w.facts.age < 4:
        return "Too young to be seen alone"
    return w.rng.choice(NOT_SEEN_ALONE[1:])


def _development(w: Writer) -> str:
    band = age_band(w.facts.age)
    extra = [w.say(FACTOR_PHRASES[c][0]) for c in w.facts.factors if c in ("4A", "10A", "14A", "15A")]
    return _paragraphs(w.pick(DEVELOPMENT[band]), *extra)


def _parenting(w: Writer) -> str:
    other = w.pick(PARENTING_OTHER) if w.facts.other_parent else ""
    worries = [w.say(FACTOR_PHRASES[c][0]) for c in w.facts.factors if c in ("1B", "2B", "4B", "16A", "17A")]
    return _paragraphs(w.pick(PARENTING), *worries[:1], other)


def _environment(w: Writer) -> str:
    worries = [w.say(FACTOR_PHRASES[c][0]) for c in w.facts.factors if c in ("3B", "3C", "20")]
    return _paragraphs(w.pick(ENVIRONMENT), *worries[:1])


def _child_voice(w: Writer) -> str:
    return w.pick(VOICE[age_band(w.facts.age)])


def _parents_views(w: Writer) -> str:
    text = w.pick(PARENT_VIEWS)
    return text + (w.pick(OTHER_VIEWS) if w.facts.other_parent else "")


def _analysis(w: Writer) -> str:
    if w.facts.document_type in ("core_group_meeting", "child_in_need_review"):
        behind = w.behind()
        w.fill["behind"] = f"{behind} action{' is' if behind == 1 else 's are'}"
        return w.pick(MEETING_ANALYSIS[behind == 0])
    strengths = [w.in_sentence(strength) for strength in w.strengths()[:2]]
    return _paragraphs(w.pick(ANALYSIS), "What is going well: " + "; ".join(strengths) + ".")


def _next_steps(w: Writer) -> str:
    return w.pick(NEXT_STEPS.get(w.facts.outcome, NEXT_STEPS[AssessmentOutcome.SUPPORT_REQUIRED]))


def _findings(w: Writer) -> str:
    outcome = w.facts.section_47_outcome or Section47Outcome.NOT_SUBSTANTIATED
    strength = w.in_sentence(w.strengths()[0])
    return _paragraphs(w.pick(FINDINGS[outcome]), f"What is going well: {strength}.")


def _decision_reasons(w: Writer) -> str:
    if w.facts.document_type == "strategy_discussion":
        return w.pick(DECISION_REASONS[bool(w.facts.section_47_agreed)])
    bank = REVIEW_REASONS if w.facts.document_type == "review_conference" else CONFERENCE_REASONS
    return w.pick(bank[bool(w.facts.plan_decided)])


def _dissent(w: Writer) -> str | None:
    return w.pick(DISSENT) if w.rng.random() < 0.12 else None


def _outcomes(w: Writer) -> str:
    lines = [w.say(OUTCOMES[c]) for c in w.facts.factors if c in OUTCOMES] or [w.say(GENERAL_OUTCOME)]
    return "\n".join(f"- {line}" for line in lines[:3])


def _plan_actions(w: Writer) -> list[dict]:
    return [dict(row) for row in w.facts.actions] or w.actions()


def _new_actions(w: Writer) -> list[dict] | None:
    return w.actions(1) if w.rng.random() < 0.3 else None


def _lead_worker(w: Writer) -> str:
    return w.facts.worker


def _needs(w: Writer) -> str:
    return w.facts.findings or " ".join(w.worries()[:2])


def _known_history(w: Writer) -> str:
    return w.facts.findings or w.pick(KNOWN_HISTORY)


def _agency_information(w: Writer) -> str:
    setting = w.pick(AGENCY_SETTING) if age_band(w.facts.age) in ("young", "primary", "teenager") else ""
    return " ".join(part for part in (setting, w.pick(AGENCY_INFORMATION)) if part)


def _banded(bank: dict) -> Callable[[Writer], str]:
    return lambda w: w.pick(bank.get(age_band(w.facts.age), bank.get("teenager")))


def _pathway(key: str) -> Callable[[Writer], str]:
    return lambda w: w.say(PATHWAY[key])


def _care_health(w: Writer) -> str:
    return _pathway("health")(w) if w.facts.document_type == "pathway_plan" else w.pick(CARE_HEALTH)


def _information_shared(w: Writer) -> str:
    return w.pick(INFORMATION_SHARED)


STATUTORY_ANSWERS: dict[str, Callable[[Writer], object]] = {
    StatutoryField.CHILD_SEEN_ON: lambda w: w.facts.seen_on,
    StatutoryField.FACTORS: lambda w: list(w.facts.recorded_factors or w.facts.factors),
    StatutoryField.OUTCOME: lambda w: w.facts.outcome or None,
    StatutoryField.SECTION_47_AGREED: lambda w: w.facts.section_47_agreed,
    StatutoryField.SECTION_47_OUTCOME: lambda w: w.facts.section_47_outcome or None,
    StatutoryField.PLAN_DECIDED: lambda w: w.facts.plan_decided,
    StatutoryField.CATEGORY: lambda w: (w.facts.category or None) if w.facts.plan_decided else None,
    StatutoryField.CHAIR: lambda w: w.facts.chair or None,
}
KEY_ANSWERS: dict[str, Callable[[Writer], object]] = {
    "who_was_seen": _who_was_seen,
    "child_seen_alone": _seen_alone,
    "not_seen_alone_reason": lambda w: None,  # answered with the question it follows (Writer.answers)
    "developmental_needs": _development,
    "parenting_capacity": _parenting,
    "family_environment": _environment,
    "wishes_and_feelings": _child_voice,
    "child_views": _child_voice,
    "parents_views": _parents_views,
    "agency_information": _agency_information,
    "analysis": _analysis,
    "next_steps": _next_steps,
    "attendees": lambda w: w.professionals(),
    "attendance": lambda w: w.members(attendance=True),
    "known_history": _known_history,
    "information_shared": _information_shared,
    "decision_reasons": _decision_reasons,
    "safety_actions": lambda w: w.actions(2),
    "findings": _findings,
    "enquiry_findings": lambda w: w.facts.findings or _findings(w),
    "parents_attendance": lambda w: w.parents_attendance(),
    "dissent": _dissent,
    "outline_outcomes": _outcomes,
    "outline_actions": _plan_actions,
    "outcomes": _outcomes,
    "actions": _plan_actions,
    "core_group_members": lambda w: w.members(attendance=False),
    "lead_social_worker": _lead_worker,
    "progress": lambda w: w.progress(),
    "plan_changes": lambda w: w.pick(PLAN_CHANGES[w.facts.plan_decided is not False]),
    "contingency": lambda w: w.pick(LOOKED_AFTER_CONTINGENCY.get(w.facts.document_type, CONTINGENCY)),
    "visits": lambda w: w.rng.choice(VISITS),
    "needs": _needs,
    "new_actions": _new_actions,
    "permanence_plan": _banded(PERMANENCE),
    "health": _care_health,
    "education": _banded(CARE_EDUCATION),
    "emotional_development": lambda w: w.pick(EMOTIONAL),
    "identity": lambda w: w.pick(IDENTITY),
    "family_time": lambda w: w.pick(FAMILY_TIME),
    "iro": lambda w: w.facts.iro or None,
    "carer": lambda w: w.facts.placement[:300] or None,
    "placement_purpose": lambda w: w.pick(PLACEMENT_PURPOSE),
    "planned_length": lambda w: w.pick(PLANNED_LENGTH),
    "delegated_authority": lambda w: w.pick(DELEGATED),
    "carer_support": lambda w: w.pick(CARER_SUPPORT),
    "carer_views": lambda w: w.pick(CARER_VIEWS),
    "young_person_views": lambda w: w.pick(YOUNG_PERSON_VIEWS),
    "personal_adviser": lambda w: w.facts.worker,
    "financial_support": lambda w: w.pick(FINANCIAL_SUPPORT),
    **{key: _pathway(key) for key in PATHWAY if key != "health"},
}
KIND_ANSWERS: dict[str, Callable[[Writer], object]] = {
    QuestionKind.TEXT: lambda w: w.pick(GENERIC_TEXT),
    QuestionKind.SHORT_TEXT: lambda w: w.pick(GENERIC_TEXT)[:300],
    QuestionKind.YES_NO: lambda w: True,
    QuestionKind.DATE: lambda w: w.facts.day,
    QuestionKind.FACTORS: lambda w: list(w.facts.recorded_factors or w.facts.factors),
    QuestionKind.OUTCOME: lambda w: w.facts.outcome or None,
    QuestionKind.CATEGORY: lambda w: w.facts.category or None,
    QuestionKind.SECTION_47_OUTCOME: lambda w: w.facts.section_47_outcome or None,
    QuestionKind.PEOPLE: lambda w: w.members(attendance=False),
    QuestionKind.ATTENDANCE: lambda w: w.members(attendance=True),
    QuestionKind.ACTIONS: lambda w: w.actions(2),
    QuestionKind.PROGRESS: lambda w: w.progress() or None,
}


def answers_for(questions: list[TemplateQuestion], facts: Facts, rng: random.Random) -> dict:
    """Every question's answer (None where the record has nothing to say), keyed by the question's key, as the
    services store them (dates as ISO text)."""
    writer = Writer(facts, rng)
    answers = {}
    for question in questions:
        value = writer.answer(question)
        if question.key == "child_seen_alone" and value is False:
            answers["not_seen_alone_reason"] = _not_seen_alone_reason(writer)
        if question.key == "not_seen_alone_reason" and "not_seen_alone_reason" in answers:
            continue
        answers[question.key] = value.isoformat() if isinstance(value, dt.date) else value
    return {key: value for key, value in answers.items() if value not in (None, "", [])}


def return_comment(facts: Facts, rng: random.Random) -> tuple[str, str]:
    """A manager's comment returning the document, and the sentence the worker added in answer."""
    writer = Writer(facts, rng)
    comment, answer = rng.choice(RETURN_COMMENTS)
    return writer.say(comment), writer.say(answer)


def authorise_comment(rng: random.Random) -> str:
    return rng.choice(AUTHORISE_COMMENTS)
