"""The national comparators for the workforce rates: England, 30 September 2023 (DfE, Children's social work
workforce, csww_indicators_2017_to_2023; research/domain.md §2.4)."""

NATIONAL_2023 = {
    "source": "DfE children's social work workforce, England, 30 September 2023",
    "turnover_rate": 15.9,
    "agency_rate": 17.8,
    "vacancy_rate": 18.9,
    "caseload_per_fte": 16.0,
}
