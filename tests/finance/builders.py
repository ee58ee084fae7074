"""Children, episodes and providers for the finance tests."""

import datetime as dt

from opencsc.finance import services
from opencsc.finance.codes import ProviderKind, PurchaseRoute
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child


def child(n: int, born: dt.date = dt.date(2012, 6, 1), restricted: bool = False) -> Child:
    return Child.objects.create(
        la_child_id=f"M{n:05d}",
        first_name=f"Penny{n}",
        last_name="Budget",
        first_name_key=f"penny{n}",
        last_name_key="budget",
        date_of_birth=born,
        sex="F",
        is_restricted=restricted,
    )


def episode(kid, start, end=None, *, rne="S", place="U6", provider="PR1", ls="C2", rec="") -> Episode:
    return Episode.objects.create(
        child=kid,
        started_on=start,
        ended_on=end,
        reason_new_episode=rne,
        legal_status=ls,
        category_of_need="N1",
        placement_type=place,
        placement_provider=provider,
        reason_ceased=rec or ("E13" if end else ""),
    )


def home(actor, name: str = "Orchard House", kind: str = ProviderKind.CHILDRENS_HOME_PRIVATE, urn="SC412345"):
    return services.provider_create(
        actor=actor, name=name, kind=kind, urn=urn, postcode="HP19 8FF", purchase_route=PurchaseRoute.SPOT
    )


def household(actor, name: str = "The Carers household"):
    return services.provider_create(
        actor=actor,
        name=name,
        kind=ProviderKind.IN_HOUSE_FOSTERING,
        postcode="HP19 8FF",
        purchase_route=PurchaseRoute.IN_HOUSE,
    )
