"""The upper-tier authority table against the codes the packaged ONS postcode data actually uses."""

import pytest

from opencsc.geography import authorities, grid, postcodes


def test_every_english_code_in_the_postcode_data_maps_to_an_upper_tier_authority():
    postcodes.load()
    codes = set()
    for letter in postcodes.loaded_letters():
        codes.update(postcodes._letters[letter].codes)
    english = {code for code in codes if code.startswith("E")}
    assert english, "no English codes loaded"
    unmapped = {code for code in english if authorities.upper_tier_code(code) is None}
    assert unmapped == set()
    # Every current English upper-tier authority has postcodes, and no abolished district survives.
    upper = {authorities.upper_tier_code(code) for code in english}
    assert upper == {code for code in authorities.UPPER_TIER if code.startswith("E")}
    assert english.isdisjoint(authorities.FORMER_CODES)
    for gone in ("E07000026", "E07000028", "E07000031", "E07000163", "E07000165", "E07000187", "E07000246"):
        assert gone not in english
    assert {code for code in codes if code.startswith("W")} == {
        code for code in authorities.UPPER_TIER if code.startswith("W")
    }


def test_table_shape():
    english = [code for code in authorities.UPPER_TIER if code.startswith("E")]
    assert len(english) == 153  # 63 unitaries, 36 metropolitan boroughs, 33 London boroughs, 21 counties
    assert sum(code.startswith("E10") for code in english) == 21
    assert set(authorities.COUNTY_DISTRICTS) == {code for code in english if code.startswith("E10")}
    assert authorities.UPPER_TIER["E06000063"] == "Cumberland"
    assert authorities.UPPER_TIER["E06000064"] == "Westmorland and Furness"
    assert authorities.UPPER_TIER["E06000065"] == "North Yorkshire"
    assert authorities.UPPER_TIER["E06000066"] == "Somerset"
    assert authorities.UPPER_TIER["E06000060"] == "Buckinghamshire"
    assert authorities.UPPER_TIER["E06000061"] == "North Northamptonshire"
    assert authorities.UPPER_TIER["E06000062"] == "West Northamptonshire"
    for gone in authorities.ABOLISHED:
        assert gone not in authorities.UPPER_TIER


@pytest.mark.parametrize(
    ("laua", "upper"),
    [
        ("E07000110", "E10000016"),  # Maidstone -> Kent
        ("E07000096", "E10000015"),  # Dacorum -> Hertfordshire
        ("E06000060", "E06000060"),  # Buckinghamshire is its own upper tier
        ("E09000033", "E09000033"),  # Westminster
        ("E08000016", "E08000038"),  # Barnsley's former code
        ("S12000036", "S12000036"),  # City of Edinburgh: single tier
        ("E07000028", None),  # Carlisle district, abolished 2023
        ("L99999999", None),  # Channel Islands pseudo-code
    ],
)
def test_upper_tier_code(laua, upper):
    assert authorities.upper_tier_code(laua) == upper


def test_placement_la_codes_for_the_903():
    assert authorities.placement_la_code_for("E07000110") == "E10000016"
    assert authorities.placement_la_code_for("W06000015") == "WAL"
    assert authorities.placement_la_code_for("S12000036") == "SCO"
    assert authorities.placement_la_code_for("N09000003") == "NIR"
    assert authorities.placement_la_code_for("M99999999") is None


def test_transverse_mercator_matches_the_ordnance_survey_worked_example():
    # OS "A guide to coordinate systems in Great Britain", annex C: 651409.903 E, 313177.270 N
    # is 52 39 27.2531 N, 1 43 04.5177 E on Airy 1830.
    import math

    lat, lon = grid.to_lat_lon(grid.BRITISH_NATIONAL_GRID, 651409.903, 313177.270)
    assert math.degrees(lat) == pytest.approx(52 + 39 / 60 + 27.2531 / 3600, abs=1e-7)
    assert math.degrees(lon) == pytest.approx(1 + 43 / 60 + 4.5177 / 3600, abs=1e-7)
    easting, northing = grid.to_grid(grid.BRITISH_NATIONAL_GRID, lat, lon)
    assert easting == pytest.approx(651409.903, abs=0.01)
    assert northing == pytest.approx(313177.270, abs=0.01)
