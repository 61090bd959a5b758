"""Where and when the accepted 1:1 meetings of a partnering salon take place: pure Python + OR-Tools.

A thin service (``events.schedule_service``) turns a salon's accepted meetings, slots, tables,
unavailable slots and fixed tables into a :class:`Problem` and calls :func:`schedule`; nothing here
touches Django or the database.
Participants are organisations (startups on one side, corporate BD teams on the other), identified by
integers; an id may appear on one side only.

Rules (:func:`validate` checks every one of them):

- a participant is in at most one meeting per slot, and in none of the slots it is unavailable for;
- a table hosts at most one meeting per slot;
- a participant with a fixed table meets at that table, and nobody else ever uses it (the table is
  reserved for its owner, even in slots where the owner has no meeting); a meeting between two owners
  of different fixed tables cannot be placed (reason ``"fixed_tables"``);
- a locked meeting sits exactly at its ``(slot, table)``; locks that contradict each other, an
  unavailability or a fixed table make :class:`Problem` raise ``ValueError`` on construction.

Objective, lexicographic: (1) the largest total score of the placed meetings (then, among equal
scores, the most meetings, which only matters for zero scores); (2) when meetings carry their
``current`` placement from a previous schedule, the fewest moved meetings (placed at another slot or
table; a meeting that was placed and now is not counts as unplaced, not moved); (3) the fewest idle
gaps: per participant, the number of separate blocks of consecutive busy slots minus one, summed.
Scores are compared in millionths (``SCALE``).

Unplaced meetings get a stable reason code: ``"unavailable"`` (the two participants share no available
slot), ``"fixed_tables"`` (they keep different fixed tables) or ``"no_capacity"`` (a common slot exists,
but the slots and tables that fit are taken). Every schedule returned here is maximal: no unplaced
meeting would fit into a free place, so ``"no_capacity"`` is always literally true.

Methods, tried in this order by :func:`schedule`:

- **König** (``method="konig"``), with full availability (no unavailability for any participant of a
  meeting, no locks, no current placements, no meeting between two fixed tables): edge colourings of
  the meeting multigraph place every meeting in the fewest slots (:mod:`events.scheduling.konig`).
- **CP-SAT** (``method="cp-sat"``), every other case: two solves, the score, then moves and gaps,
  warm-started from the constructive schedule (:mod:`events.scheduling.cpsat`).
- **Constructive** (``method="constructive"``): a greedy schedule with insertions by moving other
  meetings, returned when CP-SAT finds nothing better in time (:mod:`events.scheduling.greedy`).

A problem and a seed always give the same schedule: CP-SAT runs on a fixed number of threads with a
deterministic time limit (see :mod:`events.scheduling.cpsat`).

Modules: ``problem`` (types, checks, :func:`validate`), ``instance`` (a problem prepared for the
methods; tables and figures of a schedule), ``colouring`` (bipartite edge colourings), ``konig``,
``cpsat``, ``greedy`` (the methods); :func:`schedule` is here.

Public API: :class:`Meeting`, :class:`Problem`, :class:`Schedule`, :func:`schedule` (the entry point),
:func:`constructive`, :func:`cp_sat` (the CP-SAT model alone, optionally without warm start),
:func:`validate`, :func:`konig_colouring`, :func:`equitable_colouring`, :func:`max_degree`.
"""

from __future__ import annotations

from collections.abc import Callable

from events.scheduling.colouring import equitable_colouring, konig_colouring
from events.scheduling.cpsat import (
    BATCH,
    SCORE_SHARE,
    SUBSOLVERS,
    WALL_FACTOR,
    WALL_MARGIN,
    WORKERS,
    _search,
    cp_sat,
)
from events.scheduling.greedy import MOVE_DEPTH, _greedy, constructive
from events.scheduling.instance import _finish, _instance, _key
from events.scheduling.konig import KONIG_POLISH_MAX, _konig_schedule
from events.scheduling.problem import (
    FIXED_TABLES,
    METHODS,
    NO_CAPACITY,
    REASONS,
    SCALE,
    UNAVAILABLE,
    Meeting,
    Problem,
    Schedule,
    max_degree,
    validate,
)

__all__ = [
    "BATCH",
    "FIXED_TABLES",
    "KONIG_POLISH_MAX",
    "METHODS",
    "MOVE_DEPTH",
    "NO_CAPACITY",
    "REASONS",
    "SCALE",
    "SCORE_SHARE",
    "SUBSOLVERS",
    "UNAVAILABLE",
    "WALL_FACTOR",
    "WALL_MARGIN",
    "WORKERS",
    "Meeting",
    "Problem",
    "Schedule",
    "constructive",
    "cp_sat",
    "equitable_colouring",
    "konig_colouring",
    "max_degree",
    "schedule",
    "validate",
]


def schedule(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Schedule:
    """Place ``problem``'s meetings; see the module docstring for rules, objective and methods.

    ``time_limit`` is CP-SAT's deterministic time budget (0 skips CP-SAT: König colouring or
    constructive schedule only); ``seed`` its random seed; ``progress`` receives one line per step."""
    if not time_limit >= 0:
        raise ValueError(f"time_limit must be >= 0, got {time_limit}")
    say = progress or (lambda _: None)
    inst = _instance(problem)
    if (konig := _konig_schedule(inst, time_limit, seed, say)) is not None:
        return konig
    hint = _greedy(inst)
    start = _finish(inst, hint, "constructive", optimal=not inst.variable)
    say(f"constructive: score {start.total_score:.4f}, {len(start.placements)} placed, {start.idle_gaps} gaps")
    if time_limit == 0 or not inst.variable:
        return start
    found = _search(inst, hint, time_limit, seed, say)
    if found is None:
        return start
    slot_of, optimal = found
    filled = _greedy(inst, slot_of)
    if len(filled) > len(slot_of):
        say(f"cp-sat: greedy top-up placed {len(filled) - len(slot_of)} more meetings")
    result = _finish(inst, filled, "cp-sat", optimal and len(filled) == len(slot_of))
    if _key(inst, result) <= _key(inst, start):
        start.optimal = result.optimal and _key(inst, result) == _key(inst, start)
        return start
    return result
