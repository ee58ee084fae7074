"""Checks for the identifiers a child can carry: UPN, NHS number and postcode."""

import re

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_POSTCODE_SHAPE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")


def upn_check_letter(body: str) -> str:
    """The check letter for characters 2-13 of a UPN (DfE: weights 2..13, sum mod 23).

    A temporary UPN ends in a letter; that letter counts as its position in the check alphabet.
    """
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char)
        total += weight * value
    return UPN_CHECK_LETTERS[total % 23]


def upn_problem(upn: str) -> str | None:
    """Why a UPN is not valid, or None if it is."""
    if not _UPN_SHAPE.match(upn):
        return "Enter a UPN of 13 characters: a letter, 11 digits, then a digit or letter"
    last = upn[-1]
    if last.isalpha() and last not in UPN_CHECK_LETTERS:
        return "The last character of a temporary UPN cannot be I, O or S"
    if upn[0] != upn_check_letter(upn[1:]):
        return "The UPN's check letter does not match its digits: check it has been copied correctly"
    return None


def nhs_number_problem(nhs_number: str) -> str | None:
    """Why an NHS number is not valid (10 digits, modulus 11 check digit), or None if it is."""
    if not re.fullmatch(r"\d{10}", nhs_number):
        return "Enter an NHS number of 10 digits"
    total = sum(int(digit) * weight for digit, weight in zip(nhs_number[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(nhs_number[9]):
        return "The NHS number's check digit is wrong: check it has been copied correctly"
    return None


def normalise_nhs_number(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw)


def postcode_key(raw: str) -> str:
    """Upper case with spaces removed: the form used for matching and prefix search."""
    return re.sub(r"\s", "", raw).upper()


def format_postcode(raw: str) -> str:
    key = postcode_key(raw)
    return f"{key[:-3]} {key[-3:]}" if len(key) > 3 else key


def postcode_problem(raw: str) -> str | None:
    if not _POSTCODE_SHAPE.match(postcode_key(raw)):
        return "Enter a full UK postcode, like HP19 8FF"
    return None


def name_key(raw: str) -> str:
    """Lower case, trimmed, inner runs of space collapsed: the form used for name search."""
    return " ".join(raw.split()).lower()
