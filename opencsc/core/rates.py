"""A rate as every OpenCSC figure gives it: a percentage rounded half up to one decimal place (12.25 -> 12.3,
as the DfE's published tables round), and None, never 0, when there is nothing to divide by, so that an empty
denominator reads "no figure" and not "none of them"."""

from decimal import ROUND_HALF_UP, Decimal


def rate(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    percent = Decimal(100 * numerator) / Decimal(denominator)
    return float(percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
