"""Children, plans and API clients for the API's tests."""

import datetime as dt

from opencsc.api.services import api_client_create
from opencsc.casework.models import Allocation, ChildProtectionPlan
from opencsc.people import services as people_services


def nhs_number(first_nine: str) -> str:
    """A valid NHS number from nine digits (modulus 11), or the next nine-digit run that gives one."""
    number = int(first_nine)
    while True:
        digits = f"{number:09d}"
        check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check != 10:
            return f"{digits}{0 if check == 11 else check}"
        number += 1


def child_with_plan(
    *, actor, team, worker=None, nhs: str, restricted: bool = False, plan_from=dt.date(2025, 9, 1)
):
    child = people_services.child_create(
        actor=actor,
        first_name="Zephyrine",
        last_name="Quillfeather",
        date_of_birth=dt.date(2016, 4, 9),
        sex="F",
        nhs_number=nhs,
        team=team,
    )
    if plan_from is not None:
        ChildProtectionPlan.objects.create(
            child=child, started_on=plan_from, initial_category="PHY", latest_category="PHY"
        )
    if worker is not None:
        Allocation.objects.create(child=child, worker=worker, team=team, started_on=dt.date(2025, 8, 1))
    if restricted:
        child.is_restricted = True
        child.save(update_fields=["is_restricted"])
    return child


def issued(admin, *scopes: str, rate: int = 1000, name: str = "Shire Hospitals CP-IS"):
    return api_client_create(
        actor=admin,
        name=name,
        organisation="Shire Hospitals NHS Trust",
        contact_email="interop@hospitals.example",
        scopes=list(scopes),
        rate_limit_per_minute=rate,
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
