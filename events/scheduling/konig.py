"""The König method: full availability, every meeting placed in the fewest slots.

König (``method="konig"``). With full availability (no unavailability for any participant of a
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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from events.scheduling.colouring import (
    _cap_subset,
    _EdgeColouring,
    _equitable,
    _order_classes,
    _recoloured,
    konig_colouring,
)
from events.scheduling.cpsat import FOUND, _Model, _report
from events.scheduling.instance import _finish, _Instance
from events.scheduling.problem import Meeting, Schedule, max_degree

# The König gap polish is skipped above this many (meeting, slot) booleans. With 5 deterministic
# seconds it went from 170 to 57 gaps at 500 meetings x 7 slots, 491 to 397 at 1,000 x 10 and 1,099
# to 1,073 at 2,000 x 13, but found no schedule at all at 3,000 x 18 or 5,000 x 24, in 11-12 wall
# seconds each.
KONIG_POLISH_MAX = 30_000


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
