"""A :class:`~events.scheduling.problem.Problem` prepared for the methods (slot positions, allowed
slots, capacities, objective weights), the schedule built from positions per meeting, with its tables
and figures, and the lexicographic objective key that compares two schedules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from events.scheduling.problem import NO_CAPACITY, SCALE, Problem, Schedule, _figures, _reason, max_degree


@dataclass
class _Instance:
    problem: Problem
    n_slots: int
    position: dict[int, int]  # slot id -> index in time order
    free_tables: tuple[int, ...]  # tables nobody keeps, in the problem's order
    table: list[int | None]  # per meeting: the fixed table it must use
    reason: list[str | None]  # per meeting: why it can never be placed
    locked: list[tuple[int, int] | None]  # per meeting: (position, table)
    allowed: list[list[int]]  # per variable meeting: positions open to it
    stay: list[tuple[int, int] | None]  # per meeting: (position, table) where it would not move
    capacity: list[int]  # per position: free tables left by locked meetings
    weight: list[int]  # per meeting: objective weight when placed
    variable: list[int]  # meetings to place (not locked, with some allowed position)


def _instance(problem: Problem) -> _Instance:
    meetings, fixed = problem.meetings, problem.fixed_tables
    position = {slot: index for index, slot in enumerate(problem.slots)}
    reserved = set(fixed.values())
    free_tables = tuple(t for t in problem.tables if t not in reserved)
    n = len(meetings)
    table: list[int | None] = [fixed.get(m.startup, fixed.get(m.corporate)) for m in meetings]
    reason: list[str | None] = [None] * n
    locked: list[tuple[int, int] | None] = [None] * n
    capacity = [len(free_tables)] * len(problem.slots)
    lock_busy, lock_taken = set(), set()
    for i, m in enumerate(meetings):
        if m.locked is not None:
            pos, t = position[m.locked[0]], m.locked[1]
            locked[i] = (pos, t)
            lock_busy.update({(m.startup, pos), (m.corporate, pos)})
            lock_taken.add((pos, t))
            if t not in reserved:
                capacity[pos] -= 1
    allowed: list[list[int]] = [[] for _ in range(n)]
    stay: list[tuple[int, int] | None] = [None] * n
    variable = []
    for i, m in enumerate(meetings):
        if locked[i] is not None:
            continue
        reason[i] = _reason(problem, m)
        if reason[i] is not None:
            continue
        off = problem.unavailable.get(m.startup, frozenset()) | problem.unavailable.get(m.corporate, frozenset())
        allowed[i] = [
            pos
            for slot, pos in position.items()
            if slot not in off
            and (m.startup, pos) not in lock_busy
            and (m.corporate, pos) not in lock_busy
            and (table[i] is not None or capacity[pos] > 0)
        ]
        if not allowed[i]:
            continue  # no_capacity: locked meetings fill its common slots
        variable.append(i)
        if m.current is not None and m.current[0] in position:
            pos, t = position[m.current[0]], m.current[1]
            fits = t == table[i] if table[i] is not None else t in free_tables and (pos, t) not in lock_taken
            if fits and pos in allowed[i]:
                stay[i] = (pos, t)
    weight = [round(m.score * SCALE) * (n + 1) + 1 for m in meetings]
    return _Instance(
        problem, len(problem.slots), position, free_tables, table, reason, locked, allowed, stay, capacity, weight,
        variable,
    )  # fmt: skip


def _finish(inst: _Instance, slot_of: dict[int, int], method: str, optimal: bool) -> Schedule:
    """The schedule with meetings ``i`` at positions ``slot_of[i]`` (plus the locked ones), with tables:
    fixed tables; then meetings keeping their previous table in their previous slot; then meetings
    taking their previous table in another slot when it is free; then the first free table."""
    problem = inst.problem
    meetings = problem.meetings
    placements: dict[int, tuple[int, int]] = {}
    used: dict[int, set[int]] = defaultdict(set)
    for i, lock in enumerate(inst.locked):
        if lock is not None:
            placements[meetings[i].id] = (problem.slots[lock[0]], lock[1])
            used[lock[0]].add(lock[1])
    by_position: dict[int, list[int]] = defaultdict(list)
    for i, pos in sorted(slot_of.items()):
        by_position[pos].append(i)
    for pos, group in sorted(by_position.items()):
        taken, table_of = used[pos], {}
        for i in group:
            if inst.table[i] is not None:
                table_of[i] = inst.table[i]
        for i in group:
            stay = inst.stay[i]
            if i not in table_of and stay is not None and stay[0] == pos and stay[1] not in taken:
                table_of[i] = stay[1]
                taken.add(stay[1])
        free = set(inst.free_tables)
        for i in group:
            current = meetings[i].current
            if i not in table_of and current is not None and current[1] in free and current[1] not in taken:
                table_of[i] = current[1]
                taken.add(current[1])
        spare = iter(t for t in inst.free_tables if t not in taken)
        for i in group:
            if i not in table_of:
                table_of[i] = next(spare)  # capacity guarantees one (StopIteration would be a bug)
                taken.add(table_of[i])
        for i in group:
            placements[meetings[i].id] = (problem.slots[pos], table_of[i])
    unplaced = {m.id: inst.reason[i] or NO_CAPACITY for i, m in enumerate(meetings) if m.id not in placements}
    total_score, slots_used, moved, idle_gaps = _figures(problem, placements)
    return Schedule(
        placements=placements,
        unplaced=unplaced,
        delta=max_degree(meetings),
        slots_used=slots_used,
        moved=moved,
        total_score=total_score,
        idle_gaps=idle_gaps,
        method=method,
        optimal=optimal,
    )


def _key(inst: _Instance, result: Schedule) -> tuple[int, int, int]:
    """Lexicographic objective, larger is better."""
    placed = {m.id for m in inst.problem.meetings} & result.placements.keys()
    weight = sum(w for w, m in zip(inst.weight, inst.problem.meetings, strict=True) if m.id in placed)
    return weight, -result.moved, -result.idle_gaps
