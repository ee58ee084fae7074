"""Households: children, the adults around them, where they have lived, and what is known about them.

`plan_household` decides everything with the seed's Random and touches no database; `write_households` turns a
batch of plans into rows, filling the search keys exactly as the services do.
"""

import datetime as dt
from dataclasses import dataclass, field

from opencsc.accounts.models import TeamKind
from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyEntry
from opencsc.core.codes import Disability, Ethnicity
from opencsc.people import chronology_lines as lines
from opencsc.people.identifiers import format_postcode, name_key, postcode_key, upn_check_letter
from opencsc.people.models import (
    Alert,
    AlertCategory,
    Child,
    ChildAddress,
    ChildAlias,
    ChildDisability,
    Person,
    PersonKind,
    Relationship,
    RelationshipType,
)
from opencsc.synthetic import county
from opencsc.synthetic.context import Simulation
from opencsc.synthetic.randomness import Weighted, day_between, years_before
from opencsc.synthetic.timestamps import at, stamp

# An unborn child can be known to the service for at most a pregnancy before the expected birth (DfE rule 8606:
# a referral more than 40 weeks before it is an error); the household's referral comes a little inside that.
PREGNANCY = dt.timedelta(weeks=40)
PRE_BIRTH_REFERRAL_WINDOW = dt.timedelta(weeks=38)
CHILDREN_PER_HOUSEHOLD = Weighted({1: 0.40, 2: 0.32, 3: 0.17, 4: 0.08, 5: 0.03})
# Buckinghamshire's children, roughly as the school census records them.
ETHNICITY = Weighted(
    {
        Ethnicity.WBRI: 66.0,
        Ethnicity.APKN: 9.0,
        Ethnicity.WOTH: 5.5,
        Ethnicity.AIND: 3.0,
        Ethnicity.MWAS: 2.5,
        Ethnicity.MWBC: 2.0,
        Ethnicity.MOTH: 2.0,
        Ethnicity.BAFR: 2.0,
        Ethnicity.AOTH: 1.8,
        Ethnicity.BCRB: 1.0,
        Ethnicity.OOTH: 1.0,
        Ethnicity.MWBA: 0.7,
        Ethnicity.ABAN: 0.5,
        Ethnicity.CHNE: 0.5,
        Ethnicity.WIRI: 0.5,
        Ethnicity.WROM: 0.3,
        Ethnicity.BOTH: 0.3,
        Ethnicity.WIRT: 0.1,
        Ethnicity.REFU: 0.5,
        Ethnicity.NOBT: 1.5,
    }
)
FIRST_LANGUAGE = {"APKN": "Urdu", "ABAN": "Bengali", "AIND": "Punjabi", "WOTH": "Polish", "WROM": "Romanian"}
DISABILITY = Weighted(
    {
        Disability.AUT: 0.30,
        Disability.LD: 0.20,
        Disability.COMM: 0.15,
        Disability.BEH: 0.12,
        Disability.MOB: 0.07,
        Disability.PC: 0.04,
        Disability.HEAR: 0.03,
        Disability.VIS: 0.03,
        Disability.HAND: 0.02,
        Disability.INC: 0.02,
        Disability.CON: 0.01,
        Disability.DDA: 0.01,
    }
)
ALERT_TEXTS = {
    AlertCategory.RISK_TO_STAFF: (
        "Father has been verbally aggressive to professionals: visit in pairs",
        "Dog at the property: ask for it to be secured before entering",
        "Adult in the household has a history of violence: do not visit alone",
    ),
    AlertCategory.RISK_TO_CHILD: (
        "Known risk of child sexual exploitation: share concerns with police the same day",
        "Do not disclose address to father: non-molestation order in place",
        "Missing episodes: follow the missing protocol if not home by 10pm",
    ),
    AlertCategory.HEALTH: (
        "Severe nut allergy: carries adrenaline auto-injector",
        "Epilepsy: seizure plan held by school",
        "Type 1 diabetes: insulin dependent",
    ),
    AlertCategory.LEGAL: (
        "Interim care order in force",
        "Prohibited steps order: child not to be removed from the area",
        "Child arrangements order: contact with father supervised",
    ),
    AlertCategory.COMMUNICATION: (
        "Uses British Sign Language: book an interpreter for visits",
        "Mother needs an Urdu interpreter",
        "Non-verbal: uses Makaton and a picture board",
    ),
    AlertCategory.OTHER: ("Family known to be moving between two addresses",),
}
ALIAS_KINDS = ("Also known as", "Previous name", "Alternative spelling")


class Casework:
    """Whether a household's children have open casework, had it in the past, or were only ever a contact."""

    OPEN = "open"
    CLOSED = "closed"
    CONTACT_ONLY = "contact_only"


@dataclass
class AdultPlan:
    sex: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    phone: str
    kind: str  # a RelationshipType, from each child's point of view unless overridden per child
    lives_with: bool
    parental_responsibility: bool
    children: list[int]  # positions in the household of the children this adult is linked to
    relationship_per_child: dict[int, str] = field(default_factory=dict)
    person: Person | None = None


@dataclass
class ChildPlan:
    sex: str
    first_name: str
    middle_names: str
    last_name: str
    date_of_birth: dt.date | None
    expected_date_of_birth: dt.date | None
    ethnicity: str
    first_language: str
    upn: str = ""
    upn_unknown_reason: str = ""
    nhs_number: str = ""
    created_on: dt.date | None = None
    disabilities: list[str] = field(default_factory=list)
    aliases: list[tuple[str, str, str]] = field(default_factory=list)
    father: int | None = None  # position of the father in the household's adults
    record: Child | None = None

    @property
    def born_or_expected(self) -> dt.date:
        return self.date_of_birth or self.expected_date_of_birth

    @property
    def known_from(self) -> dt.date:
        """The first day the child can be named on a contact: birth, or the start of the pregnancy."""
        return self.date_of_birth or self.expected_date_of_birth - PREGNANCY


@dataclass
class HouseholdPlan:
    casework: str
    team_kind: str
    first_contact_on: dt.date
    children: list[ChildPlan]
    adults: list[AdultPlan]
    addresses: list[tuple[county.Address, dt.date]]  # each address with the date the family moved in
    casework_opened_on: dt.date | None = None
    casework_closed_on: dt.date | None = None
    team: object = None  # the accounts.Team responsible for the children, chosen by the casework module
    periods: list = field(default_factory=list)  # casework.Period: who held the cases, and when
    contacts: list = field(default_factory=list)  # frontdoor.ContactPlan, oldest first
    cp_plan_open: bool = False


class IdentifierIssuer:
    """Unique LA child ids, UPNs and NHS numbers, valid by the DfE and NHS check rules."""

    def __init__(self, sim: Simulation):
        self.sim = sim
        self.next_la_number = 100001
        self.upns: set[str] = set()
        self.nhs_numbers: set[str] = set()

    def la_child_id(self) -> str:
        number, self.next_la_number = self.next_la_number, self.next_la_number + 1
        return f"C{number}"

    def upn(self, started_school: dt.date) -> str:
        rng = self.sim.rng
        while True:
            school = rng.randint(2000, 4999)  # DfE establishment number within the authority
            body = f"{self.sim.la_code}{school:04d}{started_school.year % 100:02d}{rng.randint(0, 999):03d}"
            upn = upn_check_letter(body) + body
            if upn not in self.upns:
                self.upns.add(upn)
                return upn

    def nhs_number(self) -> str:
        rng = self.sim.rng
        while True:
            digits = f"{rng.choice('4674')}{rng.randint(0, 99_999_999):08d}"
            total = sum(int(digit) * weight for digit, weight in zip(digits, range(10, 1, -1), strict=True))
            check = (11 - total % 11) % 11
            if check == 10 or (number := f"{digits}{check}") in self.nhs_numbers:
                continue
            self.nhs_numbers.add(number)
            return number


def plan_household(
    sim: Simulation, issuer: IdentifierIssuer, casework: str, max_children: int
) -> HouseholdPlan:
    rng = sim.rng
    ethnicity = ETHNICITY.draw(rng)
    surname = sim.names.surname(ethnicity)
    size = min(CHILDREN_PER_HOUSEHOLD.draw(rng), max_children)
    children = [_plan_child(sim, ethnicity, surname) for _ in range(size)]
    children.sort(key=lambda child: child.born_or_expected)
    if casework == Casework.OPEN and size < max_children and rng.random() < 0.04:
        children.append(_plan_unborn(sim, ethnicity, surname))
    household = HouseholdPlan(
        casework=casework,
        team_kind=TeamKind.FRONT_DOOR,
        first_contact_on=sim.last_day,
        children=children,
        adults=[],
        addresses=[],
    )
    _plan_casework_dates(sim, household)
    household.adults = _plan_adults(sim, household, ethnicity, surname)
    household.addresses = _plan_addresses(sim, household)
    for child in children:
        _plan_identifiers(sim, issuer, child, household)
    return household


def _plan_child(sim: Simulation, ethnicity: str, surname: str) -> ChildPlan:
    rng = sim.rng
    sex = rng.choice("MF")
    born = sim.last_day - dt.timedelta(days=rng.randint(0, 18 * 365 - 2))
    child_ethnicity = ethnicity if rng.random() < 0.9 else ETHNICITY.draw(rng)
    language = FIRST_LANGUAGE.get(child_ethnicity, "English") if rng.random() < 0.5 else "English"
    return ChildPlan(
        sex=sex,
        first_name=sim.names.child_forename(sex, child_ethnicity),
        middle_names=sim.names.middle_names(sex),
        last_name=surname if rng.random() < 0.85 else sim.names.surname(child_ethnicity),
        date_of_birth=born,
        expected_date_of_birth=None,
        ethnicity=child_ethnicity,
        first_language=language,
        disabilities=_plan_disabilities(sim),
    )


def _plan_unborn(sim: Simulation, ethnicity: str, surname: str) -> ChildPlan:
    return ChildPlan(
        sex="U",
        first_name="Unborn",
        middle_names="",
        last_name=surname,
        date_of_birth=None,
        expected_date_of_birth=sim.last_day + dt.timedelta(days=sim.rng.randint(14, 180)),
        ethnicity=Ethnicity.NOBT,
        first_language="",
    )


def _plan_disabilities(sim: Simulation) -> list[str]:
    if sim.rng.random() >= 0.07:
        return []
    codes = {DISABILITY.draw(sim.rng) for _ in range(sim.rng.choice((1, 1, 1, 2, 2, 3)))}
    return sorted(codes)


def _plan_casework_dates(sim: Simulation, household: HouseholdPlan) -> None:
    """When the household's casework opened (and closed), then its contacts and referrals (front door)."""
    rng, demand = sim.rng, sim.demand
    oldest = household.children[0].born_or_expected
    earliest = max(sim.first_day, min(oldest, sim.last_day))
    referral_day = None
    if household.casework == Casework.OPEN:
        household.team_kind = _open_team_kind(sim, household)
        longest = {TeamKind.ASSESSMENT: 45, TeamKind.CHILD_IN_NEED: 540}.get(household.team_kind, 1100)
        unborn_due = [child.expected_date_of_birth for child in household.children if not child.date_of_birth]
        pre_birth = [due - PRE_BIRTH_REFERRAL_WINDOW for due in unborn_due]
        opened = demand.draw_day(
            rng,
            max(earliest, sim.last_day - dt.timedelta(longest), *pre_birth),
            sim.last_day - dt.timedelta(2),
            fixed=True,
        )
        household.casework_opened_on = opened
        referral_day = max(earliest, opened - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, 3))))
    elif household.casework == Casework.CLOSED and earliest < sim.last_day - dt.timedelta(120):
        household.team_kind = rng.choice((TeamKind.ASSESSMENT, TeamKind.ASSESSMENT, TeamKind.CHILD_IN_NEED))
        referral_day = demand.draw_day(rng, earliest, sim.last_day - dt.timedelta(120))
        household.casework_opened_on = referral_day + dt.timedelta(days=rng.choice((0, 0, 1, 2, 3)))
    else:
        household.casework = Casework.CONTACT_ONLY
    sim.front_door.plan(household, earliest, referral_day)
    for child in household.children:
        child.created_on = max(household.first_contact_on, child.known_from)


def _open_team_kind(sim: Simulation, household: HouseholdPlan) -> str:
    rng = sim.rng
    ages = [
        (sim.last_day - child.date_of_birth).days // 365
        for child in household.children
        if child.date_of_birth
    ]
    if any(child.disabilities for child in household.children) and rng.random() < 0.6:
        return TeamKind.DISABLED_CHILDREN
    if ages and max(ages) >= 16 and rng.random() < 0.25:
        return TeamKind.CARE_LEAVERS
    return rng.choices(
        (TeamKind.ASSESSMENT, TeamKind.CHILD_IN_NEED, TeamKind.LOOKED_AFTER), weights=(0.29, 0.56, 0.15)
    )[0]


def _plan_adults(sim: Simulation, household: HouseholdPlan, ethnicity: str, surname: str) -> list[AdultPlan]:
    rng = sim.rng
    children = household.children
    oldest_birth = children[0].born_or_expected
    everyone = list(range(len(children)))
    mother = _adult(sim, "F", ethnicity, surname, oldest_birth, RelationshipType.MOTHER, everyone)
    mother.lives_with = rng.random() < 0.9
    mother.parental_responsibility = True
    adults = [mother]
    second_father_from = _second_father_from(sim, children)
    first_group = everyone[:second_father_from]
    if rng.random() < 0.8:
        father = _adult(sim, "M", ethnicity, surname, oldest_birth, RelationshipType.FATHER, first_group)
        father.lives_with = second_father_from == len(children) and rng.random() < 0.55
        father.parental_responsibility = rng.random() < 0.85
        adults.append(father)
        for position in first_group:
            children[position].father = 1
    if second_father_from < len(children):
        later = everyone[second_father_from:]
        partner = _adult(
            sim,
            "M",
            ethnicity,
            sim.names.surname(ethnicity),
            children[second_father_from].born_or_expected,
            RelationshipType.FATHER,
            everyone,
        )
        partner.lives_with, partner.parental_responsibility = True, True
        partner.relationship_per_child = dict.fromkeys(first_group, RelationshipType.STEP_PARENT)
        adults.append(partner)
        for position in later:
            children[position].father = len(adults) - 1
    if rng.random() < 0.12:
        grandmother = _adult(
            sim, "F", ethnicity, surname, mother.date_of_birth, RelationshipType.GRANDPARENT, everyone
        )
        grandmother.lives_with = rng.random() < 0.2
        adults.append(grandmother)
    return adults


def _second_father_from(sim: Simulation, children: list[ChildPlan]) -> int:
    """Where in the household the children of the mother's later partner begin (len(children) if none)."""
    if len(children) < 2 or sim.rng.random() >= 0.22:
        return len(children)
    return sim.rng.randint(1, len(children) - 1)


def _adult(
    sim: Simulation,
    sex: str,
    ethnicity: str,
    surname: str,
    first_birth: dt.date,
    kind: str,
    children: list[int],
) -> AdultPlan:
    rng = sim.rng
    age_at_first_birth = rng.randint(17, 40) if kind != RelationshipType.GRANDPARENT else rng.randint(36, 55)
    born = years_before(first_birth, age_at_first_birth) - dt.timedelta(days=rng.randint(0, 364))
    return AdultPlan(
        sex=sex,
        first_name=sim.names.adult_forename(sex, ethnicity),
        last_name=surname if rng.random() < 0.8 else sim.names.surname(ethnicity),
        date_of_birth=born,
        phone=f"07700 900{rng.randint(0, 999):03d}",  # Ofcom's range kept free for drama
        kind=kind,
        lives_with=False,
        parental_responsibility=False,
        children=children,
    )


def _plan_addresses(sim: Simulation, household: HouseholdPlan) -> list[tuple[county.Address, dt.date]]:
    rng = sim.rng
    area = county.choose_area(rng)
    first_move_in = years_before(household.children[0].born_or_expected, rng.randint(0, 3))
    first_move_in = min(first_move_in, household.first_contact_on)
    moved_in = rng.random() < 0.1
    first = county.address_out_of_county(rng) if moved_in else county.address_in(rng, area)
    addresses = [(first, first_move_in)]
    moves = 1 if moved_in else rng.choices((0, 1, 2), weights=(0.68, 0.24, 0.08))[0]
    for _ in range(moves):
        previous = addresses[-1][1]
        if (sim.last_day - previous).days < 30:
            break
        when = day_between(rng, previous + dt.timedelta(days=28), sim.last_day - dt.timedelta(days=1))
        area = area if rng.random() < 0.6 else county.choose_area(rng)
        addresses.append((county.address_in(rng, area), when))
    return addresses


def _plan_identifiers(
    sim: Simulation, issuer: IdentifierIssuer, child: ChildPlan, household: HouseholdPlan
) -> None:
    rng = sim.rng
    if child.date_of_birth is None:
        return
    started_school = _reception_start(child.date_of_birth)
    if started_school <= sim.last_day:
        if rng.random() < 0.96:
            child.upn = issuer.upn(started_school)
        else:
            child.upn_unknown_reason = rng.choice(("UN2", "UN3", "UN5"))
    else:
        child.upn_unknown_reason = "UN1"
    if rng.random() < 0.97:
        child.nhs_number = issuer.nhs_number()
    if rng.random() < 0.02:
        kind = rng.choice(ALIAS_KINDS)
        other_surname = sim.names.surname(child.ethnicity)
        first = (
            child.first_name if kind != "Alternative spelling" else child.first_name + child.first_name[-1]
        )
        child.aliases.append(
            (first, other_surname if kind != "Alternative spelling" else child.last_name, kind)
        )


def _reception_start(born: dt.date) -> dt.date:
    """The 1 September after the child turns four: when a school allocates the UPN."""
    year = born.year + 4 if born.month < 9 else born.year + 5
    return dt.date(year, 9, 1)


class HouseholdWriter:
    """Writes a batch of planned households: children first (for their ids), then everything that hangs off them."""

    def __init__(self, sim: Simulation, issuer: IdentifierIssuer, workforce):
        self.sim = sim
        self.issuer = issuer
        self.workforce = workforce
        self.chronology: list[ChronologyEntry] = []

    def write(self, households: list[HouseholdPlan]) -> None:
        self._children(households)
        self._people(households)
        self._addresses(households)
        self._details(households)
        self._alerts(households)
        ChronologyEntry.objects.bulk_create(self.chronology, batch_size=2000)
        self.sim.count("chronology entries", len(self.chronology))
        self.chronology = []

    def _children(self, households: list[HouseholdPlan]) -> None:
        records = []
        for household in households:
            for plan in household.children:
                plan.record = stamp(
                    self._child(plan, household.team),
                    at(plan.created_on, 9 + self.sim.rng.randint(0, 8), self.sim.rng.randint(0, 59)),
                )
                records.append(plan.record)
        Child.objects.bulk_create(records, batch_size=1000)
        self.sim.count("children", len(records))
        for household in households:
            creator = self.workforce.front_door_worker(self.sim)
            for plan in household.children:
                self._chronicle(lines.child_created(plan.record, plan.created_on, creator), creator)

    def _child(self, plan: ChildPlan, team) -> Child:
        return Child(
            la_child_id=self.issuer.la_child_id(),
            upn=plan.upn,
            upn_unknown_reason=plan.upn_unknown_reason,
            nhs_number=plan.nhs_number,
            first_name=plan.first_name,
            middle_names=plan.middle_names,
            last_name=plan.last_name,
            first_name_key=name_key(plan.first_name),
            last_name_key=name_key(plan.last_name),
            date_of_birth=plan.date_of_birth,
            expected_date_of_birth=plan.expected_date_of_birth,
            sex=plan.sex,
            ethnicity=plan.ethnicity,
            first_language=plan.first_language,
            responsible_team=team,
        )

    def _people(self, households: list[HouseholdPlan]) -> None:
        people = []
        for household in households:
            for adult in household.adults:
                adult.person = Person(
                    kind=PersonKind.FAMILY,
                    first_name=adult.first_name,
                    last_name=adult.last_name,
                    date_of_birth=adult.date_of_birth,
                    phone=adult.phone,
                )
                people.append(stamp(adult.person, at(household.first_contact_on, 10)))
        Person.objects.bulk_create(people, batch_size=1000)
        self.sim.count("people", len(people))
        relationships = [link for household in households for link in self._relationships(household)]
        Relationship.objects.bulk_create(relationships, batch_size=1000)
        self.sim.count("relationships", len(relationships))

    def _relationships(self, household: HouseholdPlan) -> list[Relationship]:
        moment = at(household.first_contact_on, 11)
        links = []
        for adult in household.adults:
            for position in adult.children:
                links.append(
                    stamp(
                        Relationship(
                            child=household.children[position].record,
                            related_person=adult.person,
                            kind=adult.relationship_per_child.get(position, adult.kind),
                            has_parental_responsibility=adult.parental_responsibility
                            and position not in adult.relationship_per_child,
                            lives_with_child=adult.lives_with,
                        ),
                        moment,
                    )
                )
        children = household.children
        for i, older in enumerate(children):
            for younger in children[i + 1 :]:
                kind = (
                    RelationshipType.SIBLING
                    if older.father == younger.father
                    else RelationshipType.HALF_SIBLING
                )
                for one, other in ((older, younger), (younger, older)):  # both ways, as relationship_add does
                    links.append(
                        stamp(
                            Relationship(
                                child=one.record, related_child=other.record, kind=kind, lives_with_child=True
                            ),
                            moment,
                        )
                    )
        return links

    def _addresses(self, households: list[HouseholdPlan]) -> None:
        rows: list[tuple[ChildAddress, bool]] = []
        for household in households:
            for plan in household.children:
                rows.extend(self._child_addresses(household, plan))
        ChildAddress.objects.bulk_create([address for address, _ in rows], batch_size=1000)
        self.sim.count("addresses", len(rows))
        for address, is_move in rows:
            self._chronicle(lines.address_moved_in(address, is_move=is_move), None)

    def _child_addresses(self, household: HouseholdPlan, plan: ChildPlan) -> list[tuple[ChildAddress, bool]]:
        start = plan.date_of_birth or plan.created_on
        rows = []
        for index, (address, moved_in_on) in enumerate(household.addresses):
            following = household.addresses[index + 1][1] if index + 1 < len(household.addresses) else None
            moved_out_on = following - dt.timedelta(days=1) if following else None
            child_moved_in = max(moved_in_on, start)
            if moved_out_on is not None and moved_out_on < child_moved_in:
                continue
            row = ChildAddress(
                child=plan.record,
                line_1=address.line_1,
                line_2=address.line_2,
                town=address.town,
                postcode=format_postcode(address.postcode),
                postcode_key=postcode_key(address.postcode),
                moved_in_on=child_moved_in,
                moved_out_on=moved_out_on,
            )
            recorded = max(child_moved_in, plan.created_on)
            rows.append((stamp(row, at(recorded, 12)), bool(rows)))
        return rows

    def _details(self, households: list[HouseholdPlan]) -> None:
        disabilities, aliases = [], []
        for household in households:
            known_to_services = household.casework != Casework.CONTACT_ONLY
            for plan in household.children:
                codes = plan.disabilities or (["NONE"] if known_to_services and plan.date_of_birth else [])
                disabilities.extend(ChildDisability(child=plan.record, code=code) for code in codes)
                for first, last, kind in plan.aliases:
                    alias = ChildAlias(
                        child=plan.record,
                        first_name=first,
                        last_name=last,
                        first_name_key=name_key(first),
                        last_name_key=name_key(last),
                        kind=kind,
                    )
                    aliases.append(stamp(alias, at(plan.created_on, 13)))
        ChildDisability.objects.bulk_create(disabilities, batch_size=1000)
        ChildAlias.objects.bulk_create(aliases, batch_size=1000)
        self.sim.count("disabilities", len(disabilities))
        self.sim.count("aliases", len(aliases))

    def _alerts(self, households: list[HouseholdPlan]) -> None:
        alerts = []
        for household in households:
            if household.casework == Casework.CONTACT_ONLY:
                continue
            for plan in household.children:
                if self.sim.rng.random() < 0.07:
                    alerts.append(self._alert(household, plan))
        Alert.objects.bulk_create(alerts, batch_size=1000)
        self.sim.count("alerts", len(alerts))
        for alert in alerts:
            self._chronicle(lines.alert_raised(alert), alert.raised_by)

    def _alert(self, household: HouseholdPlan, plan: ChildPlan) -> Alert:
        rng = self.sim.rng
        category = rng.choice(tuple(ALERT_TEXTS))
        end_of_work = household.casework_closed_on or self.sim.last_day
        raised_on = day_between(
            rng, max(plan.created_on, household.casework_opened_on or plan.created_on), end_of_work
        )
        review_on = raised_on + dt.timedelta(days=rng.choice((28, 42, 90, 90, 182)))
        ended_on = None
        if household.casework == Casework.CLOSED or rng.random() < 0.25:
            ended_on = day_between(rng, raised_on, end_of_work)
        raiser = self.workforce.front_door_worker(self.sim)
        alert = Alert(
            child=plan.record,
            category=category,
            text=rng.choice(ALERT_TEXTS[category]),
            raised_on=raised_on,
            review_on=review_on,
            ended_on=ended_on,
            raised_by=raiser,
        )
        return stamp(alert, at(raised_on, 14), at(ended_on, 15) if ended_on else None)

    def _chronicle(self, line: ChronologyLine, actor) -> None:
        """A service's line as the synthetic authority bulk-inserts it, stamped at the end of its day (not
        before the record was created)."""
        recorded_on = max(line.occurred_on, line.child.created_at.date())
        self.chronology.append(stamp(line.entry(recorded_by=actor), at(recorded_on, 17)))
