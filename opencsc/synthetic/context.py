"""What every part of the generator shares: the seed's Random, the simulated calendar and the counts written."""

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from opencsc.synthetic.names import NamePool

GENERATED_EMAIL_DOMAIN = "synthetic.opencsc.example"


@dataclass
class Simulation:
    seed: int
    children: int
    first_day: dt.date
    last_day: dt.date  # the day before the generator runs: nothing it writes is later than this
    la_code: str
    rng: random.Random = field(init=False)
    names: NamePool = field(init=False)
    written: Counter = field(default_factory=Counter)
    demand: object = None  # seasons.Demand: contacts per day and their sources
    calendar: object = None  # the authority's working-day calendar
    front_door: object = None  # frontdoor.FrontDoorPlanner

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.names = NamePool(self.rng)

    def count(self, what: str, how_many: int) -> None:
        self.written[what] += how_many

    @property
    def open_children_target(self) -> int:
        """Children with open casework: a quarter of a small demo, levelling off near a real county's caseload."""
        return min(round(self.children * 0.25), 4_500 + round(self.children * 0.02))
