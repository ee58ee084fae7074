"""UPN, NHS number and postcode checks.

Published anchors for the UPN rule (values only, checked against our own implementation):
- "H801200001001" (permanent) and "G80120000101A" (temporary) are the worked examples in the DfE's
  "Unique Pupil Numbers (UPNs): guidance", quoted as valid in the DfE's own multiplication-tables-check
  test suite (DFEAGILEDEVOPS/MTC, pupil validator spec); "Z801200001001" is its wrong-check-letter example.
- "A950000178301" and "H243278544154" pass, "R247962919251" and "X428558133462" fail, in the test data of
  CIN rule 1510 "UPN invalid (wrong check letter at character 1)" in SocialFinanceDigitalLabs/csc-validator-be-cin.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsc.people.identifiers import (
    UPN_CHECK_LETTERS,
    format_postcode,
    nhs_number_problem,
    normalise_nhs_number,
    postcode_key,
    postcode_problem,
    upn_check_letter,
    upn_problem,
)

# --- UPN ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("upn", ["H801200001001", "A950000178301", "H243278544154"])
def test_published_permanent_upns_are_valid(upn):
    assert upn_problem(upn) is None


def test_published_temporary_upn_is_valid():
    assert upn_problem("G80120000101A") is None


@pytest.mark.parametrize("upn", ["Z801200001001", "R247962919251", "X428558133462"])
def test_published_upns_with_the_wrong_check_letter_are_refused(upn):
    assert "check letter" in upn_problem(upn)


def test_check_letter_worked_by_hand():
    # H801200001001: 8*2 + 0*3 + 1*4 + 2*5 + 0*6 + 0*7 + 0*8 + 0*9 + 1*10 + 0*11 + 0*12 + 1*13 = 53
    # 53 mod 23 = 7, and the 8th letter of ABCDEFGHJKLMNPQRTUVWXYZ (I, O and S left out) is H.
    assert sum(int(d) * w for d, w in zip("801200001001", range(2, 14), strict=True)) == 53
    assert UPN_CHECK_LETTERS[7] == "H"
    assert upn_check_letter("801200001001") == "H"


def test_check_alphabet_has_23_letters_without_i_o_s():
    assert len(UPN_CHECK_LETTERS) == 23
    assert not set("IOS") & set(UPN_CHECK_LETTERS)


def test_temporary_upn_letter_counts_as_its_place_in_the_check_alphabet():
    # The final A counts as 0, so the check letter is the one for the body ending in 0.
    assert upn_check_letter("80120000101A") == upn_check_letter("801200001010")
    # ...and a final B counts as 1: 13 more in the sum.
    total_with_zero = sum(int(d) * w for d, w in zip("801200001010", range(2, 14), strict=True))
    assert upn_check_letter("80120000101B") == UPN_CHECK_LETTERS[(total_with_zero + 13) % 23]


@pytest.mark.parametrize("last", ["I", "O", "S"])
def test_temporary_upn_cannot_end_in_i_o_or_s(last):
    assert "cannot be I, O or S" in upn_problem("G80120000101" + last)


@pytest.mark.parametrize(
    "upn",
    [
        "",
        "H80120000100",
        "H8012000010011",
        "180120000100A",
        "H8012000A1001",
        "h801200001001",
        "H801 00001001",
    ],
)
def test_upn_of_the_wrong_shape_is_refused(upn):
    assert upn_problem(upn) == "Enter a UPN of 13 characters: a letter, 11 digits, then a digit or letter"


bodies = st.text(alphabet="0123456789", min_size=12, max_size=12)
temporary_bodies = st.builds(
    lambda digits, letter: digits + letter,
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.sampled_from(UPN_CHECK_LETTERS),
)


@given(body=bodies)
def test_any_12_digit_body_with_its_check_letter_is_valid(body):
    assert upn_problem(upn_check_letter(body) + body) is None


@given(body=temporary_bodies)
def test_any_temporary_body_with_its_check_letter_is_valid(body):
    assert upn_problem(upn_check_letter(body) + body) is None


@given(body=bodies, position=st.integers(min_value=0, max_value=11), shift=st.integers(1, 9))
def test_changing_one_digit_breaks_the_check(body, position, shift):
    upn = upn_check_letter(body) + body
    changed_digit = str((int(body[position]) + shift) % 10)
    tampered = upn[: position + 1] + changed_digit + upn[position + 2 :]
    # Weights 2..13 are all below 23 (a prime), so any single-digit change moves the sum mod 23.
    assert upn_problem(tampered) is not None


@given(body=bodies, wrong=st.sampled_from(UPN_CHECK_LETTERS))
def test_any_other_check_letter_is_refused(body, wrong):
    if wrong != upn_check_letter(body):
        assert upn_problem(wrong + body) is not None


# --- NHS number -------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["9434765919", "9434765870", "4010232137"])
def test_valid_nhs_numbers(number):
    assert nhs_number_problem(number) is None


def test_nhs_modulus_11_worked_by_hand():
    # 9434765919: 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 mod 11 = 2; 11 - 2 = 9.
    assert sum(int(d) * w for d, w in zip("943476591", range(10, 1, -1), strict=True)) == 299
    assert nhs_number_problem("9434765919") is None
    assert "check digit" in nhs_number_problem("9434765918")


def test_nhs_number_whose_check_digit_would_be_10_is_never_valid():
    # 1000000010 style: find a nine-digit stem whose remainder makes the check 10; no final digit can pass.
    stem = "000000006"  # 6*2 = 12, 12 mod 11 = 1, 11 - 1 = 10
    for last in "0123456789":
        assert nhs_number_problem(stem + last) is not None


def test_nhs_number_check_of_11_means_zero():
    stem = "000000000"  # sum 0, 11 - 0 = 11, which counts as 0
    assert nhs_number_problem(stem + "0") is None
    assert nhs_number_problem(stem + "1") is not None


@pytest.mark.parametrize("number", ["", "943476591", "94347659190", "943476591X", "943 476 5919"])
def test_nhs_number_of_the_wrong_shape(number):
    assert nhs_number_problem(number) == "Enter an NHS number of 10 digits"


def test_nhs_number_spaces_and_dashes_are_removed_before_the_check():
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert normalise_nhs_number("943-476-5919") == "9434765919"


@given(stem=st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_final_digit_passes_unless_the_check_is_10(stem):
    passing = [d for d in "0123456789" if nhs_number_problem(stem + d) is None]
    total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
    assert len(passing) == (0 if 11 - total % 11 == 10 else 1)


# --- Postcode ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, formatted",
    [
        ("HP19 8FF", "HP19 8FF"),
        ("hp198ff", "HP19 8FF"),
        ("  hp19   8ff ", "HP19 8FF"),
        ("M1 1AE", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
    ],
)
def test_postcodes_of_every_outward_shape_are_accepted_and_formatted(raw, formatted):
    assert postcode_problem(raw) is None
    assert format_postcode(raw) == formatted
    assert postcode_key(raw) == formatted.replace(" ", "")


@pytest.mark.parametrize(
    "raw", ["", "HP19", "HP19 8F", "1P19 8FF", "HP19 FFF", "HPP19 8FF", "HP19 8FF1", "ZZ"]
)
def test_incomplete_or_misshapen_postcodes_are_refused(raw):
    assert postcode_problem(raw) == "Enter a full UK postcode, like HP19 8FF"
