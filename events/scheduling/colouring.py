"""Edge colourings of bipartite multigraphs, for the König method (:mod:`events.scheduling.konig`).

König's colouring with Δ colours (:func:`konig_colouring`), de Werra's equitable colouring with k >= Δ
colours (:func:`equitable_colouring`), swaps of alternating components that bound the edges of a
subset per colour class, and an order of the classes over consecutive slots with few idle gaps.
Edges and vertices only: no meetings, slots or tables here.
"""

from __future__ import annotations

from collections import Counter


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
