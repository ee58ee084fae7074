"""Scenarios: a change to the forecast's rates, saved with its name and author (issue 14 point 4).

The forecast's rates are counts over the reference window (entries into each state, moves between states, and
the child-days they were seen over), so a scenario is written as a change to those counts, spread over the age
bands in proportion to what the window showed:

- N fewer (more) entries a year into a category: the entries into its states, N x window-days / 365.25 fewer
  (more) in all, shared by the bands' entries (fewer cannot go below none; more into a category that had no
  entries are shared by the bands of all entries);
- N children a month stepped down from category A to category B: moves from each A state to the B state of the
  same age band, N x window-days / 30.4375 in all, shared by the bands' child-days in A, so that about N children
  a month move while A holds as many children as it held over the window (fewer as it empties).

Nothing is changed if the window holds nothing to change (no child in A for a step-down): the scenario's cost is
then nothing, and `scenario_problem` says why.
"""

import dataclasses

import numpy as np

from opencsc.finance.codes import ScenarioKind
from opencsc.insight.forecast import AGE_BANDS, CATEGORIES, CATEGORY_LABELS, Rates, state_index

DAYS_IN_YEAR = 365.25
DAYS_IN_MONTH = DAYS_IN_YEAR / 12


def _states(category: str) -> list[int]:
    return [state_index(band, category) for band in range(len(AGE_BANDS))]


def _short(category: str) -> str:
    return CATEGORY_LABELS[category].split(" (")[0].lower()


def scenario_problem(rates: Rates, scenario) -> str:
    """Why the scenario changes nothing in these rates, or ''."""
    if scenario.kind == ScenarioKind.STEP_DOWN and not rates.exposure[_states(scenario.category)].any():
        return (
            f"No child was in {_short(scenario.category)} over the reference window: there is no one to move"
        )
    if scenario.kind == ScenarioKind.FEWER_ENTRIES and not rates.entries[_states(scenario.category)].any():
        return f"No child came into care in {_short(scenario.category)} over the reference window: none to take away"
    return ""


def adjusted_rates(rates: Rates, scenario) -> Rates:
    """A copy of `rates` with the scenario applied."""
    entries, moves = rates.entries.copy(), rates.moves.copy()
    number = float(scenario.number)
    states = _states(scenario.category)
    if scenario.kind in (ScenarioKind.FEWER_ENTRIES, ScenarioKind.MORE_ENTRIES):
        change = number * rates.window_days / DAYS_IN_YEAR
        seen = entries[states].sum()
        if scenario.kind == ScenarioKind.FEWER_ENTRIES:
            if seen > 0:
                entries[states] *= max(0.0, seen - change) / seen
        else:
            by_band = entries[states] if seen > 0 else _entries_by_band(rates)
            total = by_band.sum()
            share = by_band / total if total > 0 else np.full(len(states), 1 / len(states))
            entries[states] += change * share
    elif scenario.kind == ScenarioKind.STEP_DOWN:
        exposure = rates.exposure[states]
        if exposure.sum() > 0:
            moved = number * rates.window_days / DAYS_IN_MONTH
            targets = _states(scenario.to_category)
            moves[states, targets] += moved * exposure / exposure.sum()
    return dataclasses.replace(rates, entries=entries, moves=moves)


def _entries_by_band(rates: Rates) -> np.ndarray:
    return np.array(
        [
            sum(rates.entries[state_index(band, category)] for category in CATEGORIES)
            for band in range(len(AGE_BANDS))
        ]
    )
