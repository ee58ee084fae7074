"""The synthetic county: a Buckinghamshire-like authority of about 550,000 people.

Each area lists the real outward postcodes that cover it and its share of the population; children are housed
in proportion to population, with a tilt towards the larger towns, where more families are known to services.
"""

import random
from dataclasses import dataclass

from opencsc.synthetic.randomness import cumulative

COUNTY_POPULATION = 550_000
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # Royal Mail never uses C, I, K, M, O or V in the inward code


@dataclass(frozen=True)
class Area:
    town: str
    outward_codes: tuple[str, ...]
    population: int
    demand: float = 1.0  # relative rate of contact with children's services
    places: tuple[str, ...] = ()  # the villages an area of villages is made of


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
    Area("Milton Keynes", ("MK9", "MK6", "MK13"), 0),
    Area("Slough", ("SL1", "SL3"), 0),
    Area("Thame", ("OX9",), 0),
    Area("Leighton Buzzard", ("LU7",), 0),
    Area("Hemel Hempstead", ("HP1", "HP2"), 0),
    Area("Reading", ("RG1", "RG30"), 0),
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
    """A postcode in the UK shape, like 'HP19 8FF', with a real outward code for the area."""
    outward = rng.choice(area.outward_codes)
    inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    return f"{outward} {inward}"


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
