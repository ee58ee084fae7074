"""Every endpoint of the API, declared once (see `declare.py`): routes and the OpenAPI description come from here.

Handlers read through `selectors.py` and `opencsc.insight`; each look at a child is logged on the child's access
log against the client (`services.api_lookup_record`)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from opencsc.api.declare import ApiError, Call, Endpoint, Param
from opencsc.api.lookups import api_lookup_record
from opencsc.api.models import Scope
from opencsc.api.selectors import cpis_lookup, reporting_children_page
from opencsc.audit.services import record_access_log_list
from opencsc.insight import kpis
from opencsc.insight.figures import kpis_for_year, month_end_of, month_end_results
from opencsc.people.identifiers import nhs_number_problem

DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_STRING = {"type": ["string", "null"]}
MAX_PAGE_SIZE = 200


def _object(properties: dict, *, nullable: bool = False) -> dict:
    return {
        "type": ["object", "null"] if nullable else "object",
        "required": sorted(properties),
        "properties": properties,
    }


# CP-IS -------------------------------------------------------------------------------------------------------


def cpis_child(call: Call, *, nhs_number: str) -> dict:
    problem = nhs_number_problem(nhs_number)
    if problem:
        raise ApiError(400, f"nhs_number: {problem}", "nhs_number")
    lookup = cpis_lookup(nhs_number)
    with transaction.atomic():
        for child in lookup.children:
            api_lookup_record(client=call.client, child=child, path=call.path)
    return lookup.answer


CPIS_ANSWER = _object(
    {
        "nhs_number": {"type": "string"},
        "as_of": DATE,
        "child_protection_plan": _object({"start_date": DATE}, nullable=True),
        "looked_after": _object(
            {"start_date": DATE, "legal_status": {"type": "string", "description": "SSDA903 legal status"}},
            nullable=True,
        ),
        "contact": _object(
            {
                "authority": {"type": "string"},
                "phone": NULLABLE_STRING,
                "team": NULLABLE_STRING,
                "social_worker": NULLABLE_STRING,
                "email": NULLABLE_STRING,
            },
            nullable=True,
        ),
    }
)


# Reporting ---------------------------------------------------------------------------------------------------


def _kpi_values(results: dict[str, kpis.KpiResult]) -> dict:
    return {
        kpi_id: {"value": result.value, "numerator": result.numerator, "denominator": result.denominator}
        for kpi_id, result in results.items()
    }


def reporting_kpis(call: Call, *, year: int | None, month: dt.date | None) -> dict:
    today = timezone.localdate()
    if (year is None) == (month is None):
        raise ApiError(400, "year: give either year or month, not both or neither", "year")
    if month is not None:
        if month > today:
            raise ApiError(400, "month: must not be after this month", "month")
        end = month_end_of(month)
        period = kpis.twelve_months_to(end)
        results = {kpi_id: found[0] for kpi_id, found in month_end_results([end]).items()}
    else:
        if year > today.year + 1:
            raise ApiError(400, f"year: must not be after {today.year + 1}", "year")
        period = kpis.ReportingYear(year)
        results = kpis_for_year(year)
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "kpis": _kpi_values(results)}


KPI_FIGURE = _object(
    {
        "value": {"type": ["number", "null"]},
        "numerator": {"type": ["integer", "null"]},
        "denominator": {"type": ["integer", "null"]},
    }
)
KPIS_ANSWER = _object(
    {
        "start": DATE,
        "end": DATE,
        "kpis": {"type": "object", "properties": dict.fromkeys(kpis.KPIS, KPI_FIGURE)},
    }
)


def reporting_counts(call: Call, *, on: dt.date | None) -> dict:
    today = timezone.localdate()
    day = on or today
    if day > today:
        raise ApiError(400, "on: must not be in the future", "on")
    period = kpis.Period(day, day)
    return {
        "on": day.isoformat(),
        "children_in_need": kpis.cin_at_year_end(period).value,
        "child_protection_plans": kpis.cpp_at_year_end(period).value,
        "looked_after": kpis.cla_at_year_end(period).value,
        "unallocated_statutory": kpis.unallocated_statutory(period).value,
    }


COUNT = {"type": "integer", "minimum": 0}
COUNTS_ANSWER = _object(
    {
        "on": DATE,
        "children_in_need": COUNT,
        "child_protection_plans": COUNT,
        "looked_after": COUNT,
        "unallocated_statutory": COUNT,
    }
)


def reporting_children(call: Call, *, page: int, page_size: int) -> dict:
    total, rows = reporting_children_page(page=page, page_size=page_size)
    record_access_log_list(
        user=None, child_ids=[row["id"] for row in rows], path=call.path, api_client=call.client
    )
    return {
        "page": page,
        "page_size": page_size,
        "total": total,
        "next_page": page + 1 if page * page_size < total else None,
        "results": rows,
    }


CHILD_ROW = _object(
    {
        "id": {"type": "integer"},
        "la_child_id": {"type": "string"},
        "date_of_birth": NULLABLE_DATE,
        "sex": {"type": "string", "enum": ["M", "F", "U"]},
        "ethnicity": {"type": "string"},
        "responsible_team": NULLABLE_STRING,
        "allocated": {"type": "boolean"},
        "child_protection_plan_start": NULLABLE_DATE,
        "looked_after_start": NULLABLE_DATE,
    }
)
CHILDREN_ANSWER = _object(
    {
        "page": {"type": "integer"},
        "page_size": {"type": "integer"},
        "total": COUNT,
        "next_page": {"type": ["integer", "null"]},
        "results": {"type": "array", "items": CHILD_ROW},
    }
)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        name="cpis_child",
        path="/api/v1/cpis/children/{nhs_number}",
        scope=Scope.CPIS_LOOKUP,
        summary="Is this child on a child protection plan or looked after?",
        description=(
            "In the manner of CP-IS: today's child protection plan and looked-after status of the child with this "
            "NHS number, the dates, and whom to contact. A child not known and a child on neither get the same "
            "answer (both null). Never a name. The lookup shows on the child's record and is sent to the "
            "allocated social worker."
        ),
        params=(
            Param(
                "nhs_number",
                "string",
                "The child's NHS number: 10 digits, the last a modulus 11 check digit",
                where="path",
                required=True,
                pattern=r"\d{10}",
            ),
        ),
        response=CPIS_ANSWER,
        handler=cpis_child,
    ),
    Endpoint(
        name="reporting_kpis",
        path="/api/v1/reporting/kpis",
        scope=Scope.REPORTING_AGGREGATES,
        summary="Every KPI for a reporting year or the 12 months to a month's end",
        description=(
            "The KPIs of the leadership dashboard (definitions in design.md), as `opencsc kpis` gives them: for "
            "reporting year `year` (1 April year-1 to 31 March year) or the 12 months to the end of `month`. "
            "Give one of the two. Rates are percentages to one decimal place; an empty denominator gives null."
        ),
        params=(
            Param(
                "year",
                "integer",
                "Reporting year, e.g. 2026 for April 2025 to March 2026",
                minimum=2000,
                maximum=2100,
            ),
            Param("month", "month", "A month, YYYY-MM: the 12 months to its last day"),
        ),
        response=KPIS_ANSWER,
        handler=reporting_kpis,
    ),
    Endpoint(
        name="reporting_counts",
        path="/api/v1/reporting/counts",
        scope=Scope.REPORTING_AGGREGATES,
        summary="Children by status on a day",
        description=(
            "Children in need, on a child protection plan, looked after (short breaks excluded) and with "
            "statutory work but no allocated social worker, on day `on` (default today)."
        ),
        params=(Param("on", "date", "The day, YYYY-MM-DD (default today)"),),
        response=COUNTS_ANSWER,
        handler=reporting_counts,
    ),
    Endpoint(
        name="reporting_children",
        path="/api/v1/reporting/children",
        scope=Scope.REPORTING_RECORDS,
        summary="Children's records, a page at a time",
        description=(
            "The authority's children by id, without names; a restricted record is never listed. Each child on "
            "the page is logged on its access log against the client."
        ),
        params=(
            Param("page", "integer", "Page number, from 1", default=1, minimum=1, maximum=1_000_000),
            Param("page_size", "integer", "Children a page", default=50, minimum=1, maximum=MAX_PAGE_SIZE),
        ),
        response=CHILDREN_ANSWER,
        handler=reporting_children,
    ),
)
