"""Hand-built staff, posts and allocations for the workforce tests."""

import datetime as dt
import itertools
from decimal import Decimal

from opencsc.casework.models import Allocation
from opencsc.people.models import Child
from opencsc.workforce.codes import ContractType, OrgRole, ReasonLeave
from opencsc.workforce.models import Post, StaffRecord

D = dt.date
_numbers = itertools.count(1)
LONG_AGO = D(2015, 1, 1)
JANUARY_2022 = D(2022, 1, 1)


def staff(
    team, *, start: dt.date, contract=ContractType.PERMANENT, fte="1", leaving=None, user=None, **fields
):
    number = next(_numbers)
    fields.setdefault("org_role", OrgRole.CASE_HOLDER)
    return StaffRecord.objects.create(
        team=team,
        user=user,
        first_name=fields.pop("first_name", f"Worker{number}"),
        last_name=fields.pop("last_name", "Tester"),
        job_title=fields.pop("job_title", "Social worker"),
        contract=contract,
        agency_name="Locum Partners" if contract == ContractType.AGENCY else "",
        fte=Decimal(fte),
        swe_number=fields.pop("swe_number", f"SW{100000 + number}") if fields["org_role"] else "",
        start_date=start,
        leaving_date=leaving,
        leaving_reason=ReasonLeave.RESIGNATION if leaving else "",
        **fields,
    )


def post(team, fte, *, start=LONG_AGO, until=None, org_role=OrgRole.CASE_HOLDER):
    return Post.objects.create(
        team=team,
        title="Social worker",
        org_role=org_role,
        funded_fte=Decimal(fte),
        funded_from=start,
        funded_until=until,
    )


def allocate(worker, team, count: int, *, started=JANUARY_2022, ended=None) -> None:
    for _ in range(count):
        number = next(_numbers)
        child = Child.objects.create(
            la_child_id=f"W{number:06d}",
            first_name=f"Child{number}",
            last_name="Tester",
            first_name_key=f"child{number}",
            last_name_key="tester",
            date_of_birth=D(2015, 1, 1),
            sex="F",
            responsible_team=team,
        )
        Allocation.objects.create(child=child, worker=worker, team=team, started_on=started, ended_on=ended)
