"""Which 1:1 meetings to propose between startups and corporate BD teams: pure numpy + OR-Tools.

A thin service (``events.proposal_service``) aggregates the offer x need scores to one score per
(startup, corporate) pair, drops the pairs that may not be proposed (declined, met before, not
eligible), and calls :func:`solve`.

Constraints: every startup gets at most ``startup_cap`` proposals, every corporate at most its
``corporate_cap`` meetings, every pair at most one. Objective, lexicographic: first as many
startups as possible with at least one proposal (every startup that has an eligible match gets
one, unless the quotas make that impossible), then the largest total score.

- :func:`solve` keeps each startup's best ``top_l`` pairs and each corporate's best
  ``max(top_l, 3 * cap)`` pairs and solves a min-cost flow over them. The flow network is totally
  unimodular, so the answer is exact on those candidate pairs.
- :func:`greedy` is what organisers do by hand today: best score first, while both sides have room.
- :func:`optimal_lp` is the exact optimum over all pairs, found independently with a two-phase
  linear program (GLOP); it is the yardstick of the tests and the benchmark, not a production path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.linear_solver import pywraplp

# Scores become integer arc costs in millionths: finer than any score difference that matters.
SCALE = 10**6
INT64_MAX = np.iinfo(np.int64).max
INTEGRALITY_TOLERANCE = 1e-6
# candidates() works on the dense (startup x corporate) grid when it has at most this many cells per pair.
DENSE_CELLS_PER_PAIR = 4


@dataclass
class ProposalProblem:
    """Candidate (startup, corporate) pairs, pair i being ``(startup[i], corporate[i])``.

    Only pairs that may be proposed are given, each at most once. Arrays are converted and checked
    on construction; a malformed problem raises ``ValueError``."""

    startup: np.ndarray  # (p,) int in [0, n_startups)
    corporate: np.ndarray  # (p,) int in [0, n_corporates)
    score: np.ndarray  # (p,) float in (0, 1]
    startup_cap: np.ndarray  # (n_startups,) int >= 0: most proposals per startup
    corporate_cap: np.ndarray  # (n_corporates,) int >= 0: meeting quota of each BD team

    def __post_init__(self) -> None:
        self.startup = _integers("startup", self.startup)
        self.corporate = _integers("corporate", self.corporate)
        self.startup_cap = _integers("startup_cap", self.startup_cap)
        self.corporate_cap = _integers("corporate_cap", self.corporate_cap)
        self.score = np.asarray(self.score, dtype=np.float64)
        if self.score.ndim != 1:
            raise ValueError(f"score must be one-dimensional, got shape {self.score.shape}")
        pairs = len(self.score)
        if len(self.startup) != pairs or len(self.corporate) != pairs:
            raise ValueError(
                f"startup, corporate and score must have one entry per pair, got lengths "
                f"{len(self.startup)}, {len(self.corporate)} and {pairs}"
            )
        if not np.all((self.score > 0) & (self.score <= 1)):  # also rejects NaN
            bad = int(np.flatnonzero(~((self.score > 0) & (self.score <= 1)))[0])
            raise ValueError(f"scores must be in (0, 1]; pair {bad} has {self.score[bad]}")
        for name, index, caps in (
            ("startup", self.startup, self.startup_cap),
            ("corporate", self.corporate, self.corporate_cap),
        ):
            if np.any(caps < 0):
                raise ValueError(f"{name}_cap must be >= 0")
            if pairs and (index.min() < 0 or index.max() >= len(caps)):
                raise ValueError(f"{name} indices must be in [0, {len(caps)}), got {index.min()}..{index.max()}")
        key = self.startup * len(self.corporate_cap) + self.corporate
        unique, counts = np.unique(key, return_counts=True)
        if np.any(counts > 1):
            first = int(unique[np.argmax(counts > 1)])
            s, c = divmod(first, len(self.corporate_cap))
            raise ValueError(f"pair (startup {s}, corporate {c}) appears {counts.max()} times; each pair at most once")

    @property
    def pairs(self) -> int:
        return len(self.score)


def _integers(name: str, values) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size and array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers, got dtype {array.dtype}")
    return array.astype(np.int64)


@dataclass
class ProposalResult:
    chosen: np.ndarray  # indices into the problem's pairs, ascending
    objective: float  # total score of the chosen pairs
    covered: int  # startups with at least one proposal


def _result(problem: ProposalProblem, chosen) -> ProposalResult:
    chosen = np.sort(np.asarray(chosen, dtype=np.int64))
    return ProposalResult(
        chosen=chosen,
        objective=float(problem.score[chosen].sum()),
        covered=_covered(problem, chosen),
    )


def _covered(problem: ProposalProblem, chosen: np.ndarray) -> int:
    return int(np.count_nonzero(np.bincount(problem.startup[chosen], minlength=len(problem.startup_cap))))


def _usable(problem: ProposalProblem) -> np.ndarray:
    """Pairs whose both sides have room for at least one meeting: no other pair can be chosen."""
    return (problem.startup_cap[problem.startup] > 0) & (problem.corporate_cap[problem.corporate] > 0)


def _thresholds_by_sorting(group: np.ndarray, limit: np.ndarray, order: np.ndarray, score: np.ndarray):
    """Per group g, the ``limit[g]``-th best score of its entries (0 when it has no more than
    ``limit[g]``). ``order`` lists all entries from best to worst score."""
    groups = len(limit)
    # A stable sort by group of the best-first sequence leaves each group best-first. With fewer
    # than 2**15 groups NumPy does it with a radix sort.
    dtype = np.int16 if groups <= np.iinfo(np.int16).max else np.int64
    by_group = order[np.argsort(group[order].astype(dtype), kind="stable")]
    size = np.bincount(group, minlength=groups)
    start = np.cumsum(size) - size
    threshold = np.zeros(groups)
    crowded = np.flatnonzero(size > limit)
    threshold[crowded] = score[by_group[start[crowded] + limit[crowded] - 1]]
    return threshold


def _thresholds_of_rows(grid: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Per row r of ``grid`` (scores, 0 where there is no pair), its ``limit[r]``-th best score."""
    k = np.minimum(limit, grid.shape[1])
    most = int(k.max())
    best = -np.sort(np.partition(-grid, most - 1, axis=1)[:, :most], axis=1)  # each row's top, best first
    return best[np.arange(len(grid)), k - 1]


def candidates(problem: ProposalProblem, *, top_l: int = 30) -> np.ndarray:
    """Ascending pair indices: each startup's best ``top_l`` pairs and each corporate's best
    ``max(top_l, 3 * cap)``, among the pairs whose both sides have room. Pairs tied with the last
    one kept are kept too, so the answer does not depend on how ties are ordered."""
    if top_l < 1:
        raise ValueError(f"top_l must be >= 1, got {top_l}")
    usable = np.flatnonzero(_usable(problem))
    if not len(usable):
        return usable
    startup, corporate, score = problem.startup[usable], problem.corporate[usable], problem.score[usable]
    per_startup = np.full(len(problem.startup_cap), top_l)
    per_corporate = np.maximum(top_l, 3 * problem.corporate_cap)
    if len(per_startup) * len(per_corporate) <= DENSE_CELLS_PER_PAIR * len(usable):
        # Most (startup, corporate) cells hold a pair: partitioning rows of the grid is cheaper
        # than sorting the pairs.
        grid = np.zeros((len(per_startup), len(per_corporate)))
        grid[startup, corporate] = score
        startup_threshold = _thresholds_of_rows(grid, per_startup)
        corporate_threshold = _thresholds_of_rows(grid.T, per_corporate)
    else:
        order = np.argsort(-score)
        startup_threshold = _thresholds_by_sorting(startup, per_startup, order, score)
        corporate_threshold = _thresholds_by_sorting(corporate, per_corporate, order, score)
    keep = (score >= startup_threshold[startup]) | (score >= corporate_threshold[corporate])
    return usable[keep]


def solve(problem: ProposalProblem, *, top_l: int = 30) -> ProposalResult:
    """Most startups covered, then highest total score, over the :func:`candidates` pairs.

    Min-cost flow, source -> startup -> corporate -> sink. A startup's first unit of flow earns a
    coverage bonus that no gain in score can outweigh, its other ``cap - 1`` units earn nothing; a
    pair arc earns its score; a zero-cost source -> sink bypass lets the amount of flow be free."""
    pairs = candidates(problem, top_l=top_l)
    if not len(pairs):
        return _result(problem, pairs)
    startup, corporate = problem.startup[pairs], problem.corporate[pairs]
    # Integer costs: the flow solver is exact on integers, and total unimodularity keeps it 0/1.
    pair_cost = -np.rint(problem.score[pairs] * SCALE).astype(np.int64)

    n_startups, n_corporates = len(problem.startup_cap), len(problem.corporate_cap)
    # Only the startups and corporates of some candidate pair get arcs.
    startups = np.flatnonzero(np.bincount(startup, minlength=n_startups))
    corporates = np.flatnonzero(np.bincount(corporate, minlength=n_corporates))
    cap = problem.startup_cap[startups]
    source, sink = 0, 1 + n_startups + n_corporates
    nodes = sink + 1
    supply = int(cap.sum())

    # Losing a startup's coverage must never pay. If a min-cost flow covered fewer startups than
    # possible, the difference to a flow of best coverage would contain a residual cycle through the
    # source adding one covered startup; it undoes at most one pair per corporate (and per startup)
    # it visits, each worth at most SCALE, so with this bonus the cycle has negative cost, which
    # cannot be at an optimum. Among flows of best coverage the bonus is constant: score decides.
    bonus = SCALE * min(len(startups), len(corporates)) + 1
    # OR-Tools multiplies costs by (nodes + 1) and rejects costs above int64 max / (2 (nodes + 1));
    # the total cost must fit too.
    if bonus * 2 * (nodes + 1) >= INT64_MAX or bonus * (len(startups) + supply) >= INT64_MAX:
        raise ValueError(f"instance too large for int64 flow costs ({nodes} nodes, {len(pairs)} pairs)")

    repeat = cap > 1
    tails = np.concatenate(
        [
            np.zeros(len(startups) + int(repeat.sum()), dtype=np.int64),
            1 + startup,
            1 + n_startups + corporates,
            [source],
        ]
    )
    heads = np.concatenate(
        [
            1 + startups,
            1 + startups[repeat],
            1 + n_startups + corporate,
            np.full(len(corporates), sink),
            [sink],
        ]
    )
    capacities = np.concatenate(
        [
            np.ones(len(startups), dtype=np.int64),
            cap[repeat] - 1,
            np.ones(len(pairs), dtype=np.int64),
            problem.corporate_cap[corporates],
            [supply],
        ]
    )
    costs = np.concatenate(
        [
            np.full(len(startups), -bonus, dtype=np.int64),
            np.zeros(int(repeat.sum()), dtype=np.int64),
            pair_cost,
            np.zeros(len(corporates) + 1, dtype=np.int64),
        ]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_nodes_supplies(np.array([source, sink]), np.array([supply, -supply]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not reach an optimum (status {status})")
    first_pair_arc = len(startups) + int(repeat.sum())
    used = flow.flows(arcs[first_pair_arc : first_pair_arc + len(pairs)]) > 0
    return _result(problem, pairs[used])


def greedy(problem: ProposalProblem) -> ProposalResult:
    """Today's manual rule: pairs by descending score (stable), taken while both sides have room."""
    startup_left = problem.startup_cap.tolist()
    corporate_left = problem.corporate_cap.tolist()
    startup, corporate = problem.startup.tolist(), problem.corporate.tolist()
    chosen = []
    for i in np.argsort(-problem.score, kind="stable").tolist():
        s, c = startup[i], corporate[i]
        if startup_left[s] > 0 and corporate_left[c] > 0:
            startup_left[s] -= 1
            corporate_left[c] -= 1
            chosen.append(i)
    return _result(problem, chosen)


def optimal_lp(problem: ProposalProblem) -> ProposalResult:
    """Exact lexicographic optimum over all pairs, by two linear programs solved with GLOP.

    Phase 1 maximises the covered startups (``covered_s <= sum of x over s's pairs``,
    ``covered_s <= 1``); phase 2 keeps that coverage and maximises the total score. Coverage is
    fixed at its exact integer value: the optimal face of an integral polytope is integral, whereas a
    slightly lower bound would let the LP trade a sliver of coverage for score at a fractional
    vertex. The constraint matrix is a network matrix, so the answer is 0/1; anything else raises."""
    pairs = np.flatnonzero(_usable(problem))
    if not len(pairs):
        return _result(problem, pairs)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        raise RuntimeError("OR-Tools GLOP is not available")
    x = [solver.NumVar(0.0, 1.0, "") for _ in range(len(pairs))]
    startup, corporate = problem.startup[pairs].tolist(), problem.corporate[pairs].tolist()
    startups = np.unique(problem.startup[pairs]).tolist()
    startup_room = {s: solver.Constraint(0.0, float(problem.startup_cap[s])) for s in startups}
    corporate_room = {c: solver.Constraint(0.0, float(problem.corporate_cap[c])) for c in np.unique(corporate).tolist()}
    covered = {s: solver.NumVar(0.0, 1.0, "") for s in startups}
    # covered_s - sum(x) <= 0
    coverage_link = {s: solver.Constraint(-solver.infinity(), 0.0) for s in startups}
    for s in startups:
        coverage_link[s].SetCoefficient(covered[s], 1.0)
    for variable, s, c in zip(x, startup, corporate, strict=True):
        startup_room[s].SetCoefficient(variable, 1.0)
        corporate_room[c].SetCoefficient(variable, 1.0)
        coverage_link[s].SetCoefficient(variable, -1.0)

    objective = solver.Objective()
    for variable in covered.values():
        objective.SetCoefficient(variable, 1.0)
    objective.SetMaximization()
    _solve_lp(solver, "coverage")
    best_coverage = objective.Value()
    if abs(best_coverage - round(best_coverage)) > INTEGRALITY_TOLERANCE:
        raise RuntimeError(f"LP coverage optimum is not integral: {best_coverage}")

    keep_coverage = solver.Constraint(float(round(best_coverage)), solver.infinity())
    for variable in covered.values():
        keep_coverage.SetCoefficient(variable, 1.0)
    objective.Clear()
    for variable, score in zip(x, problem.score[pairs].tolist(), strict=True):
        objective.SetCoefficient(variable, score)
    objective.SetMaximization()
    _solve_lp(solver, "score")

    values = np.array([variable.solution_value() for variable in x])
    fractional = np.abs(values - np.rint(values))
    if fractional.max() > INTEGRALITY_TOLERANCE:
        worst = int(np.argmax(fractional))
        raise RuntimeError(f"LP solution is not integral: pair {int(pairs[worst])} has x = {values[worst]}")
    return _result(problem, pairs[np.rint(values) == 1])


def _solve_lp(solver: pywraplp.Solver, phase: str) -> None:
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        raise RuntimeError(f"GLOP did not reach an optimum in the {phase} phase (status {status})")


def uncovered(problem: ProposalProblem, result: ProposalResult) -> int:
    """Startups with room (cap >= 1) and at least one eligible pair that got no proposal."""
    could = np.zeros(len(problem.startup_cap), dtype=bool)
    could[problem.startup] = True
    could &= problem.startup_cap > 0
    got = np.zeros(len(problem.startup_cap), dtype=bool)
    got[problem.startup[result.chosen]] = True
    return int((could & ~got).sum())


def check(problem: ProposalProblem, result: ProposalResult) -> None:
    """Raise ``ValueError`` when ``result`` breaks a constraint or misreports its totals."""
    chosen = np.asarray(result.chosen)
    if chosen.ndim != 1 or (chosen.size and chosen.dtype.kind not in "iu"):
        raise ValueError("chosen must be a one-dimensional array of pair indices")
    chosen = chosen.astype(np.int64)
    if chosen.size and (chosen.min() < 0 or chosen.max() >= problem.pairs):
        raise ValueError(f"chosen pair index out of range [0, {problem.pairs})")
    if np.any(np.diff(chosen) <= 0):
        raise ValueError("chosen must be strictly ascending: a pair is proposed at most once")
    for name, index, caps in (
        ("startup", problem.startup[chosen], problem.startup_cap),
        ("corporate", problem.corporate[chosen], problem.corporate_cap),
    ):
        load = np.bincount(index, minlength=len(caps))
        over = np.flatnonzero(load > caps)
        if len(over):
            raise ValueError(f"{name} {int(over[0])} has {int(load[over[0]])} proposals, cap {int(caps[over[0]])}")
    objective = float(problem.score[chosen].sum())
    if not np.isclose(result.objective, objective, rtol=1e-9, atol=1e-9):
        raise ValueError(f"objective {result.objective} but the chosen pairs score {objective}")
    covered = _covered(problem, chosen)
    if result.covered != covered:
        raise ValueError(f"covered {result.covered} but the chosen pairs cover {covered} startups")
