"""The CP-SAT method: its model, the two solves, and :func:`cp_sat` (the model alone).

CP-SAT (``method="cp-sat"``), every other case. A boolean per (meeting, allowed slot); one slot at
most per meeting; one meeting at most per participant and slot; per slot, the meetings without a
fixed table at most the free tables left by locked meetings; fixed-table meetings need no capacity
row (their owner is busy once per slot). Locked meetings are constants. About 16,000 booleans for
1,000 meetings x 16 slots. Two solves. The first maximises the score weights
(``round(score * SCALE) * (n + 1) + 1`` per placed meeting, n meetings), warm-started (``AddHint``)
from the constructive schedule. The second keeps exactly the meetings the first placed and minimises
``(gap bound + 1) * moved + gaps``, with a ``begin`` boolean per participant and slot
(``begin >= busy[s] - busy[s - 1]``) and an ``active`` boolean per participant
(``gaps = sum(begin) - active``), warm-started from the first solve's schedule. Keeping the placed
set makes the second model far easier for CP-SAT's neighbourhood searches (in one run on a
375-meeting salon with unavailability, fixed tables and locks, 54 idle gaps instead of 93 for a
model keeping only ``score >= best``); the price is that among several sets of meetings with exactly
the same best score, the one found first is kept. Unplaced meetings that still fit are then added
as in the constructive schedule (greedily, then by moving others; this only happens when the time
limit stopped the first solve early). Tables are assigned afterwards, slot by slot: fixed tables; a
meeting's previous table in its previous slot; its previous table in another slot when free; the
first free table. ``optimal``: the score is proven maximal, and moves and gaps proven minimal for
the placed meetings.

Determinism: CP-SAT runs with ``random_seed=seed``, ``interleave_search`` on a fixed number of threads
(``WORKERS``; the interleaved search synchronises its subsolvers in fixed batches of ``BATCH`` tasks),
only the ``SUBSOLVERS`` full-problem subsolver next to the neighbourhood searches, and a *deterministic*
time limit: ``time_limit`` is in CP-SAT's deterministic seconds, meant to be about a second of one
core's work (on a loaded two-core machine one took 2.5-3.5 wall seconds). A problem and a seed always
give the same schedule. A wall-clock stop at ``WALL_FACTOR`` times the budget (plus ``WALL_MARGIN``
seconds) only guards against a runaway solve; if it ever triggers, the result depends on the machine's
load.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from ortools.sat.python import cp_model

from events.scheduling.greedy import _greedy
from events.scheduling.instance import _finish, _Instance, _instance, _key
from events.scheduling.problem import SCALE, Problem, Schedule

# CP-SAT: deterministic interleaved search on this many threads (a fixed number: the schedules differ
# between 1 and 2), with one full-problem subsolver next to the large-neighbourhood searches: in
# interleaved mode each full-problem subsolver works in chunks of one deterministic second, so the
# portfolio's eight would overrun budgets of a few seconds. Small batches share improving solutions
# between the neighbourhood searches sooner (on salons of 275-375 meetings, batches of 2 left 15-25%
# fewer gaps than CP-SAT's default of 6 for two threads, in the same time). The first solve (score) gets
# SCORE_SHARE of the budget, the second (moves, gaps) the rest.
WORKERS = 2
BATCH = 2  # tasks between two synchronisations; set explicitly, as CP-SAT's default depends on WORKERS
SUBSOLVERS = ("default_lp",)
SCORE_SHARE = 0.5
WALL_FACTOR, WALL_MARGIN = 10.0, 5.0


class _Model:
    """The CP-SAT model of the module docstring. ``only`` restricts the meetings to place (the others
    stay out), ``positions`` the slots; ``place_all`` forces every one of them in; ``slot_cap`` bounds
    the meetings per slot."""

    def __init__(
        self,
        inst: _Instance,
        *,
        only: Iterable[int] | None = None,
        positions: Iterable[int] | None = None,
        place_all: bool = False,
        slot_cap: int | None = None,
    ) -> None:
        self.inst = inst
        meetings = inst.problem.meetings
        model = self.model = cp_model.CpModel()
        open_positions = set(range(inst.n_slots) if positions is None else positions)
        self.x: dict[int, dict[int, cp_model.IntVar]] = {}
        per_participant: dict[tuple[int, int], list] = defaultdict(list)
        per_slot_free: dict[int, list] = defaultdict(list)
        per_slot: dict[int, list] = defaultdict(list)
        only = set(inst.variable if only is None else only)
        for i in inst.variable:
            if i not in only:
                continue
            m = meetings[i]
            row = {pos: model.new_bool_var(f"x{m.id}@{pos}") for pos in inst.allowed[i] if pos in open_positions}
            self.x[i] = row
            if place_all:
                model.add_exactly_one(row.values())
            elif len(row) > 1:
                model.add_at_most_one(row.values())
            for pos, var in row.items():
                per_participant[m.startup, pos].append(var)
                per_participant[m.corporate, pos].append(var)
                per_slot[pos].append(var)
                if inst.table[i] is None:
                    per_slot_free[pos].append(var)
        for literals in per_participant.values():
            if len(literals) > 1:
                model.add_at_most_one(literals)
        for pos, literals in per_slot_free.items():
            if len(literals) > inst.capacity[pos]:
                model.add(cp_model.LinearExpr.sum(literals) <= inst.capacity[pos])
        if slot_cap is not None:
            locked_per_slot = Counter(lock[0] for lock in inst.locked if lock is not None)
            for pos, literals in per_slot.items():
                if len(literals) + locked_per_slot[pos] > slot_cap:
                    model.add(cp_model.LinearExpr.sum(literals) <= slot_cap - locked_per_slot[pos])
        self.placed = {i: cp_model.LinearExpr.sum(list(row.values())) for i, row in self.x.items()}
        literals = [var for row in self.x.values() for var in row.values()]
        weights = [inst.weight[i] for i, row in self.x.items() for _ in row]
        self.score = cp_model.LinearExpr.weighted_sum(literals, weights)
        # Auxiliary variables and their hint: rule(positions per meeting, busy (participant, position)).
        self.aux: list[tuple[cp_model.IntVar, Callable[[dict[int, int], set[tuple[int, int]]], bool]]] = []

    def moves(self) -> cp_model.LinearExpr:
        """Meetings with a current placement that are placed but not kept where they were."""
        inst, meetings = self.inst, self.inst.problem.meetings
        claimants: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in self.x:
            if inst.stay[i] is not None:
                claimants[inst.stay[i]].append(i)
        stays = []
        for (pos, _), group in claimants.items():
            if len(group) == 1:
                stays.append(self.x[group[0]][pos])
                continue
            # Several meetings claim the same (slot, table): one of them at most keeps it (in _finish,
            # the one listed first among those in that slot).
            keeps = []
            for i in group:
                keep = self.model.new_bool_var(f"stay{meetings[i].id}")
                self.model.add_implication(keep, self.x[i][pos])
                keeps.append(keep)
                self.aux.append(
                    (
                        keep,
                        lambda s, _, i=i, pos=pos, g=group: i == min((j for j in g if s.get(j) == pos), default=None),
                    )
                )
            self.model.add_at_most_one(keeps)
            stays.extend(keeps)
        with_current = [self.placed[i] for i in self.x if meetings[i].current is not None]
        return cp_model.LinearExpr.sum(with_current) - cp_model.LinearExpr.sum(stays)

    def gaps(self) -> tuple[cp_model.LinearExpr, int]:
        """Idle gaps of the participants with two or more meetings, and the number of block starts
        (a bound on the gaps)."""
        inst, meetings, model = self.inst, self.inst.problem.meetings, self.model
        members: dict[int, list[int]] = defaultdict(list)
        for i, m in enumerate(meetings):
            if i in self.x or inst.locked[i] is not None:
                members[m.startup].append(i)
                members[m.corporate].append(i)
        terms, bound = [], 0
        for p, group in members.items():
            if len(group) < 2:
                continue
            busy: list[list] = [[] for _ in range(inst.n_slots)]
            fixed_busy = [0] * inst.n_slots
            for i in group:
                if inst.locked[i] is not None:
                    fixed_busy[inst.locked[i][0]] = 1
                else:
                    for pos, var in self.x[i].items():
                        busy[pos].append(var)
            unlocked = [i for i in group if inst.locked[i] is None]
            begins = []
            for pos in range(inst.n_slots):
                if not busy[pos] and not fixed_busy[pos]:
                    continue
                begin = model.new_bool_var(f"begin{p}@{pos}")
                now = cp_model.LinearExpr.sum(busy[pos]) + fixed_busy[pos]
                before = cp_model.LinearExpr.sum(busy[pos - 1]) + fixed_busy[pos - 1] if pos else 0
                model.add(begin >= now - before)
                begins.append(begin)
                self.aux.append((begin, lambda _, busy, p=p, pos=pos: (p, pos) in busy and (p, pos - 1) not in busy))
            bound += len(begins)
            if any(inst.locked[i] is not None for i in group):
                active = 1
            else:
                active = model.new_bool_var(f"active{p}")
                model.add(active <= cp_model.LinearExpr.sum([self.placed[i] for i in unlocked]))
                self.aux.append((active, lambda s, _, group=tuple(unlocked): any(i in s for i in group)))
            terms.append(cp_model.LinearExpr.sum(begins) - active)
        return cp_model.LinearExpr.sum(terms), bound

    def hint(self, slot_of: dict[int, int]) -> None:
        """Hint every variable from positions ``slot_of`` (auxiliary ones through their rules)."""
        meetings, busy = self.inst.problem.meetings, set()
        placed = list(slot_of.items()) + [(i, lock[0]) for i, lock in enumerate(self.inst.locked) if lock is not None]
        for i, pos in placed:
            busy.update({(meetings[i].startup, pos), (meetings[i].corporate, pos)})
        self.model.clear_hints()
        for i, row in self.x.items():
            for pos, var in row.items():
                self.model.add_hint(var, slot_of.get(i) == pos)
        for var, rule in self.aux:
            self.model.add_hint(var, bool(rule(slot_of, busy)))

    def read(self, solver: cp_model.CpSolver) -> dict[int, int]:
        return {i: pos for i, row in self.x.items() for pos, var in row.items() if solver.boolean_value(var)}

    def solve(self, budget: float, seed: int) -> tuple[cp_model.CpSolver, int]:
        solver = cp_model.CpSolver()
        parameters = solver.parameters
        parameters.random_seed = seed
        parameters.num_workers = WORKERS
        parameters.interleave_search = True
        parameters.interleave_batch_size = BATCH
        parameters.subsolvers.extend(SUBSOLVERS)
        parameters.max_deterministic_time = budget
        parameters.max_time_in_seconds = WALL_FACTOR * budget + WALL_MARGIN
        status = solver.solve(self.model)
        return solver, status


FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _report(solver: cp_model.CpSolver, status: int) -> str:
    return f"{solver.status_name(status)}, {solver.wall_time:.2f} s, {solver.deterministic_time:.2f} deterministic s"


def _search(
    inst: _Instance, hint: dict[int, int] | None, budget: float, seed: int, say: Callable[[str], None]
) -> tuple[dict[int, int], bool] | None:
    """Two CP-SAT solves: the score; then moves and gaps, keeping the meetings the first one placed
    (a model without the unplaced meetings and the score row is far easier for the neighbourhood
    searches). (Positions, proven optimal) or None when the first solve finds nothing."""
    model = _Model(inst)
    if hint is not None:
        model.hint(hint)
    model.model.maximize(model.score)
    solver, status = model.solve(budget * SCORE_SHARE, seed)
    say(
        f"cp-sat score: {_report(solver, status)}, "
        f"score of unlocked meetings {solver.objective_value / SCALE / (len(inst.weight) + 1):.4f}, "
        f"bound {solver.best_objective_bound / SCALE / (len(inst.weight) + 1):.4f}"
    )
    if status not in FOUND:
        return None
    chosen, proven = model.read(solver), status == cp_model.OPTIMAL
    if hint is not None and sum(inst.weight[i] for i in hint) >= sum(inst.weight[i] for i in chosen):
        chosen = max((chosen, hint), key=lambda s: _key(inst, _finish(inst, s, "", False)))
    polish = _Model(inst, only=chosen, place_all=True)
    moves = polish.moves()
    gaps, bound = polish.gaps()
    polish.hint(chosen)
    polish.model.minimize((bound + 1) * moves + gaps)
    used = solver.deterministic_time
    solver, status = polish.solve(max(budget - used, 0.05 * budget), seed)
    say(f"cp-sat moves, gaps: {_report(solver, status)}")
    if status not in FOUND:
        return chosen, False
    return polish.read(solver), proven and status == cp_model.OPTIMAL


def cp_sat(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    hint: Schedule | None = None,
    progress: Callable[[str], None] | None = None,
) -> Schedule:
    """The general CP-SAT model alone (see the module docstring), warm-started from ``hint`` if given.
    When it finds no solution in time, only the locked meetings are placed (before the greedy
    top-up every returned schedule gets)."""
    say = progress or (lambda _: None)
    inst = _instance(problem)
    start = None
    if hint is not None:
        index = {m.id: i for i, m in enumerate(problem.meetings)}
        start = {index[mid]: inst.position.get(slot) for mid, (slot, _) in hint.placements.items() if mid in index}
        start = {i: pos for i, pos in start.items() if pos in inst.allowed[i]}
    found = _search(inst, start, time_limit, seed, say) if inst.variable else ({}, True)
    slot_of, optimal = found if found is not None else ({}, False)
    filled = _greedy(inst, slot_of)
    if len(filled) > len(slot_of):
        say(f"cp-sat: greedy top-up placed {len(filled) - len(slot_of)} more meetings")
    return _finish(inst, filled, "cp-sat", optimal and len(filled) == len(slot_of))
