"""The synthetic county: a Buckinghamshire-like authority of about 550,000 people.

Each area lists the real outward postcodes that cover it and its share of the population; children are housed
in proportion to population, with a tilt towards the larger towns, where more families are known to services.
Postcodes are real ones from the ONS directory (`opencsc.geography`), picked from the area's outward codes and
on the right side of the county boundary, so the distance from home to a placement can be worked out.
"""

import functools
import random
from dataclasses import dataclass

from opencsc import geography
from opencsc.geography import upper_tier_code
from opencsc.synthetic.randomness import cumulative

COUNTY_POPULATION = 550_000
COUNTY_ONS_CODE = "E06000060"  # Buckinghamshire


@dataclass(frozen=True)
class Area:
    town: str
    outward_codes: tuple[str, ...]
    population: int
    demand: float = 1.0  # relative rate of contact with children's services
    places: tuple[str, ...] = ()  # the villages an area of villages is made of
    inside: bool = True  # in the county (outward codes such as SL1 and UB9 straddle the boundary)


AREAS = (
    Area("High Wycombe", ("HP11", "HP12", "HP13"), 92_000, 1.5),
    Area("Hazlemere", ("HP15",), 22_000),
    Area("Loudwater", ("HP10",), 14_000),
    Area("Stokenchurch", ("HP14",), 12_000, 0.8),
    Area("Aylesbury", ("HP19", "HP20", "HP21"), 78_000, 1.6),
    Area(
        "Aylesbury Vale villages",
        ("HP17", "HP18", "HP22"),
        46_000,
        0.8,
        ("Haddenham", "Waddesdon", "Aston Clinton", "Stoke Mandeville", "Weston Turville", "Long Crendon"),
    ),
    Area("Wendover", ("HP22",), 8_000, 0.7),
    Area("Tring Rural", ("HP23",), 6_000, 0.6, ("Buckland", "Drayton Beauchamp", "Cholesbury")),
    Area("Amersham", ("HP6", "HP7"), 26_000, 0.7),
    Area("Chesham", ("HP5",), 22_000, 1.1),
    Area("Great Missenden", ("HP16",), 11_000, 0.6),
    Area("Beaconsfield", ("HP9",), 14_000, 0.7),
    Area("Marlow", ("SL7",), 19_000, 0.8),
    Area("Gerrards Cross", ("SL9",), 24_000, 0.6),
    Area("Buckingham", ("MK18",), 31_000, 1.0),
    Area("Princes Risborough", ("HP27",), 12_000, 0.9),
    Area("Burnham and Farnham Common", ("SL1", "SL2"), 36_000, 1.1),
    Area("Iver and Denham", ("SL0", "UB9"), 27_000, 1.1),
    Area("Winslow", ("MK18",), 9_000, 0.8),
    Area(
        "North Bucks villages",
        ("MK17", "MK18"),
        41_000,
        0.7,
        ("Great Horwood", "Steeple Claydon", "Newton Longville", "Tingewick", "Maids Moreton"),
    ),
)

# Where families who moved into the county came from.
OUT_OF_COUNTY = (
    Area("Milton Keynes", ("MK9", "MK6", "MK13"), 0, inside=False),
    Area("Slough", ("SL1", "SL3"), 0, inside=False),
    Area("Thame", ("OX9",), 0, inside=False),
    Area("Leighton Buzzard", ("LU7",), 0, inside=False),
    Area("Hemel Hempstead", ("HP1", "HP2"), 0, inside=False),
    Area("Reading", ("RG1", "RG30"), 0, inside=False),
)

STREET_STEMS = (
    "Church",
    "Mill",
    "Station",
    "Victoria",
    "Queens",
    "Kings",
    "Park",
    "Meadow",
    "Orchard",
    "Beech",
    "Oak",
    "Ash",
    "Elm",
    "Chiltern",
    "Bourne",
    "Cherry",
    "Hazel",
    "Willow",
    "Walton",
    "Priory",
    "Tring",
    "Bicester",
    "Oxford",
    "London",
    "Amersham",
    "Wendover",
    "Castle",
    "Abbey",
    "Friars",
    "Desborough",
    "Totteridge",
    "Bowerdean",
    "Micklefield",
    "Cressex",
    "Bedgrove",
    "Elmhurst",
    "Quarrendon",
    "Southcourt",
    "Fairford",
    "Haydon",
    "Berryfields",
    "Kingsbrook",
    "Pond",
    "Chapel",
    "Manor",
    "Grange",
    "Farm",
    "Hill",
    "Well",
    "Windsor",
    "Lime",
    "Rowan",
    "Hawthorn",
    "Maple",
)
STREET_KINDS = ("Road", "Street", "Close", "Way", "Lane", "Avenue", "Drive", "Gardens", "Court", "Crescent")
FLAT_WORDS = ("Flat", "Apartment")


_AREA_WEIGHTS = cumulative(area.population * area.demand for area in AREAS)


@dataclass(frozen=True)
class Address:
    line_1: str
    line_2: str
    town: str
    postcode: str


def choose_area(rng: random.Random) -> Area:
    return rng.choices(AREAS, cum_weights=_AREA_WEIGHTS)[0]


def postcode_in(rng: random.Random, area: Area) -> str:
    """A real postcode, like 'HP19 8FF', in one of the area's outward codes and inside (or outside) the county.

    It takes as many numbers from `rng` as a made-up inward code (a digit and two letters) would, so the rest of
    the generated authority does not depend on how many real postcodes an outward code has.
    """
    postcodes = real_postcodes(rng.choice(area.outward_codes), area.inside)
    draw = (rng.randint(1, 9) - 1) * 400 + rng.randrange(20) * 20 + rng.randrange(20)
    return postcodes[draw % len(postcodes)]


@functools.cache
def real_postcodes(outward: str, inside: bool = True) -> tuple[str, ...]:
    """The ONS directory's postcodes in an outward code that lie inside the county (or outside it), in order."""
    found = tuple(
        location.postcode
        for location in geography.postcodes_in_outward(outward)
        if (upper_tier_code(location.laua) == COUNTY_ONS_CODE) == inside
    )
    if not found:
        raise ValueError(f"No postcodes in {outward} lie {'inside' if inside else 'outside'} the county")
    return found


def address_in(rng: random.Random, area: Area) -> Address:
    street = f"{rng.choice(STREET_STEMS)} {rng.choice(STREET_KINDS)}"
    if rng.random() < 0.18:
        line_1 = f"{rng.choice(FLAT_WORDS)} {rng.randint(1, 40)}"
        line_2 = f"{rng.randint(1, 120)} {street}"
    else:
        line_1, line_2 = f"{rng.randint(1, 180)} {street}", ""
    return Address(line_1=line_1, line_2=line_2, town=_town_name(rng, area), postcode=postcode_in(rng, area))


def _town_name(rng: random.Random, area: Area) -> str:
    return rng.choice(area.places) if area.places else area.town


def address_out_of_county(rng: random.Random) -> Address:
    return address_in(rng, rng.choice(OUT_OF_COUNTY))
