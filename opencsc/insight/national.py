"""National comparators for the KPIs: England's figure, its year and its source.

Figures are from the DfE's Explore Education Statistics releases, as recorded in the project's research
(research/domain.md §2.4 and research/analytics.md §4). Only like-for-like measures are compared; where the
published measure differs from ours, the note says how, and where none was retrieved there is no comparator.
Update these when a new release is published (the CIN and CLA years end 31 March, the workforce year 30 September).
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Comparator:
    value: Decimal
    year: str
    source: str
    note: str = ""
    unit: str = "%"

    @property
    def label(self) -> str:
        return f"{self.value}{self.unit}"


CIN_2025 = "DfE, Children in need, reporting year 2025"
CLA_2025 = "DfE, Children looked after in England including adoptions, reporting year 2025"
WORKFORCE_2023 = "DfE, Children's social work workforce, reporting year 2023 (csww indicators)"

NATIONAL: dict[str, Comparator] = {
    "rereferral_rate_12m": Comparator(
        Decimal("22.6"),
        "year to 31 March 2025",
        f"{CIN_2025}: C1 Referrals and re-referrals",
        "England 2024 was 22% (Children in need: a focus on re-referrals, 2024).",
    ),
    "referral_nfa_rate": Comparator(
        Decimal("6.5"), "year to 31 March 2025", f"{CIN_2025}: C1 Referrals and re-referrals"
    ),
    "assessments_within_45wd_rate": Comparator(
        Decimal("85.7"),
        "year to 31 March 2025",
        f"{CIN_2025}: C2 Completed assessments by duration",
        "Summed from the published duration bands (555,820 of 648,830).",
    ),
    "cpp_ended_2y_plus_rate": Comparator(
        Decimal("4.4"),
        "year to 31 March 2025",
        f"{CIN_2025}: D7 Child protection plans ending during the year by duration",
    ),
    "cla_placed_outside_la_rate": Comparator(
        Decimal("36"),
        "year to 31 March 2025",
        f"{CLA_2025}: CLA during the year, characteristics",
        "Not like for like: England's figure is for new placements in the year; ours is every child looked "
        "after on the day.",
    ),
    "cla_placed_20mi_plus_rate": Comparator(
        Decimal("21"),
        "year to 31 March 2025",
        f"{CLA_2025}: CLA during the year, characteristics",
        "Not like for like: England's figure is for new placements in the year; ours is every child looked "
        "after on the day.",
    ),
}

# Workforce comparators (the workforce panel): England at 30 September 2023.
NATIONAL_WORKFORCE: dict[str, Comparator] = {
    "turnover_rate": Comparator(Decimal("15.9"), "30 September 2023", WORKFORCE_2023),
    "agency_rate": Comparator(Decimal("17.8"), "30 September 2023", WORKFORCE_2023),
    "vacancy_rate": Comparator(Decimal("18.9"), "30 September 2023", WORKFORCE_2023),
    "caseload_per_fte": Comparator(
        Decimal("16.0"), "30 September 2023", WORKFORCE_2023, "Per case-holding FTE.", unit=""
    ),
}

# Measures that have no comparator, and why (shown beside the KPI).
NO_COMPARATOR_REASON: dict[str, str] = {
    "cla_3plus_placements_rate": "England's '3 or more placements in the year' was not retrieved; the 2024 "
    "stability figure (23%) counts 3 or more placements in 2 years for children looked after 2 years or more.",
    "cpp_second_or_subsequent_rate": "England's figure (Characteristics of children in need, table D3) was not "
    "retrieved.",
}
