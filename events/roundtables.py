"""Subfield roundtables of a salon's program: which startups sit together, and which BD expert hosts.

Pure Python + OR-Tools: a thin service turns the registered startups (their device areas and taxonomy
concepts) and the BD experts who asked to host (their areas) into :class:`Participant` and
:class:`Host` values and calls :func:`plan_roundtables`; nothing here touches Django or the database.

Rules:

- tables have ``min_size``..``max_size`` members, every startup sits at one table at most, and all of
  them do when the total allows, i.e. when n is a sum of table sizes (:func:`seatable`). Otherwise
  the fewest startups stay unseated: all of them when ``n < min_size`` (no table smaller than
  ``min_size`` is ever made), one when n = 7 with tables of 4 to 6. Those left out are the most
  isolated: fewest other startups sharing an area, then fewest concepts shared with the others.
- a table's area is the area most of its members have; ties go to an area a host asked for, then to
  the alphabetically first. A table without any member area has area ``""``.
- hosts: a host only hosts a table of an area they asked for, and at most one table. As many tables
  as possible get a host (a maximum bipartite matching, by min-cost flow), and among those matchings
  the one whose tables have the most members in their area; a table no free host asked for has host
  ``None``.

Algorithm:

1. *Home area*: each startup's area with the most startups overall (ties: alphabetical); startups
   without an area have none.
2. *Area tables*: per area, biggest first, its s startups make the fewest tables that hold them,
   ``ceil(s / max_size)``, sizes as equal as possible; when those tables cannot all reach
   ``min_size`` (s = 7 with 4..6), ``s // min_size`` full tables, and the members least connected to
   the rest of the area become leftovers (a small area, s < ``min_size``, is leftovers only).
   Members are split by concept similarity: greedy seeding by Jaccard similarity of concept sets (the
   most central member first, then each next seed the member least similar to the seeds so far), then
   repeatedly the (member, table) pair with the highest mean Jaccard similarity to the table's
   members, while the table has room.
3. *Leftovers* (and startups without an area): while they fit into the free places of existing
   tables they join the neighbouring table, the one whose area they have, then with which they share
   the most concepts, then the smallest. When they do not fit, they form new tables among themselves
   (most connected first), and when fewer than ``min_size`` remain, the members of tables above
   ``min_size`` that fit them best join them. The total allowing, this always seats everybody.
4. *Local improvement*: moves (a member to a table with room, leaving at least ``min_size``) and
   swaps (two members of different tables) are applied while one increases, lexicographically, the
   number of members sharing their table's area, then the number of shared concept pairs (over the
   pairs of members of a table, the concepts both have).

Ties are broken by a random order of the startups drawn from ``seed``: a plan is deterministic for a
seed, and the clear-cut cases do not depend on it.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ortools.graph.python import min_cost_flow

# Local improvement stops after this many passes over the startups (each pass that changes nothing ends it).
MAX_PASSES = 50


@dataclass(frozen=True)
class Participant:
    id: int
    areas: frozenset[str]
    concepts: frozenset[str]


@dataclass(frozen=True)
class Host:
    id: int
    areas: frozenset[str]


@dataclass(frozen=True)
class Roundtable:
    area: str
    host: int | None
    members: tuple[int, ...]  # startup ids, ascending
    shared_concepts: tuple[str, ...]  # held by two members or more: most common first, then alphabetical


@dataclass(frozen=True)
class RoundtablePlan:
    tables: tuple[Roundtable, ...]  # by area, then smallest member id
    unseated: tuple[int, ...]  # startup ids, ascending


def seatable(n: int, min_size: int, max_size: int) -> int:
    """The most of ``n`` startups that tables of ``min_size``..``max_size`` can seat exactly."""
    best = 0
    for tables in range(1, n // min_size + 1):
        best = max(best, min(n, tables * max_size))
    return best


def plan_roundtables(
    startups: Sequence[Participant], hosts: Sequence[Host], *, min_size: int = 4, max_size: int = 6, seed: int = 0
) -> RoundtablePlan:
    """Roundtables for ``startups`` with ``hosts``; see the module docstring for the rules.

    ``ValueError`` when the sizes are not 1 <= min_size <= max_size or an id is given twice."""
    _validate(startups, hosts, min_size, max_size)
    seating = _Seating(startups, min_size, max_size, seed)
    unseated = seating.leave_out(len(startups) - seatable(len(startups), min_size, max_size))
    seating.build_area_tables()
    seating.seat_leftovers()
    seating.improve()
    return _plan(seating, hosts, unseated)


def _validate(startups: Sequence[Participant], hosts: Sequence[Host], min_size: int, max_size: int) -> None:
    if not 1 <= min_size <= max_size:
        raise ValueError(f"need 1 <= min_size <= max_size, got {min_size} and {max_size}")
    for what, ids in (("startup", [s.id for s in startups]), ("host", [h.id for h in hosts])):
        repeated = [key for key, count in Counter(ids).items() if count > 1]
        if repeated:
            raise ValueError(f"{what} id {min(repeated)} is given more than once")


class _Seating:
    """Tables as lists of startup positions (indices into ``startups``) while the plan is built."""

    def __init__(self, startups: Sequence[Participant], min_size: int, max_size: int, seed: int):
        self.startups = startups
        self.min = min_size
        self.max = max_size
        n = len(startups)
        order = list(range(n))
        random.Random(seed).shuffle(order)  # noqa: S311 - tie-breaking, not security
        self.rank = [0] * n
        for position, member in enumerate(order):
            self.rank[member] = position
        concepts = [s.concepts for s in startups]
        self.shared = [[len(concepts[i] & concepts[j]) if i != j else 0 for j in range(n)] for i in range(n)]
        self.jaccard = [[_jaccard(concepts[i], concepts[j]) if i != j else 0.0 for j in range(n)] for i in range(n)]
        self.seated = list(range(n))
        self.tables: list[list[int]] = []
        self.leftovers: list[int] = []

    # -- 0. who stays out when the total does not allow everybody ----------------------------------

    def leave_out(self, count: int) -> list[int]:
        def isolation(i: int) -> tuple:
            mates = sum(1 for j in self.seated if j != i and self.startups[i].areas & self.startups[j].areas)
            return (mates, sum(self.shared[i]), -self.rank[i])

        out = sorted(self.seated, key=isolation)[:count]
        self.seated = [i for i in self.seated if i not in set(out)]
        return out

    # -- 1 and 2. area tables ---------------------------------------------------------------------

    def build_area_tables(self) -> None:
        counts = Counter(area for i in self.seated for area in self.startups[i].areas)
        groups: dict[str, list[int]] = {}
        for i in self.seated:
            areas = self.startups[i].areas
            if not areas:
                self.leftovers.append(i)
                continue
            home = min(areas, key=lambda area: (-counts[area], area))
            groups.setdefault(home, []).append(i)
        for _area, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
            self._split_area(sorted(members, key=self.rank.__getitem__))

    def _split_area(self, members: list[int]) -> None:
        size = len(members)
        tables = math.ceil(size / self.max)
        if tables * self.min > size:
            tables = size // self.min
        if tables == 0:
            self.leftovers.extend(members)
            return
        keep = min(size, tables * self.max)
        if keep < size:

            def connection(i: int) -> tuple:
                return (sum(self.shared[i][j] for j in members), -self.rank[i])

            out = set(sorted(members, key=connection)[: size - keep])
            self.leftovers.extend(i for i in members if i in out)
            members = [i for i in members if i not in out]
        sizes = [keep // tables + (1 if t < keep % tables else 0) for t in range(tables)]
        self.tables.extend(self._cluster(members, sizes))

    def _cluster(self, members: list[int], sizes: list[int]) -> list[list[int]]:
        """Split ``members`` into groups of ``sizes`` by Jaccard similarity: seeds far apart, then
        the best (member, group) pair by mean similarity, while the group has room."""
        similarity = self.jaccard
        centrality = {i: sum(similarity[i][j] for j in members) for i in members}
        seeds = [max(members, key=lambda i: (centrality[i], -self.rank[i]))]
        while len(seeds) < len(sizes):
            rest = [i for i in members if i not in seeds]
            seeds.append(min(rest, key=lambda i: (max(similarity[i][s] for s in seeds), -centrality[i], self.rank[i])))
        groups = [[seed] for seed in seeds]
        rest = [i for i in members if i not in seeds]
        while rest:
            best = None
            for i in rest:
                for g, group in enumerate(groups):
                    if len(group) >= sizes[g]:
                        continue
                    key = (sum(similarity[i][j] for j in group) / len(group), -self.rank[i], -g)
                    if best is None or key > best[0]:
                        best = (key, i, g)
            _, i, g = best
            groups[g].append(i)
            rest.remove(i)
        return groups

    # -- 3. leftovers -----------------------------------------------------------------------------

    def seat_leftovers(self) -> None:
        pool = sorted(self.leftovers, key=self.rank.__getitem__)
        while pool:
            room = sum(self.max - len(table) for table in self.tables)
            if len(pool) <= room:
                self._merge(pool)
                return
            if len(pool) < self.min:
                self._pull(pool, self.min - len(pool))
            group = self._gather(pool, min(len(pool), self.max))
            self.tables.append(group)
            pool = [i for i in pool if i not in group]

    def _merge(self, pool: list[int]) -> None:
        """Each leftover joins the neighbouring table with room: its area, most concepts, smallest."""
        pool = list(pool)
        while pool:
            best = None
            for i in pool:
                for t, table in enumerate(self.tables):
                    if len(table) >= self.max:
                        continue
                    key = (
                        self.area_of(table) in self.startups[i].areas,
                        sum(self.shared[i][j] for j in table),
                        -len(table),
                        -self.rank[i],
                        -t,
                    )
                    if best is None or key > best[0]:
                        best = (key, i, t)
            _, i, t = best
            self.tables[t].append(i)
            pool.remove(i)

    def _pull(self, pool: list[int], count: int) -> None:
        """Move ``count`` members of tables above ``min_size`` into ``pool``, those who fit it best."""
        for _ in range(count):
            area = self.area_of(pool)
            best = None
            for t, table in enumerate(self.tables):
                if len(table) <= self.min:
                    continue
                for i in table:
                    gain = sum(self.shared[i][j] for j in pool) - sum(self.shared[i][j] for j in table)
                    key = (area in self.startups[i].areas, gain, -self.rank[i])
                    if best is None or key > best[0]:
                        best = (key, i, t)
            if best is None:  # cannot happen when the total allows; see the module docstring
                raise AssertionError("no table has a member to spare")
            _, i, t = best
            self.tables[t].remove(i)
            pool.append(i)

    def _gather(self, pool: list[int], size: int) -> list[int]:
        """``size`` members of ``pool`` that belong together: the most connected first, then whoever
        shares the group's area, then the most concepts with it."""

        def connection(i: int) -> tuple:
            mates = sum(1 for j in pool if j != i and self.startups[i].areas & self.startups[j].areas)
            return (mates, sum(self.shared[i][j] for j in pool), -self.rank[i])

        group = [max(pool, key=connection)]
        while len(group) < size:
            area = self.area_of(group)
            group.append(
                max(
                    (i for i in pool if i not in group),
                    key=lambda i: (
                        area in self.startups[i].areas,
                        sum(self.shared[i][j] for j in group),
                        -self.rank[i],
                    ),
                )
            )
        return group

    # -- 4. local improvement ---------------------------------------------------------------------

    def improve(self) -> None:
        """Moves and swaps, first improvement, in rank order, until a pass changes nothing.

        Incremental: ``affinity[i][t]`` is the number of concepts member ``i`` shares with the members of
        table ``t`` (itself excluded), and ``counts[t]`` the table's members per area, so each candidate is
        evaluated in time independent of the number of startups."""
        self._where = {i: t for t, table in enumerate(self.tables) for i in table}
        self._counts = [Counter(area for i in table for area in self.startups[i].areas) for table in self.tables]
        self._affinity = {i: [sum(self.shared[i][j] for j in table) for table in self.tables] for i in self._where}
        self._best = [0] * len(self.tables)
        self._top: list[frozenset[str]] = [frozenset()] * len(self.tables)
        for t in range(len(self.tables)):
            self._refresh(t)
        self._order = sorted(self._where, key=self.rank.__getitem__)
        for _ in range(MAX_PASSES):
            changed = False
            for i in self._order:
                changed |= self._move(i) or self._swap(i)
            if not changed:
                return

    def _move(self, i: int) -> bool:
        s = self._where[i]
        if len(self.tables[s]) <= self.min:
            return False
        areas = self.startups[i].areas
        for t, target in enumerate(self.tables):
            if t == s or len(target) >= self.max:
                continue
            coherence = self._coherence_change(s, areas, frozenset()) + self._coherence_change(t, frozenset(), areas)
            pairs = self._affinity[i][t] - self._affinity[i][s]
            if (coherence, pairs) > (0, 0):
                self._apply(i, s, t)
                return True
        return False

    def _swap(self, i: int) -> bool:
        s = self._where[i]
        areas_i = self.startups[i].areas
        affinity_i = self._affinity[i]
        for k in self._order:
            t = self._where[k]
            if t == s:
                continue
            affinity_k = self._affinity[k]
            pairs = affinity_i[t] - affinity_i[s] + affinity_k[s] - affinity_k[t] - 2 * self.shared[i][k]
            areas_k = self.startups[k].areas
            if areas_i == areas_k:
                coherence = 0
            elif pairs <= 0 and not self._can_gain(s, areas_i, areas_k) and not self._can_gain(t, areas_k, areas_i):
                continue  # no gain in pairs nor in area members: no improvement
            else:
                coherence = self._coherence_change(s, areas_i, areas_k) + self._coherence_change(t, areas_k, areas_i)
            if (coherence, pairs) > (0, 0):
                self._apply(i, s, t)
                self._apply(k, t, s)
                return True
        return False

    def _coherence_change(self, t: int, leaving: frozenset[str], joining: frozenset[str]) -> int:
        """How the most members of table ``t`` sharing an area changes when one member with ``leaving``
        areas goes and one with ``joining`` areas comes. Only the areas at the top and the joining ones
        can hold the new most."""
        counts, before = self._counts[t], self._best[t]
        after = before - 1 if self._top[t] and self._top[t] <= leaving else before
        for area in joining:
            after = max(after, counts[area] - (area in leaving) + 1)
        return after - before

    def _can_gain(self, t: int, leaving: frozenset[str], joining: frozenset[str]) -> bool:
        """Whether :meth:`_coherence_change` can be positive: a joining area must reach a new most."""
        if not self._top[t]:
            return bool(joining)
        return bool((joining & self._top[t]) - leaving)

    def _refresh(self, t: int) -> None:
        counts = self._counts[t]
        self._best[t] = max(counts.values(), default=0)
        self._top[t] = frozenset(area for area, count in counts.items() if count == self._best[t] and count > 0)

    def _apply(self, i: int, s: int, t: int) -> None:
        """Move member ``i`` from table ``s`` to table ``t``, keeping the incremental state."""
        self.tables[s].remove(i)
        self.tables[t].append(i)
        self._where[i] = t
        for area in self.startups[i].areas:
            self._counts[s][area] -= 1
            self._counts[t][area] += 1
        self._refresh(s)
        self._refresh(t)
        shared_i = self.shared[i]
        for j, affinity in self._affinity.items():
            affinity[s] -= shared_i[j]
            affinity[t] += shared_i[j]

    def area_of(self, members: Iterable[int], preferred: frozenset[str] = frozenset()) -> str:
        """The area most ``members`` have (ties: one in ``preferred``, then alphabetical), or ``""``."""
        counts = Counter(area for i in members for area in self.startups[i].areas)
        if not counts:
            return ""
        return min(counts, key=lambda area: (-counts[area], area not in preferred, area))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _plan(seating: _Seating, hosts: Sequence[Host], unseated: list[int]) -> RoundtablePlan:
    startups = seating.startups
    hosted = frozenset(area for host in hosts for area in host.areas)
    areas = [seating.area_of(table, hosted) for table in seating.tables]
    in_area = [
        sum(1 for i in table if area in startups[i].areas) for table, area in zip(seating.tables, areas, strict=True)
    ]
    host_of = _assign_hosts(hosts, areas, in_area)
    tables = []
    for t, table in enumerate(seating.tables):
        concepts = Counter(concept for i in table for concept in startups[i].concepts)
        shared = sorted((c for c, count in concepts.items() if count >= 2), key=lambda c: (-concepts[c], c))
        members = tuple(sorted(startups[i].id for i in table))
        tables.append(Roundtable(area=areas[t], host=host_of.get(t), members=members, shared_concepts=tuple(shared)))
    tables.sort(key=lambda table: (table.area, table.members))
    return RoundtablePlan(tables=tuple(tables), unseated=tuple(sorted(startups[i].id for i in unseated)))


def _assign_hosts(hosts: Sequence[Host], areas: list[str], in_area: list[int]) -> dict[int, int]:
    """Table position -> host id: a maximum matching of hosts to tables of an area they asked for, of
    the largest total of members in the tables' areas (min-cost flow with the flow maximised first)."""
    pairs = [(h, t) for h, host in enumerate(hosts) for t, area in enumerate(areas) if area and area in host.areas]
    if not pairs:
        return {}
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    host_node = {h: 2 + h for h in range(len(hosts))}
    table_node = {t: 2 + len(hosts) + t for t in range(len(areas))}
    for h in {h for h, _ in pairs}:
        flow.add_arc_with_capacity_and_unit_cost(source, host_node[h], 1, 0)
    for t in {t for _, t in pairs}:
        flow.add_arc_with_capacity_and_unit_cost(table_node[t], sink, 1, 0)
    arcs = [flow.add_arc_with_capacity_and_unit_cost(host_node[h], table_node[t], 1, -in_area[t]) for h, t in pairs]
    flow.set_node_supply(source, len(hosts))
    flow.set_node_supply(sink, -len(hosts))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"host assignment did not reach an optimum (status {status})")
    return {t: hosts[h].id for arc, (h, t) in zip(arcs, pairs, strict=True) if flow.flow(arc)}
