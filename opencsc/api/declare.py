"""Typed endpoint declarations: each endpoint of the API is one `Endpoint` value (path, scope, parameters, the
shape of its answer, the function that answers), and both the URL routes and the OpenAPI 3.1 description
(`openapi.py`) are generated from these values, so the description cannot drift from the code.

Parameters are checked here before any handler runs: a value of the wrong shape or out of range is refused with
400 and a message naming the parameter. Unknown query parameters are ignored."""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from opencsc.api.models import ApiClient, Scope

Kind = Literal["integer", "string", "date", "month"]
FIRST_YEAR = 2000
LAST_YEAR = 2100


class ApiError(Exception):
    """A refusal with its status, a message for the partner's developer and the parameter at fault."""

    def __init__(self, status: int, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    description: str
    where: Literal["query", "path"] = "query"
    required: bool = False
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None  # strings: the whole value must match

    def schema(self) -> dict:
        if self.kind == "integer":
            shape: dict = {"type": "integer"}
            if self.minimum is not None:
                shape["minimum"] = self.minimum
            if self.maximum is not None:
                shape["maximum"] = self.maximum
        elif self.kind == "date":
            shape = {"type": "string", "format": "date"}
        elif self.kind == "month":
            shape = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "description": "YYYY-MM"}
        else:
            shape = {"type": "string"}
            if self.pattern:
                shape["pattern"] = f"^{self.pattern}$"
        if self.default is not None:
            shape["default"] = self.default
        return shape

    def parse(self, raw: str | None) -> Any:
        if raw is None or raw == "":
            if self.required:
                raise ApiError(400, f"{self.name}: this parameter is required", self.name)
            return self.default
        return _PARSERS[self.kind](self, raw)


def _parse_integer(param: Param, raw: str) -> int:
    low, high = param.minimum, param.maximum
    if (
        not re.fullmatch(r"-?\d{1,9}", raw)
        or (low is not None and int(raw) < low)
        or (high is not None and int(raw) > high)
    ):
        raise ApiError(400, f"{param.name}: enter a whole number from {low} to {high}", param.name)
    return int(raw)


def _parse_date(param: Param, raw: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ApiError(
            400,
            f"{param.name}: enter a real date as YYYY-MM-DD, from {FIRST_YEAR} to {LAST_YEAR}",
            param.name,
        )
    return day


def _parse_month(param: Param, raw: str) -> dt.date:
    """The month's first day."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", raw)
    if not found or not 1 <= int(found[2]) <= 12 or not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise ApiError(
            400, f"{param.name}: enter a month as YYYY-MM, from {FIRST_YEAR} to {LAST_YEAR}", param.name
        )
    return dt.date(int(found[1]), int(found[2]), 1)


def _parse_string(param: Param, raw: str) -> str:
    if param.pattern and not re.fullmatch(param.pattern, raw):
        raise ApiError(400, f"{param.name}: not in the expected form", param.name)
    return raw


_PARSERS: dict[str, Callable[[Param, str], Any]] = {
    "integer": _parse_integer,
    "date": _parse_date,
    "month": _parse_month,
    "string": _parse_string,
}


@dataclass(frozen=True)
class Call:
    """What a handler is given: the client making the call and the request's path (for the access log)."""

    client: ApiClient
    path: str


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str  # OpenAPI form, e.g. /api/v1/cpis/children/{nhs_number}
    scope: Scope
    summary: str
    description: str
    response: dict  # JSON Schema of the 200 answer
    handler: Callable[..., dict]
    params: tuple[Param, ...] = field(default=())

    @property
    def django_route(self) -> str:
        return re.sub(r"\{(\w+)\}", r"<str:\1>", self.path.removeprefix("/"))

    def arguments(self, query, path_values: dict[str, str]) -> dict[str, Any]:
        return {
            param.name: param.parse(
                path_values.get(param.name) if param.where == "path" else query.get(param.name)
            )
            for param in self.params
        }
