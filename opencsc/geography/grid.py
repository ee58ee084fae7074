"""Irish Grid to British National Grid, for distances between Northern Ireland and Great Britain.

The ONS postcode data gives Northern Ireland postcodes on the Irish Grid and every other postcode on the
British National Grid, so the two cannot be subtracted directly. This converts an Irish Grid point to
latitude and longitude (Transverse Mercator on the Airy Modified ellipsoid) and projects it onto the National
Grid (Airy 1830). The small shift between the Ireland 1965 and OSGB36 datums (tens of metres) is ignored:
that is far below the tenth of a mile the distance is reported to.

Formulae: Ordnance Survey, "A guide to coordinate systems in Great Britain", annex C (Transverse Mercator).
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class _Projection:
    a: float  # semi-major axis, metres
    b: float  # semi-minor axis, metres
    f0: float  # central meridian scale factor
    lat0: float  # true origin, radians
    lon0: float
    e0: float  # false origin, metres
    n0: float


BRITISH_NATIONAL_GRID = _Projection(
    6377563.396, 6356256.909, 0.9996012717, math.radians(49), math.radians(-2), 400000, -100000
)
IRISH_GRID = _Projection(
    6377340.189, 6356034.447, 1.000035, math.radians(53.5), math.radians(-8), 200000, 250000
)


def _meridional_arc(p: _Projection, lat: float) -> float:
    n = (p.a - p.b) / (p.a + p.b)
    d, s = lat - p.lat0, lat + p.lat0
    return (
        p.b
        * p.f0
        * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n**3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def _radii(p: _Projection, lat: float) -> tuple[float, float, float]:
    e2 = 1 - (p.b / p.a) ** 2
    s2 = 1 - e2 * math.sin(lat) ** 2
    nu = p.a * p.f0 / math.sqrt(s2)
    rho = p.a * p.f0 * (1 - e2) / s2**1.5
    return nu, rho, nu / rho - 1


def to_lat_lon(p: _Projection, easting: float, northing: float) -> tuple[float, float]:
    """Grid point to (latitude, longitude) in radians on the projection's own ellipsoid."""
    lat = (northing - p.n0) / (p.a * p.f0) + p.lat0
    m = _meridional_arc(p, lat)
    while abs(northing - p.n0 - m) >= 0.00001:
        lat += (northing - p.n0 - m) / (p.a * p.f0)
        m = _meridional_arc(p, lat)
    nu, rho, eta2 = _radii(p, lat)
    t = math.tan(lat)
    sec = 1 / math.cos(lat)
    de = easting - p.e0
    vii = t / (2 * rho * nu)
    viii = t / (24 * rho * nu**3) * (5 + 3 * t**2 + eta2 - 9 * t**2 * eta2)
    ix = t / (720 * rho * nu**5) * (61 + 90 * t**2 + 45 * t**4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * t**2)
    xii = sec / (120 * nu**5) * (5 + 28 * t**2 + 24 * t**4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * t**2 + 1320 * t**4 + 720 * t**6)
    return (
        lat - vii * de**2 + viii * de**4 - ix * de**6,
        p.lon0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7,
    )


def to_grid(p: _Projection, lat: float, lon: float) -> tuple[float, float]:
    """(latitude, longitude) in radians to a grid point on the projection."""
    nu, rho, eta2 = _radii(p, lat)
    s, c, t = math.sin(lat), math.cos(lat), math.tan(lat)
    dl = lon - p.lon0
    i = _meridional_arc(p, lat) + p.n0
    ii = nu / 2 * s * c
    iii = nu / 24 * s * c**3 * (5 - t**2 + 9 * eta2)
    iiia = nu / 720 * s * c**5 * (61 - 58 * t**2 + t**4)
    iv = nu * c
    v = nu / 6 * c**3 * (nu / rho - t**2)
    vi = nu / 120 * c**5 * (5 - 18 * t**2 + t**4 + 14 * eta2 - 58 * t**2 * eta2)
    return (
        p.e0 + iv * dl + v * dl**3 + vi * dl**5,
        i + ii * dl**2 + iii * dl**4 + iiia * dl**6,
    )


def irish_to_british_grid(easting: float, northing: float) -> tuple[float, float]:
    """An Irish Grid point expressed on the British National Grid (to within tens of metres)."""
    lat, lon = to_lat_lon(IRISH_GRID, easting, northing)
    return to_grid(BRITISH_NATIONAL_GRID, lat, lon)
