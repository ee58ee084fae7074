"""What each KPI of design.md is called, what it counts, and the default target leaders measure it against.

The definitions are design.md's, in words a board member reads; `opencsc.insight.kpis` computes them (ADR 0004).
Defaults are starting points an authority changes on the targets page (`KpiTarget`); a KPI with no sensible
target (a volume such as the number of referrals) has none and shows no red, amber or green.
"""

from dataclasses import dataclass
from decimal import Decimal

HIGHER, LOWER = "higher", "lower"

# The amber band: how far on the wrong side of the target a KPI may be before it is red. Rates: 5 percentage
# points; counts: 10% of the target.
AMBER_POINTS = Decimal("5")
AMBER_SHARE_OF_COUNT_TARGET = Decimal("0.10")


@dataclass(frozen=True)
class KpiInfo:
    id: str
    title: str
    definition: str
    is_rate: bool
    is_snapshot: bool  # taken on the last day of the period, rather than counted over it
    group: str
    default_target: Decimal | None = None
    default_direction: str = HIGHER

    @property
    def unit(self) -> str:
        return "%" if self.is_rate else ""


def _info(kpi_id, title, definition, *, rate=False, snapshot=False, group, target=None, direction=HIGHER):
    target = None if target is None else Decimal(str(target))
    return KpiInfo(kpi_id, title, definition, rate, snapshot, group, target, direction)


CATALOGUE: dict[str, KpiInfo] = {
    info.id: info
    for info in [
        _info("referrals", "Referrals", "Referrals with a referral date in the period.", group="Front door"),
        _info(
            "rereferral_rate_12m",
            "Re-referrals within 12 months",
            "% of those referrals whose child had an earlier referral dated within the 12 months before (on or "
            "after the same calendar date one year earlier).",
            rate=True,
            group="Front door",
            target=20,
            direction=LOWER,
        ),
        _info(
            "referral_nfa_rate",
            "Referrals with no further action",
            "% of those referrals recorded as no further action.",
            rate=True,
            group="Front door",
            target=10,
            direction=LOWER,
        ),
        _info(
            "assessments_completed",
            "Assessments completed",
            "Assessments authorised in the period.",
            group="Assessment and child protection",
        ),
        _info(
            "assessments_within_45wd_rate",
            "Assessments within 45 working days",
            "% of those authorised within 45 working days of their start date.",
            rate=True,
            group="Assessment and child protection",
            target=85,
        ),
        _info(
            "s47_started",
            "Section 47 enquiries started",
            "Section 47 enquiries started in the period.",
            group="Assessment and child protection",
        ),
        _info(
            "icpc_held",
            "Initial conferences held",
            "Initial child protection conferences held in the period.",
            group="Assessment and child protection",
        ),
        _info(
            "icpc_within_15wd_rate",
            "Initial conferences within 15 working days",
            "% of those held within 15 working days of the start of the section 47 enquiry that led to them "
            "(a conference recorded without its enquiry is left out of both sides).",
            rate=True,
            group="Assessment and child protection",
            target=80,
        ),
        _info(
            "cpp_started",
            "Child protection plans started",
            "Child protection plans started in the period.",
            group="Assessment and child protection",
        ),
        _info(
            "cpp_second_or_subsequent_rate",
            "Second or subsequent plans",
            "% of those where the child had an earlier plan (recorded here or given as a previous-plan count "
            "above 0).",
            rate=True,
            group="Assessment and child protection",
            target=20,
            direction=LOWER,
        ),
        _info(
            "cpp_ended",
            "Child protection plans ended",
            "Child protection plans ended in the period.",
            group="Assessment and child protection",
        ),
        _info(
            "cpp_ended_2y_plus_rate",
            "Plans ended after 2 years or more",
            "% of those that lasted 2 years or more (end date on or after the start date's second anniversary).",
            rate=True,
            group="Assessment and child protection",
            target=4,
            direction=LOWER,
        ),
        _info(
            "cin_at_year_end",
            "Children in need",
            "Children with an open children-in-need episode on the last day of the period.",
            snapshot=True,
            group="Children on the last day",
        ),
        _info(
            "cpp_at_year_end",
            "Children on a protection plan",
            "Children on a child protection plan on the last day of the period.",
            snapshot=True,
            group="Children on the last day",
        ),
        _info(
            "cla_at_year_end",
            "Children looked after",
            "Children looked after on the last day of the period, short-break legal statuses V3 and V4 left out.",
            snapshot=True,
            group="Children on the last day",
        ),
        _info(
            "cla_3plus_placements_rate",
            "Looked after: 3 or more placements",
            "% of children looked after on the last day with 3 or more placements in the period: the one open "
            "on its first day plus each episode starting in it with reason S, P, B, T or U.",
            rate=True,
            snapshot=True,
            group="Children on the last day",
            target=10,
            direction=LOWER,
        ),
        _info(
            "cla_placed_outside_la_rate",
            "Looked after: placed outside the authority",
            "% of children looked after on the last day whose placement postcode lies outside the authority "
            "(unknown locations left out of both sides).",
            rate=True,
            snapshot=True,
            group="Children on the last day",
            target=30,
            direction=LOWER,
        ),
        _info(
            "cla_placed_20mi_plus_rate",
            "Looked after: placed more than 20 miles from home",
            "% of children looked after on the last day placed more than 20 miles from home (straight line "
            "between postcode centroids; unknown postcodes left out of both sides).",
            rate=True,
            snapshot=True,
            group="Children on the last day",
            target=20,
            direction=LOWER,
        ),
        _info(
            "unallocated_statutory",
            "Children with statutory work and no worker",
            "Children on the last day with an open assessment, section 47 enquiry, protection plan or "
            "looked-after episode and no allocated social worker.",
            snapshot=True,
            group="Children on the last day",
            target=0,
            direction=LOWER,
        ),
    ]
}


# The three lists behind a rate: children counted in the numerator, children with a record in the denominator
# that was not counted, and every child in the denominator. Worded per KPI where the generic words would mislead.
GENERIC_PARTS = {
    "numerator": "Counted in the rate",
    "missed": "Not counted in the rate",
    "denominator": "Everyone the rate is taken over",
}
PART_LABELS: dict[str, dict[str, str]] = {
    "rereferral_rate_12m": {"numerator": "Re-referred within 12 months", "missed": "Not re-referred"},
    "referral_nfa_rate": {"numerator": "No further action", "missed": "Further action"},
    "assessments_within_45wd_rate": {
        "numerator": "Assessed within 45 working days",
        "missed": "Late: assessed after 45 working days",
    },
    "icpc_within_15wd_rate": {
        "numerator": "Conference within 15 working days",
        "missed": "Late: conference after 15 working days",
    },
    "cpp_second_or_subsequent_rate": {"numerator": "Second or later plan", "missed": "First plan"},
    "cpp_ended_2y_plus_rate": {"numerator": "Plan lasted 2 years or more", "missed": "Plan under 2 years"},
    "cla_3plus_placements_rate": {"numerator": "3 or more placements", "missed": "Fewer than 3 placements"},
    "cla_placed_outside_la_rate": {"numerator": "Placed outside", "missed": "Placed inside"},
    "cla_placed_20mi_plus_rate": {"numerator": "More than 20 miles from home", "missed": "20 miles or less"},
}


def part_label(kpi_id: str, part: str) -> str:
    if not CATALOGUE[kpi_id].is_rate:
        return "Children counted"
    return PART_LABELS.get(kpi_id, {}).get(part, GENERIC_PARTS[part])
