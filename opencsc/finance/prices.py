"""Default weekly prices of a placement, by kind of provider, in pounds: used where a placement has no agreed cost
recorded yet (each such placement is counted and shown) and by the synthetic authority. An authority's own agreed
costs replace them placement by placement. Each figure names its source; a figure with no national source found
for this work says ASSUMED and why.
"""

from decimal import Decimal

from opencsc.finance.codes import ProviderKind

DEFAULT_WEEKLY_PRICE: dict[str, Decimal] = {
    # PSSRU, Unit Costs of Health and Social Care 2017 (L. Curtis, PSSRU blog 19 February 2018): "the cost per child
    # per week in foster care (£646)", including allowances, administration, social workers and support staff.
    ProviderKind.IN_HOUSE_FOSTERING: Decimal("646"),
    # CMA, Children's social care market study, interim report (22 October 2021): the average weekly price of a
    # fostering placement from an independent fostering agency was about £820.
    ProviderKind.IFA: Decimal("820"),
    # DfE written answer to Parliament (2016, "Children in care", question 49075): "the average costs per resident
    # week for a local authority care home for children are around £3,000".
    ProviderKind.CHILDRENS_HOME_LA: Decimal("3000"),
    # CMA interim report (22 October 2021): the largest private providers of children's homes charged councils an
    # average of £3,830 a week per child.
    ProviderKind.CHILDRENS_HOME_PRIVATE: Decimal("3830"),
    # ASSUMED: the private homes' average above; no separate national figure for voluntary homes was found.
    ProviderKind.CHILDRENS_HOME_VOLUNTARY: Decimal("3830"),
    # Lincolnshire County Council, freedom of information answer on supported accommodation for 16-18s (November
    # 2023): average weekly cost of an independent placement £621 (lowest £260, highest £6,776). One authority's
    # figure: no national average was found.
    ProviderKind.SUPPORTED: Decimal("621"),
    # ASSUMED: twice the private children's home average. No national figure for a secure welfare bed was found; the
    # LGA's 2023 survey of councils puts most complex placements at £10,000 a week or more, secure beds below that.
    ProviderKind.SECURE: Decimal("7660"),
    # ASSUMED: the private children's home average above (a 52-week residential school place); no national figure
    # was found, and the education share of the cost is usually paid by the education budget.
    ProviderKind.RESIDENTIAL_SCHOOL: Decimal("3830"),
    # A child placed with parents costs no placement fee: support to the family is not a placement cost.
    ProviderKind.PARENTS: Decimal("0"),
    # GOV.UK national minimum fostering allowance for England outside London and the South East, 6 April 2025 to
    # 5 April 2026, age 11 to 15: £220 a week (connected carers are paid at least the allowance).
    ProviderKind.CONNECTED_CARERS: Decimal("220"),
}

# The highest weekly cost accepted. The LGA's survey of councils (reported December 2023) found the most expensive
# placement in England at £63,000 a week; anything above this ceiling is almost certainly a yearly or monthly
# figure typed as weekly.
HIGHEST_WEEKLY_COST = Decimal("75000")
