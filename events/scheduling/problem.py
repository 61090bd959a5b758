"""The scheduler's problem and answer types, their checks, and :func:`validate`.

:class:`Meeting`, :class:`Problem` (which raises ``ValueError`` on malformed input and contradictory
locks), :class:`Schedule`, the reason codes of unplaced meetings, :func:`max_degree` and the figures
of a schedule. The rules and the objective are in the package docstring (:mod:`events.scheduling`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

UNAVAILABLE = "unavailable"
FIXED_TABLES = "fixed_tables"
NO_CAPACITY = "no_capacity"
REASONS = (UNAVAILABLE, FIXED_TABLES, NO_CAPACITY)
METHODS = ("konig", "cp-sat", "constructive")

# Scores become integer weights in millionths, as in matching.proposals.
SCALE = 10**6


@dataclass(frozen=True)
class Meeting:
    """An accepted meeting between two participants (organisation ids)."""

    id: int
    startup: int
    corporate: int
    score: float  # in [0, 1]
    locked: tuple[int, int] | None = None  # (slot id, table id) it must keep
    current: tuple[int, int] | None = None  # (slot id, table id) in the previous schedule

    def __post_init__(self) -> None:
        if self.startup == self.corporate:
            raise ValueError(f"meeting {self.id}: startup and corporate are the same participant {self.startup}")
        if not 0.0 <= self.score <= 1.0:  # also rejects NaN
            raise ValueError(f"meeting {self.id}: score must be in [0, 1], got {self.score}")
        for name in ("locked", "current"):
            value = getattr(self, name)
            if value is not None:
                value = tuple(value)
                if len(value) != 2:
                    raise ValueError(f"meeting {self.id}: {name} must be a (slot, table) pair, got {value}")
                object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Problem:
    """Meetings to place into ``slots`` (ids in time order) x ``tables`` (ids).

    ``unavailable`` maps a participant to the slot ids it cannot attend, ``fixed_tables`` a participant
    to the table it keeps. Malformed problems and contradictory locks raise ``ValueError``."""

    meetings: tuple[Meeting, ...]
    slots: tuple[int, ...]
    tables: tuple[int, ...]
    unavailable: Mapping[int, frozenset[int]] = field(default_factory=dict)
    fixed_tables: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "meetings", tuple(self.meetings))
        object.__setattr__(self, "slots", tuple(self.slots))
        object.__setattr__(self, "tables", tuple(self.tables))
        object.__setattr__(self, "unavailable", {p: frozenset(s) for p, s in self.unavailable.items()})
        object.__setattr__(self, "fixed_tables", dict(self.fixed_tables))
        _check_problem(self)


@dataclass
class Schedule:
    placements: dict[int, tuple[int, int]]  # meeting id -> (slot id, table id)
    unplaced: dict[int, str]  # meeting id -> reason code (REASONS)
    delta: int  # max degree of the meeting multigraph, over all meetings
    slots_used: int  # slots holding at least one meeting
    moved: int  # meetings with a current placement, placed elsewhere now
    total_score: float
    idle_gaps: int  # sum over participants of (blocks of consecutive busy slots - 1)
    method: str  # "konig" | "cp-sat" | "constructive"
    optimal: bool  # proven optimal (see events.scheduling.konig for the König case)


def _duplicates(values: Iterable) -> list:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _check_problem(problem: Problem) -> None:
    for name, values in (
        ("meeting ids", [m.id for m in problem.meetings]),
        ("slot ids", problem.slots),
        ("table ids", problem.tables),
    ):
        if duplicates := _duplicates(values):
            raise ValueError(f"{name} must be unique; repeated: {duplicates}")
    if both := {m.startup for m in problem.meetings} & {m.corporate for m in problem.meetings}:
        raise ValueError(f"participants {sorted(both)} appear both as startup and as corporate")
    slots, tables = set(problem.slots), set(problem.tables)
    for participant, unavailable in problem.unavailable.items():
        if unknown := unavailable - slots:
            raise ValueError(f"participant {participant} is unavailable for unknown slots {sorted(unknown)}")
    fixed = problem.fixed_tables
    for participant, table in fixed.items():
        if table not in tables:
            raise ValueError(f"participant {participant} keeps unknown table {table}")
    if duplicates := _duplicates(fixed.values()):
        raise ValueError(f"a table is fixed for one participant at most; shared: {duplicates}")
    owner = {table: participant for participant, table in fixed.items()}

    taken: dict[tuple[int, int], int] = {}  # (slot, table) -> locked meeting id
    busy: dict[tuple[int, int], int] = {}  # (participant, slot) -> locked meeting id
    for m in problem.meetings:
        if m.locked is None:
            continue
        slot, table = m.locked
        where = f"meeting {m.id} is locked to slot {slot}, table {table}"
        if slot not in slots:
            raise ValueError(f"{where}, but there is no such slot")
        if table not in tables:
            raise ValueError(f"{where}, but there is no such table")
        for p in (m.startup, m.corporate):
            if slot in problem.unavailable.get(p, ()):
                raise ValueError(f"{where}, but participant {p} is unavailable in that slot")
            if p in fixed and fixed[p] != table:
                raise ValueError(f"{where}, but participant {p} keeps table {fixed[p]}")
            if (p, slot) in busy:
                raise ValueError(f"{where}, but participant {p} is locked to meeting {busy[p, slot]} in that slot")
            busy[p, slot] = m.id
        if table in owner and owner[table] not in (m.startup, m.corporate):
            raise ValueError(f"{where}, but that table is kept by participant {owner[table]}")
        if (slot, table) in taken:
            raise ValueError(f"{where}, but meeting {taken[slot, table]} is locked there too")
        taken[slot, table] = m.id


def max_degree(meetings: Iterable[Meeting]) -> int:
    """Largest number of meetings of one participant (Δ of the meeting multigraph); 0 for none."""
    degree = Counter()
    for m in meetings:
        degree["startup", m.startup] += 1
        degree["corporate", m.corporate] += 1
    return max(degree.values(), default=0)


def _reason(problem: Problem, m: Meeting) -> str | None:
    """Why ``m`` can never be placed, or None when some slot and table could take it."""
    fixed = problem.fixed_tables
    if m.startup in fixed and m.corporate in fixed and fixed[m.startup] != fixed[m.corporate]:
        return FIXED_TABLES
    unavailable = problem.unavailable.get(m.startup, frozenset()) | problem.unavailable.get(m.corporate, frozenset())
    if all(slot in unavailable for slot in problem.slots):
        return UNAVAILABLE
    return None


def _figures(problem: Problem, placements: Mapping[int, tuple[int, int]]) -> tuple[float, int, int, int]:
    """(total score, slots used, moved, idle gaps) of ``placements``; unknown ids are skipped."""
    by_id = {m.id: m for m in problem.meetings}
    position = {slot: index for index, slot in enumerate(problem.slots)}
    busy: dict[int, set[int]] = defaultdict(set)
    scores, slots, moved = [], set(), 0
    for mid, place in placements.items():
        m = by_id.get(mid)
        if m is None:
            continue
        scores.append(m.score)
        slots.add(place[0])
        moved += m.current is not None and tuple(place) != m.current
        if place[0] in position:
            busy[m.startup].add(position[place[0]])
            busy[m.corporate].add(position[place[0]])
    gaps = sum(sum(pos - 1 not in positions for pos in positions) - 1 for positions in busy.values())
    return math.fsum(scores), len(slots), moved, gaps


def validate(problem: Problem, result: Schedule) -> list[str]:
    """Every rule ``result`` breaks, as readable sentences (empty when valid): each meeting placed or
    unplaced exactly once; known slots and tables; availability; one meeting per participant and slot
    and per table and slot; fixed tables; locks; reason codes (including that no ``"no_capacity"``
    meeting would fit into a free place); the reported figures."""
    errors = []
    by_id = {m.id: m for m in problem.meetings}
    placed, unplaced = set(result.placements), set(result.unplaced)
    for mid in sorted((placed | unplaced) - by_id.keys()):
        errors.append(f"meeting {mid} is not in the problem")
    for mid in sorted(placed & unplaced):
        errors.append(f"meeting {mid} is both placed and unplaced")
    for mid in sorted(by_id.keys() - placed - unplaced):
        errors.append(f"meeting {mid} is neither placed nor unplaced")

    slots, tables, fixed = set(problem.slots), set(problem.tables), problem.fixed_tables
    owner = {table: participant for participant, table in fixed.items()}
    occupied: dict[tuple[int, int], int] = {}
    busy: dict[tuple[int, int], int] = {}
    for mid, place in sorted(result.placements.items()):
        m = by_id.get(mid)
        if m is None:
            continue
        if not isinstance(place, tuple) or len(place) != 2:
            errors.append(f"meeting {mid}: placement {place!r} is not a (slot, table) tuple")
            continue
        slot, table = place
        if slot not in slots:
            errors.append(f"meeting {mid} is in unknown slot {slot}")
        if table not in tables:
            errors.append(f"meeting {mid} is at unknown table {table}")
        for p in (m.startup, m.corporate):
            if slot in problem.unavailable.get(p, ()):
                errors.append(f"meeting {mid} is in slot {slot}, where participant {p} is unavailable")
            if p in fixed and fixed[p] != table:
                errors.append(f"meeting {mid} is at table {table}, but participant {p} keeps table {fixed[p]}")
            if (p, slot) in busy:
                errors.append(f"participant {p} is in meetings {busy[p, slot]} and {mid} in slot {slot}")
            else:
                busy[p, slot] = mid
        if table in owner and owner[table] not in (m.startup, m.corporate):
            errors.append(f"meeting {mid} is at table {table}, kept by participant {owner[table]}")
        if (slot, table) in occupied:
            errors.append(f"meetings {occupied[slot, table]} and {mid} share slot {slot}, table {table}")
        else:
            occupied[slot, table] = mid
        if m.locked is not None and place != m.locked:
            errors.append(f"meeting {mid} is locked to {m.locked} but placed at {place}")
    for m in problem.meetings:
        if m.locked is not None and m.id not in result.placements:
            errors.append(f"meeting {m.id} is locked to {m.locked} but unplaced")

    for mid, reason in sorted(result.unplaced.items()):
        m = by_id.get(mid)
        if m is None:
            continue
        if reason not in REASONS:
            errors.append(f"meeting {mid} is unplaced for unknown reason {reason!r}")
            continue
        expected = _reason(problem, m) or NO_CAPACITY
        if reason != expected:
            errors.append(f"meeting {mid} is unplaced for {reason!r}, but the reason is {expected!r}")
            continue
        if reason != NO_CAPACITY:
            continue
        table_needed = fixed.get(m.startup, fixed.get(m.corporate))
        options = [table_needed] if table_needed is not None else [t for t in problem.tables if t not in owner]
        for slot in problem.slots:
            if any(slot in problem.unavailable.get(p, ()) or (p, slot) in busy for p in (m.startup, m.corporate)):
                continue
            if free := [t for t in options if (slot, t) not in occupied]:
                errors.append(f"meeting {mid} is unplaced for 'no_capacity', but slot {slot}, table {free[0]} is free")
                break

    total_score, slots_used, moved, idle_gaps = _figures(problem, result.placements)
    if not math.isclose(result.total_score, total_score, rel_tol=1e-9, abs_tol=1e-9):
        errors.append(f"total_score is {result.total_score}, but the placed meetings score {total_score}")
    for name, value in (("slots_used", slots_used), ("moved", moved), ("idle_gaps", idle_gaps)):
        if getattr(result, name) != value:
            errors.append(f"{name} is {getattr(result, name)}, but the placements give {value}")
    if result.delta != (delta := max_degree(problem.meetings)):
        errors.append(f"delta is {result.delta}, but the meetings have max degree {delta}")
    if result.method not in METHODS:
        errors.append(f"unknown method {result.method!r}")
    return errors
