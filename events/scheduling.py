"""Where and when the accepted 1:1 meetings of a partnering salon take place: pure Python + OR-Tools.

A thin service (``events.schedule_service``) turns a salon's accepted meetings, slots, tables, unavailable
slots and fixed tables into a :class:`Problem` and calls :func:`schedule`; nothing here touches Django or
the database.
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

Methods:

- **König** (``method="konig"``). With full availability (no unavailability for any participant of a
  meeting, no locks, no current placements, no meeting between two fixed tables) the meetings form a
  bipartite multigraph, startups x BD teams (a pair may meet more than once). By König's edge-colouring
  theorem its edges split into Δ matchings, Δ the largest number of meetings of one participant, so Δ
  slots suffice, and no schedule uses fewer. :func:`konig_colouring` finds such a colouring with the
  alternating-path (Kempe chain) algorithm in O(E·(V + Δ)). Tables: by de Werra's theorem a bipartite
  multigraph has an equitable k-edge-colouring for every k >= Δ (class sizes differ by at most one);
  :func:`equitable_colouring` gets it by swapping colours along alternating paths of the largest and the
  smallest class (as many paths per pair of classes as bring them within one, found by walking from the
  vertices that have the larger colour and not the smaller). Meetings at a fixed table never compete for
  tables (the owner is in one meeting per slot); the others need one of the F free (not reserved)
  tables. So k = max(Δ, ceil(n_free / F)) slots are needed (n_free: meetings without a fixed table), and
  k = Δ when tables are plentiful. When ceil(m / k) <= F every equitable k-colouring fits the tables.
  Otherwise the scheduler also swaps alternating components that keep the colouring equitable and lower
  the meetings without a fixed table in the classes that have more than F; if that gets stuck (about 2%
  of random small cases), CP-SAT looks for a schedule in k slots from that colouring (half the time
  limit), and only then is k + 1 tried. Over thousands of random small cases k slots always existed and
  were found. The k classes go to the first k slots in an order with few idle gaps (an asymmetric path
  TSP over colour classes: the cost of class d after class c is the number of participants busy in d but
  not in c; nearest neighbour from every start, then moving one class at a time while it helps, each
  move priced in O(1)). If ``time_limit > 0`` and the salon is small enough (at most
  ``KONIG_POLISH_MAX`` meeting x slot pairs: beyond that CP-SAT found no schedule in budget) CP-SAT then
  minimises the gaps keeping every meeting in those k slots and at most ceil(m / k) meetings per slot.
  Every meeting is placed (best score) in the fewest slots; ``optimal`` says whether the gaps are proven
  minimal for those k slots as well. 5,000 meetings x 1,000 participants take about 0.1 s.
- **CP-SAT** (``method="cp-sat"``), every other case. A boolean per (meeting, allowed slot); one slot at
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
- **Constructive** (``method="constructive"``): locked meetings; meetings that can keep their previous
  place, by score; then the rest by descending score, each into the feasible slot that starts the
  fewest new blocks of busy slots for its two participants, the earliest on ties; then, again by
  descending score, each meeting left out is inserted into a slot whose meetings in the way (of
  either participant, or one at a free table when all are taken) can move to other slots, themselves
  making room the same way up to ``MOVE_DEPTH`` levels deep (placed meetings stay placed, locked ones
  stay put), in passes until one inserts nothing. Returned when CP-SAT finds nothing better in time
  (with ``optimal`` true if CP-SAT proved that nothing is). On the benchmark's 5,000 meetings with 20%
  of the slots unavailable it places 4,919, as many as the BD teams' available slots allow, in about
  half a second, where first come, first served places 4,797 and cold CP-SAT 4,870-4,888 in 60 s.

Determinism: CP-SAT runs with ``random_seed=seed``, ``interleave_search`` on a fixed number of threads
(``WORKERS``; the interleaved search synchronises its subsolvers in fixed batches of ``BATCH`` tasks),
only the ``SUBSOLVERS`` full-problem subsolver next to the neighbourhood searches, and a *deterministic*
time limit: ``time_limit`` is in CP-SAT's deterministic seconds, meant to be about a second of one
core's work (on a loaded two-core machine one took 2.5-3.5 wall seconds). A problem and a seed always
give the same schedule. A wall-clock stop at ``WALL_FACTOR`` times the budget (plus ``WALL_MARGIN``
seconds) only guards against a runaway solve; if it ever triggers, the result depends on the machine's
load.

Public API: :class:`Meeting`, :class:`Problem`, :class:`Schedule`, :func:`schedule` (the entry point),
:func:`constructive`, :func:`cp_sat` (the CP-SAT model alone, optionally without warm start),
:func:`validate`, :func:`konig_colouring`, :func:`equitable_colouring`, :func:`max_degree`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

UNAVAILABLE = "unavailable"
FIXED_TABLES = "fixed_tables"
NO_CAPACITY = "no_capacity"
REASONS = (UNAVAILABLE, FIXED_TABLES, NO_CAPACITY)
METHODS = ("konig", "cp-sat", "constructive")

# Scores become integer weights in millionths, as in matching.proposals.
SCALE = 10**6
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
# Meetings the greedy could not place are inserted by moving others, at most this many levels deep
# (on the benchmark's salon b, 1 level placed 4,910 meetings, 2 or 3 levels 4,919: all that can be).
MOVE_DEPTH = 2
# The König gap polish is skipped above this many (meeting, slot) booleans. With 5 deterministic
# seconds it went from 170 to 57 gaps at 500 meetings x 7 slots, 491 to 397 at 1,000 x 10 and 1,099
# to 1,073 at 2,000 x 13, but found no schedule at all at 3,000 x 18 or 5,000 x 24, in 11-12 wall
# seconds each.
KONIG_POLISH_MAX = 30_000


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
    optimal: bool  # proven optimal (see the module docstring for the König case)


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


# --------------------------------------------------------------------------------------------------
# Edge colouring of bipartite multigraphs


class _EdgeColouring:
    """A partial proper edge colouring with colours 0..k-1 of a bipartite multigraph; ``at[x][c]`` is
    the edge of colour c at vertex x, or -1."""

    def __init__(self, edges: list[tuple[int, int]], k: int) -> None:
        left: dict[int, int] = {}
        right: dict[int, int] = {}
        for u, v in edges:
            left.setdefault(u, len(left))
            right.setdefault(v, len(right))
        self.ends = [(left[u], len(left) + right[v]) for u, v in edges]
        self.k = k
        self.at = [[-1] * k for _ in range(len(left) + len(right))]
        self.colour = [-1] * len(edges)
        self.size = [0] * k

    def set(self, e: int, c: int) -> None:
        u, v = self.ends[e]
        self.at[u][c] = self.at[v][c] = e
        self.colour[e] = c
        self.size[c] += 1

    def unset(self, e: int) -> None:
        u, v = self.ends[e]
        c = self.colour[e]
        self.at[u][c] = self.at[v][c] = -1
        self.colour[e] = -1
        self.size[c] -= 1

    def other(self, e: int, x: int) -> int:
        u, v = self.ends[e]
        return v if x == u else u

    def swap(self, edges: list[int], a: int, b: int) -> None:
        """Exchange colours a and b on ``edges``, a union of components of the (a, b) subgraph."""
        new = [b if self.colour[e] == a else a for e in edges]
        for e in edges:
            self.unset(e)
        for e, c in zip(edges, new, strict=True):
            self.set(e, c)

    def component(self, e: int, a: int, b: int) -> list[int]:
        """The path or even cycle of colours a and b through edge ``e``."""
        found = {e}
        stack = list(self.ends[e])
        while stack:
            x = stack.pop()
            for c in (a, b):
                f = self.at[x][c]
                if f != -1 and f not in found:
                    found.add(f)
                    stack.append(self.other(f, x))
        return sorted(found)

    def path(self, x: int, a: int, b: int) -> list[int]:
        """The edges of the alternating path that leaves vertex ``x`` by its edge of colour a, then
        colours b, a, b, ... until it stops (``x`` has no edge of colour b: it is an end)."""
        at, path, c = self.at, [], a
        while (f := at[x][c]) != -1:
            path.append(f)
            x = self.other(f, x)
            c = b if c == a else a
        return path

    def components(self, a: int, b: int) -> list[list[int]]:
        seen: set[int] = set()
        result = []
        for e, c in enumerate(self.colour):
            if (c == a or c == b) and e not in seen:
                part = self.component(e, a, b)
                seen.update(part)
                result.append(part)
        return result


def _degree(edges: list[tuple[int, int]]) -> int:
    degree = Counter(("left", u) for u, _ in edges) + Counter(("right", v) for _, v in edges)
    return max(degree.values(), default=0)


def _konig(edges: list[tuple[int, int]]) -> _EdgeColouring:
    colouring = _EdgeColouring(edges, _degree(edges))
    at = colouring.at
    for e, (u, v) in enumerate(colouring.ends):
        a = at[u].index(-1)  # free at u: u has fewer than Δ coloured edges yet
        if at[v][a] != -1:
            b = at[v].index(-1)
            # The path from v along colours a, b, a, ... never reaches u: it enters the side of u
            # through edges of colour a, which u has none of. Swapping it frees a at v.
            colouring.swap(colouring.path(v, a, b), a, b)
        colouring.set(e, a)
    return colouring


def konig_colouring(edges: list[tuple[int, int]]) -> list[int]:
    """Proper edge colouring of the bipartite multigraph ``edges`` = [(left vertex, right vertex)]
    (left and right ids are separate namespaces; repeated pairs are parallel edges) with exactly Δ
    colours 0..Δ-1, Δ the largest degree.

    Edges are coloured one by one. Edge (u, v) takes a colour a free at u; if a is used at v, take a
    colour b free at v and exchange a and b along the alternating a/b path starting at v, which frees
    a at v without touching u (König's argument). O(E·(V + Δ))."""
    return list(_konig(list(edges)).colour)


def _equitable(colouring: _EdgeColouring) -> None:
    size, at, k = colouring.size, colouring.at, colouring.k
    while True:
        a = max(range(k), key=size.__getitem__)
        b = min(range(k), key=size.__getitem__)
        if size[a] - size[b] <= 1:
            return
        # The (a, b) subgraph is a union of paths and even cycles. Having more a than b edges, some of
        # its components are paths with one more a edge than b edges: both their ends have an a edge
        # and no b edge. Walk from every such vertex and swap the paths that end the same way (each
        # moves one edge from a to b; the other components stay as they are) until a and b are
        # within one of each other. One pass over the vertices per pair of classes.
        before = size[a]
        for x, row in enumerate(at):
            if size[a] - size[b] <= 1:
                break
            if row[a] != -1 and row[b] == -1 and len(path := colouring.path(x, a, b)) % 2:
                colouring.swap(path, a, b)
        if size[a] == before:  # pragma: no cover - impossible for a proper colouring
            raise AssertionError("no alternating path to balance colour classes")


def _recoloured(edges: list[tuple[int, int]], colours: list[int], k: int) -> _EdgeColouring:
    colouring = _EdgeColouring(edges, k)
    for e, c in enumerate(colours):
        if not 0 <= c < k:
            raise ValueError(f"edge {e} has colour {c}, outside 0..{k - 1}")
        u, v = colouring.ends[e]
        if colouring.at[u][c] != -1 or colouring.at[v][c] != -1:
            raise ValueError(f"colouring is not proper: colour {c} twice at an end of edge {e}")
        colouring.set(e, c)
    return colouring


def equitable_colouring(edges: list[tuple[int, int]], k: int, colours: list[int] | None = None) -> list[int]:
    """Proper edge colouring of a bipartite multigraph with colours 0..k-1 (k >= Δ) whose classes
    differ in size by at most one, so none exceeds ceil(E / k) (de Werra).

    Starts from ``colours`` (a proper colouring with colours < k) or from :func:`konig_colouring`, then,
    while the largest class a and the smallest b differ by two or more, swaps a and b on a component
    of the (a, b) subgraph with more a than b edges."""
    edges = list(edges)
    delta = _degree(edges)
    if k < delta:
        raise ValueError(f"{k} colours are too few for a multigraph of max degree {delta}")
    if not edges:
        return []
    colouring = _recoloured(edges, konig_colouring(edges) if colours is None else colours, k)
    _equitable(colouring)
    return list(colouring.colour)


def _cap_subset(colouring: _EdgeColouring, subset: list[bool], cap: int) -> bool:
    """Swap alternating components until every class has at most ``cap`` edges of ``subset``, keeping
    the classes equitable. Each swap lowers the total excess over ``cap``; False when none does."""
    m, k = len(subset), colouring.k
    low, high = m // k, -(-m // k)
    size, colour = colouring.size, colouring.colour
    inside = [0] * k
    for e, c in enumerate(colour):
        inside[c] += subset[e]

    def excess(count: int) -> int:
        return max(0, count - cap)

    while any(count > cap for count in inside):
        swapped = False
        for a in sorted((c for c in range(k) if inside[c] > cap), key=lambda c: (-inside[c], c)):
            for b in sorted((c for c in range(k) if c != a), key=lambda c: (inside[c], c)):
                for part in colouring.components(a, b):
                    in_a = sum(colour[e] == a for e in part)
                    sub_a = sum(subset[e] for e in part if colour[e] == a)
                    sub_b = sum(subset[e] for e in part) - sub_a
                    size_a, size_b = size[a] - in_a + (len(part) - in_a), size[b] + in_a - (len(part) - in_a)
                    if not (low <= size_a <= high and low <= size_b <= high):
                        continue
                    new_a, new_b = inside[a] - sub_a + sub_b, inside[b] - sub_b + sub_a
                    if excess(new_a) + excess(new_b) < excess(inside[a]) + excess(inside[b]):
                        colouring.swap(part, a, b)
                        inside[a], inside[b] = new_a, new_b
                        swapped = True
                        break
                if swapped:
                    break
            if swapped:
                break
        if not swapped:
            return False
    return True


def _order_classes(members: list[set[int]], k: int) -> list[int]:
    """An order of colour classes 0..k-1 over consecutive slots with few blocks of busy slots.

    ``members[p]`` is the set of classes participant p is busy in. A participant starts a block at
    class d placed after class c iff it is in d and not in c, so the blocks of an order are a path
    through the classes with cost ``start[d]`` for the first class and ``cost[c][d]`` per step: an
    asymmetric travelling-salesman path. Nearest neighbour from every start, improved by moving one
    class at a time to another position while that helps; the best order wins (ties: first found)."""
    if k <= 1:
        return list(range(k))
    # Participants as bits: inside[d] has bit p set iff participant p is busy in class d.
    inside = [0] * k
    for p, classes in enumerate(members):
        for d in classes:
            inside[d] |= 1 << p
    # A path over the classes is a cycle through a dummy node k: cost[k][d] = start[d], cost[c][k] = 0.
    cost = [[(inside[d] & ~inside[c]).bit_count() for d in range(k)] + [0] for c in range(k)]
    cost.append([inside[d].bit_count() for d in range(k)] + [0])

    def length(order: list[int]) -> int:
        return sum(cost[c][d] for c, d in zip([k, *order], order, strict=False))

    best, best_length = None, None
    for first in range(k):
        order, left = [first], set(range(k)) - {first}
        while left:
            nxt = min(left, key=lambda d: (cost[order[-1]][d], d))
            order.append(nxt)
            left.remove(nxt)
        current = length(order)
        improved = True
        while improved:
            improved = False
            for i in range(k):
                # Move class order[i] to position j of the others (first improvement, in this order):
                # the change in length is local to the two places.
                x, rest = order[i], order[:i] + order[i + 1 :]
                before, after = order[i - 1] if i else k, order[i + 1] if i < k - 1 else k
                removal = cost[before][after] - cost[before][x] - cost[x][after]
                for j in range(k):
                    if j == i:
                        continue
                    q, r = rest[j - 1] if j else k, rest[j] if j < k - 1 else k
                    if removal + cost[q][x] + cost[x][r] - cost[q][r] < 0:
                        order = rest[:j] + [x] + rest[j:]
                        current, improved = length(order), True
                        break
                if improved:
                    break
        if best_length is None or current < best_length:
            best, best_length = order, current
    return best


# --------------------------------------------------------------------------------------------------
# Problem preparation, tables and figures


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


def _key(inst: _Instance, result: Schedule) -> tuple[int, int, int]:
    """Lexicographic objective, larger is better."""
    placed = {m.id for m in inst.problem.meetings} & result.placements.keys()
    weight = sum(w for w, m in zip(inst.weight, inst.problem.meetings, strict=True) if m.id in placed)
    return weight, -result.moved, -result.idle_gaps


# --------------------------------------------------------------------------------------------------
# Constructive


def _greedy(inst: _Instance, slot_of: dict[int, int] | None = None) -> dict[int, int]:
    """Extend ``slot_of`` (position per meeting index) greedily; see :func:`constructive`."""
    meetings = inst.problem.meetings
    slot_of = dict(slot_of or {})
    busy: dict[int, set[int]] = defaultdict(set)
    load = [0] * inst.n_slots
    claimed = set()

    def take(i: int, pos: int) -> None:
        m = meetings[i]
        busy[m.startup].add(pos)
        busy[m.corporate].add(pos)
        if inst.table[i] is None and inst.locked[i] is None:
            load[pos] += 1
        if inst.stay[i] is not None and inst.stay[i][0] == pos and inst.stay[i] not in claimed:
            claimed.add(inst.stay[i])

    def fits(i: int, pos: int) -> bool:
        m = meetings[i]
        return (
            pos not in busy[m.startup]
            and pos not in busy[m.corporate]
            and (inst.table[i] is not None or load[pos] < inst.capacity[pos])
        )

    def new_blocks(p: int, pos: int) -> int:
        return 1 - (pos - 1 in busy[p]) - (pos + 1 in busy[p])

    for i, lock in enumerate(inst.locked):
        if lock is not None:
            take(i, lock[0])
    for i, pos in slot_of.items():
        take(i, pos)
    order = sorted(inst.variable, key=lambda i: (-inst.weight[i], i))
    for i in order:
        if i not in slot_of and inst.stay[i] is not None and inst.stay[i] not in claimed and fits(i, inst.stay[i][0]):
            slot_of[i] = inst.stay[i][0]
            take(i, slot_of[i])
    for i in order:
        if i in slot_of:
            continue
        m = meetings[i]
        options = [pos for pos in inst.allowed[i] if fits(i, pos)]
        if options:
            slot_of[i] = min(options, key=lambda pos: (new_blocks(m.startup, pos) + new_blocks(m.corporate, pos), pos))
            take(i, slot_of[i])
    return _insert_by_moves(inst, slot_of, order)


def _insert_by_moves(inst: _Instance, slot_of: dict[int, int], order: list[int]) -> dict[int, int]:
    """Place more of the meetings ``order`` lists (the unplaced ones, in that order) by moving others:
    a meeting goes to an allowed slot once the meetings in its way (of either participant, or one at a
    free table when the slot's tables are all taken) move to other slots, themselves making room the
    same way, at most ``MOVE_DEPTH`` levels deep; the place being freed is reserved meanwhile. Placed
    meetings stay placed and locked ones stay put, so every insertion raises the score. Passes over
    the unplaced meetings repeat until one inserts nothing: the result is maximal."""
    meetings, table, locked, capacity = inst.problem.meetings, inst.table, inst.locked, inst.capacity
    slot_of = dict(slot_of)
    at: dict[tuple[int, int], int] = {}  # (participant, position) -> meeting index
    load = [0] * inst.n_slots  # per position: meetings at a free table (locked ones: in capacity)
    members: list[set[int]] = [set() for _ in range(inst.n_slots)]  # movable meetings per position
    count: Counter = Counter()  # meetings per participant
    reserved: set[tuple[int, int]] = set()  # (participant, position) being freed up the chain
    holds = [0] * inst.n_slots  # per position: free tables being freed up the chain
    log: list[tuple[int, int | None]] = []  # (meeting, its position before the change)
    for i, lock in enumerate(locked):
        if lock is not None:
            at[meetings[i].startup, lock[0]] = at[meetings[i].corporate, lock[0]] = i
            count.update((meetings[i].startup, meetings[i].corporate))
    # A participant with as many meetings as slots it attends cannot take one more, moves or not.
    attends = {p: inst.n_slots - len(set(off) & inst.position.keys()) for p, off in inst.problem.unavailable.items()}

    def place(i: int, pos: int) -> None:
        m = meetings[i]
        slot_of[i] = pos
        at[m.startup, pos] = at[m.corporate, pos] = i
        load[pos] += table[i] is None
        members[pos].add(i)
        count.update((m.startup, m.corporate))

    def lift(i: int) -> None:
        m, pos = meetings[i], slot_of.pop(i)
        del at[m.startup, pos], at[m.corporate, pos]
        load[pos] -= table[i] is None
        members[pos].discard(i)
        count.subtract((m.startup, m.corporate))

    def undo(mark: int) -> None:
        while len(log) > mark:
            i, pos = log.pop()
            if i in slot_of:
                lift(i)
            if pos is not None:
                place(i, pos)

    def short(i: int, pos: int) -> bool:
        return table[i] is None and load[pos] + holds[pos] >= capacity[pos]

    def move(j: int, depth: int) -> bool:
        """Move placed meeting j to another position (changes logged; the caller undoes a failure)."""
        old = slot_of[j]
        log.append((j, old))
        lift(j)
        return insert(j, depth, old)

    def insert(i: int, depth: int, avoid: int | None = None) -> bool:
        """Put unplaced meeting i at a position but ``avoid``; on failure the state is as it was."""
        m, candidates = meetings[i], []
        for pos in inst.allowed[i]:
            cells = ((m.startup, pos), (m.corporate, pos))
            if pos == avoid or cells[0] in reserved or cells[1] in reserved:
                continue
            way = sorted({at[cell] for cell in cells if cell in at})
            if not way and not short(i, pos):
                log.append((i, None))
                place(i, pos)
                return True
            if depth and all(locked[j] is None for j in way):
                freed = sum(table[j] is None for j in way)
                tables_short = table[i] is None and load[pos] + holds[pos] - freed >= capacity[pos]
                candidates.append((len(way) + tables_short, pos, cells, way))
        for _, pos, cells, way in sorted(candidates):
            mark = len(log)
            reserved.update(cells)
            holds[pos] += table[i] is None
            moved = all(move(j, depth - 1) for j in way)
            reserved.difference_update(cells)
            holds[pos] -= table[i] is None
            if moved and short(i, pos):  # a meeting at a free table leaves, straight to another slot
                for j in sorted(members[pos]):
                    if table[j] is None:
                        before = len(log)
                        if move(j, 0):
                            break
                        undo(before)
            if moved and cells[0] not in at and cells[1] not in at and not short(i, pos):
                log.append((i, None))
                place(i, pos)
                return True
            undo(mark)
        return False

    for i, pos in slot_of.items():
        m = meetings[i]
        at[m.startup, pos] = at[m.corporate, pos] = i
        load[pos] += table[i] is None
        members[pos].add(i)
        count.update((m.startup, m.corporate))
    inserted = True
    while inserted:
        inserted = False
        for i in order:
            m = meetings[i]
            if i in slot_of or any(count[p] >= attends.get(p, inst.n_slots) for p in (m.startup, m.corporate)):
                continue
            inserted |= insert(i, MOVE_DEPTH)
            log.clear()
    return slot_of


def constructive(problem: Problem) -> Schedule:
    """Greedy schedule: locked meetings; meetings that can keep their previous place (by descending
    score); the others by descending score, each into the feasible slot that opens the fewest new
    blocks of busy slots for its participants, the earliest on ties; then the meetings left out, by
    descending score, wherever moving others (up to ``MOVE_DEPTH`` levels deep) makes room. Tables
    as in :func:`schedule`."""
    inst = _instance(problem)
    return _finish(inst, _greedy(inst), "constructive", optimal=not inst.variable)


# --------------------------------------------------------------------------------------------------
# CP-SAT


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


# --------------------------------------------------------------------------------------------------
# Entry point


def _konig_schedule(inst: _Instance, time_limit: float, seed: int, say: Callable[[str], None]) -> Schedule | None:
    problem = inst.problem
    meetings, n_slots = problem.meetings, inst.n_slots
    if any(m.locked is not None or m.current is not None for m in meetings):
        return None
    if len(inst.variable) < len(meetings) or any(len(inst.allowed[i]) != n_slots for i in inst.variable):
        return None  # an unplaceable meeting, or somebody unavailable somewhere
    if not meetings:
        return _finish(inst, {}, "konig", True)
    delta = max_degree(meetings)
    free = [table is None for table in inst.table]
    n_free, n_tables = sum(free), len(inst.free_tables)
    if n_free and not n_tables:
        return None
    edges = [(m.startup, m.corporate) for m in meetings]
    base = konig_colouring(edges)
    lowest = max(delta, -(-n_free // n_tables) if n_free else 0)
    for k in range(lowest, n_slots + 1):
        colouring = _recoloured(edges, base, k)
        _equitable(colouring)
        balanced = _cap_subset(colouring, free, n_tables)
        slot_of = _ordered(meetings, colouring)
        if balanced:
            result = _finish(inst, slot_of, "konig", False)
            result.optimal = result.idle_gaps == 0
            say(f"König: Δ = {delta}, {k} slots, {result.idle_gaps} idle gaps after ordering the colour classes")
            if time_limit > 0 and not result.optimal and len(meetings) * k <= KONIG_POLISH_MAX:
                polished = _konig_polish(inst, slot_of, k, time_limit / 2 if k > lowest else time_limit, seed, say)
                if polished is not None and polished.idle_gaps <= result.idle_gaps:
                    result = polished
            return result
        if k == lowest and time_limit > 0:
            # Swapping alternating components did not bring every slot's meetings without a fixed
            # table down to the free tables; CP-SAT settles whether k slots can (from that colouring).
            say(f"König: Δ = {delta}, balancing {k} colour classes over {n_tables} free tables needs CP-SAT")
            if (result := _konig_polish(inst, slot_of, k, time_limit / 4, seed, say)) is not None:
                return result
            # Meetings at fixed tables can make ceil(m / k) per slot impossible in k slots (a slot may
            # need every owner's table besides the free ones): k slots are still possible unbalanced.
            if (result := _konig_polish(inst, slot_of, k, time_limit / 4, seed, say, balanced=False)) is not None:
                return result
    say(f"König: Δ = {delta}, no balanced colouring into at most {n_slots} slots fits {n_tables} free tables")
    return None


def _ordered(meetings: tuple[Meeting, ...], colouring: _EdgeColouring) -> dict[int, int]:
    """Position per meeting index: colour classes over the first slots, ordered by _order_classes."""
    members: dict[int, set[int]] = defaultdict(set)
    for m, c in zip(meetings, colouring.colour, strict=True):
        members[m.startup].add(c)
        members[m.corporate].add(c)
    order = _order_classes(list(members.values()), colouring.k)
    at = {c: pos for pos, c in enumerate(order)}
    return {i: at[c] for i, c in enumerate(colouring.colour)}


def _konig_polish(
    inst: _Instance,
    slot_of: dict[int, int],
    k: int,
    budget: float,
    seed: int,
    say: Callable[[str], None],
    *,
    balanced: bool = True,
) -> Schedule | None:
    """Fewest gaps with every meeting in the first k slots (``balanced``: at most ceil(m / k) per
    slot), hinted with ``slot_of``; None when CP-SAT finds no such schedule in time."""
    cap = -(-len(inst.problem.meetings) // k) if balanced else None
    model = _Model(inst, positions=range(k), place_all=True, slot_cap=cap)
    gaps, _ = model.gaps()
    model.hint(slot_of)
    model.model.minimize(gaps)
    solver, status = model.solve(budget, seed)
    say(f"König gaps polish in {k} slots: {_report(solver, status)}")
    if status not in FOUND:
        return None
    return _finish(inst, model.read(solver), "konig", status == cp_model.OPTIMAL)


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


# --------------------------------------------------------------------------------------------------
# Validation


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
