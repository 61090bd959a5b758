"""matching.proposals: hand-made instances with exact answers, and random small instances against a
brute force over every subset of pairs."""

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import proposals
from matching.proposals import ProposalProblem, ProposalResult, candidates, check, greedy, optimal_lp, solve, uncovered

SOLVERS = [solve, optimal_lp]


def problem(pairs, startup_cap, corporate_cap) -> ProposalProblem:
    """``pairs``: (startup, corporate, score) triples."""
    startup, corporate, score = zip(*pairs, strict=True) if pairs else ((), (), ())
    return ProposalProblem(
        startup=np.array(startup, dtype=np.int64),
        corporate=np.array(corporate, dtype=np.int64),
        score=np.array(score, dtype=np.float64),
        startup_cap=np.array(startup_cap),
        corporate_cap=np.array(corporate_cap),
    )


def summary(result: ProposalResult) -> tuple[list[int], float, int]:
    return result.chosen.tolist(), round(result.objective, 9), result.covered


# Startup 0 likes both corporates best; startup 1 only fits corporate 0. One meeting each.
CROWDED = problem([(0, 0, 0.9), (0, 1, 0.8), (1, 0, 0.7)], startup_cap=[1, 1], corporate_cap=[1, 1])


def test_greedy_leaves_a_startup_uncovered_that_the_solvers_cover():
    assert summary(greedy(CROWDED)) == ([0], 0.9, 1)
    assert uncovered(CROWDED, greedy(CROWDED)) == 1
    for solver in SOLVERS:
        result = solver(CROWDED)
        assert summary(result) == ([1, 2], 1.5, 2)
        assert uncovered(CROWDED, result) == 0


def test_greedy_loses_score_when_everyone_is_covered_anyway():
    # Taking 0.9 first pushes startup 1 onto its 0.1 pair: 1.0 in all, against 0.8 + 0.85.
    swap = problem([(0, 0, 0.9), (0, 1, 0.8), (1, 0, 0.85), (1, 1, 0.1)], startup_cap=[1, 1], corporate_cap=[1, 1])
    assert summary(greedy(swap)) == ([0, 3], 1.0, 2)
    for solver in SOLVERS:
        assert summary(solver(swap)) == ([1, 2], 1.65, 2)


def test_coverage_comes_before_any_amount_of_score():
    # Startup 0 could take both meetings (1.8); covering startup 1 as well is worth only 1.1.
    greedy_trap = problem([(0, 0, 0.9), (0, 1, 0.9), (1, 1, 0.2)], startup_cap=[2, 1], corporate_cap=[1, 1])
    assert summary(greedy(greedy_trap)) == ([0, 1], 1.8, 1)
    for solver in SOLVERS:
        assert summary(solver(greedy_trap)) == ([0, 2], 1.1, 2)


def test_coverage_wins_over_a_long_chain_of_better_pairs():
    # Startup 3 only fits corporate 0. Covering it moves every other startup one corporate along
    # the chain, onto its 0.1 pair: the score drops from 2.7 to 0.4, and coverage still wins.
    chain = problem(
        [(0, 0, 0.9), (0, 1, 0.1), (1, 1, 0.9), (1, 2, 0.1), (2, 2, 0.9), (2, 3, 0.1), (3, 0, 0.1)],
        startup_cap=[1, 1, 1, 1],
        corporate_cap=[1, 1, 1, 1],
    )
    assert summary(greedy(chain)) == ([0, 2, 4], 2.7, 3)
    for solver in SOLVERS:
        assert summary(solver(chain)) == ([1, 3, 5, 6], 0.4, 4)


def test_quotas_are_filled_by_score_once_everyone_is_covered():
    # Corporate 0 takes two meetings, corporate 1 one; every startup may take two.
    pairs = [(0, 0, 0.5), (0, 1, 0.4), (1, 0, 0.3), (1, 1, 0.6), (2, 0, 0.2)]
    quotas = problem(pairs, startup_cap=[2, 2, 2], corporate_cap=[2, 1])
    for solver in SOLVERS:
        # Startup 2 needs corporate 0; startups 0 and 1 then share its other seat and corporate
        # 1's: 0.5 + 0.6 beats 0.3 + 0.4.
        assert summary(solver(quotas)) == ([0, 3, 4], 1.3, 3)


def test_zero_caps_take_nothing():
    closed = problem([(0, 0, 0.9), (1, 0, 0.8), (1, 1, 0.7), (2, 1, 0.6)], startup_cap=[0, 1, 1], corporate_cap=[1, 0])
    for solver in [solve, greedy, optimal_lp]:
        result = solver(closed)
        assert summary(result) == ([1], 0.8, 1)
        # Startup 0 has no room, so it does not count; startup 2 does, though its only corporate
        # takes no meetings.
        assert uncovered(closed, result) == 1


def test_an_empty_problem_has_an_empty_answer():
    empty = problem([], startup_cap=[3, 3], corporate_cap=[5])
    for solver in [solve, greedy, optimal_lp]:
        result = solver(empty)
        assert summary(result) == ([], 0.0, 0)
        assert uncovered(empty, result) == 0
        check(empty, result)


def test_candidates_keep_each_startups_best_pairs_among_those_with_room():
    pairs = [(0, 0, 0.2), (0, 1, 0.3), (1, 0, 0.9), (1, 1, 0.1), (2, 0, 0.5), (2, 1, 0.4)]
    # Each corporate keeps its best max(1, 3 * 1) = 3 pairs: all of them.
    assert candidates(problem(pairs, [1, 1, 1], [1, 1]), top_l=1).tolist() == [0, 1, 2, 3, 4, 5]
    # Corporate 0 has no room: only the pairs with corporate 1 remain, each its startup's best.
    assert candidates(problem(pairs, [1, 1, 1], [0, 1]), top_l=1).tolist() == [1, 3, 5]
    assert candidates(problem(pairs, [1, 1, 1], [0, 0]), top_l=1).tolist() == []
    assert candidates(problem(pairs, [0, 1, 0], [1, 1]), top_l=1).tolist() == [2, 3]


def test_candidates_keep_each_corporates_best_pairs_with_ties_at_the_boundary():
    # Startups 0-4 each have a 1.0 pair with a corporate of their own (their top 1) and a pair with
    # corporate 5, which keeps max(top_l, 3 * 1) = 3 pairs, 4 with the tie at 0.5.
    own = [(s, s, 1.0) for s in range(5)]
    shared = [(s, 5, score) for s, score in enumerate([0.9, 0.5, 0.5, 0.5, 0.2])]
    tied = problem(own + shared, startup_cap=[1] * 5, corporate_cap=[1] * 6)
    assert candidates(tied, top_l=1).tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    # With a quota of 2 it keeps 6 pairs: all of them.
    tied.corporate_cap[5] = 2
    assert candidates(tied, top_l=1).tolist() == list(range(10))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(score=[0.5, 0.0]), r"scores must be in \(0, 1\]; pair 1 has 0.0"),
        (dict(score=[1.5, 0.5]), r"pair 0 has 1.5"),
        (dict(score=[0.5, float("nan")]), r"pair 1 has nan"),
        (dict(score=[[0.5, 0.5]]), "score must be one-dimensional"),
        (dict(corporate=[1, 1]), r"pair \(startup 0, corporate 1\) appears 2 times"),
        (dict(startup=[0]), "one entry per pair"),
        (dict(startup=[0, 2]), r"startup indices must be in \[0, 2\)"),
        (dict(corporate=[-1, 1]), r"corporate indices must be in \[0, 2\)"),
        (dict(startup=[0.0, 1.0]), "startup must hold integers"),
        (dict(startup_cap=[1, -1]), "startup_cap must be >= 0"),
        (dict(corporate_cap=[[1, 1]]), "corporate_cap must be one-dimensional"),
    ],
)
def test_it_rejects_malformed_problems(change, message):
    arrays = dict(startup=[0, 0], corporate=[0, 1], score=[0.5, 0.5], startup_cap=[1, 1], corporate_cap=[1, 1])
    arrays.update(change)
    with pytest.raises(ValueError, match=message):
        ProposalProblem(**{name: np.array(value) for name, value in arrays.items()})


def test_it_rejects_a_top_l_below_one():
    with pytest.raises(ValueError, match="top_l must be >= 1"):
        solve(CROWDED, top_l=0)


def test_check_catches_every_kind_of_violation():
    def result(chosen, objective=None, covered=None):
        chosen = np.array(chosen, dtype=np.int64)
        return ProposalResult(
            chosen=chosen,
            objective=float(CROWDED.score[chosen].sum()) if objective is None else objective,
            covered=len(set(CROWDED.startup[chosen].tolist())) if covered is None else covered,
        )

    check(CROWDED, result([1, 2]))
    with pytest.raises(ValueError, match=r"out of range \[0, 3\)"):
        check(CROWDED, ProposalResult(chosen=np.array([3]), objective=0.0, covered=0))
    for bad, message in [
        (result([0, 1]), "startup 0 has 2 proposals, cap 1"),
        (result([0, 2]), "corporate 0 has 2 proposals, cap 1"),
        (result([1, 1]), "strictly ascending"),
        (result([2, 1]), "strictly ascending"),
        (result([1, 2], objective=1.6), "objective 1.6 but the chosen pairs score 1.5"),
        (result([1, 2], covered=1), "covered 1 but the chosen pairs cover 2 startups"),
    ]:
        with pytest.raises(ValueError, match=message):
            check(CROWDED, bad)


def test_solve_refuses_costs_that_would_overflow(monkeypatch):
    monkeypatch.setattr(proposals, "SCALE", 10**18)
    with pytest.raises(ValueError, match="too large for int64 flow costs"):
        solve(CROWDED)


# Random small instances against every subset of pairs.

MAX_PAIRS = 12


@st.composite
def small_problems(draw, startups=5, corporates=4, pairs=MAX_PAIRS) -> ProposalProblem:
    n_startups = draw(st.integers(1, startups))
    n_corporates = draw(st.integers(1, corporates))
    grid = [(s, c) for s in range(n_startups) for c in range(n_corporates)]
    chosen = draw(st.lists(st.sampled_from(grid), unique=True, max_size=pairs))
    hundredths = draw(st.lists(st.integers(1, 100), min_size=len(chosen), max_size=len(chosen)))
    return problem(
        [(s, c, h / 100) for (s, c), h in zip(chosen, hundredths, strict=True)],
        startup_cap=draw(st.lists(st.integers(0, 3), min_size=n_startups, max_size=n_startups)),
        corporate_cap=draw(st.lists(st.integers(0, 3), min_size=n_corporates, max_size=n_corporates)),
    )


def brute_force(problem: ProposalProblem) -> tuple[int, float]:
    """(most startups covered, then best total score) over every subset of pairs."""
    pairs = problem.pairs
    subsets = (np.arange(2**pairs)[:, None] >> np.arange(pairs)) & 1  # (2**pairs, pairs) 0/1
    startup_load = subsets @ np.eye(len(problem.startup_cap), dtype=np.int64)[problem.startup]
    corporate_load = subsets @ np.eye(len(problem.corporate_cap), dtype=np.int64)[problem.corporate]
    feasible = np.all(startup_load <= problem.startup_cap, axis=1) & np.all(
        corporate_load <= problem.corporate_cap, axis=1
    )
    coverage = np.count_nonzero(startup_load, axis=1)
    hundredths = subsets @ np.rint(problem.score * 100).astype(np.int64)  # exact integer totals
    best_coverage = coverage[feasible].max()
    return int(best_coverage), hundredths[feasible & (coverage == best_coverage)].max() / 100


@settings(max_examples=200, deadline=None)
@given(small_problems())
def test_solve_and_lp_reach_the_brute_force_optimum(instance):
    coverage, objective = brute_force(instance)
    for solver in SOLVERS:
        result = solver(instance) if solver is optimal_lp else solver(instance, top_l=MAX_PAIRS)
        check(instance, result)
        assert result.covered == coverage
        assert result.objective == pytest.approx(objective, abs=1e-6)
    baseline = greedy(instance)
    check(instance, baseline)
    assert (baseline.covered, round(baseline.objective, 6)) <= (coverage, round(objective, 6))


def reference_candidates(problem: ProposalProblem, top_l: int) -> list[int]:
    """Pairs with room whose score reaches the top_l-th best of their startup's pairs with room, or
    the max(top_l, 3 * cap)-th best of their corporate's: one group at a time, in plain Python."""
    usable = [
        i
        for i in range(problem.pairs)
        if problem.startup_cap[problem.startup[i]] > 0 and problem.corporate_cap[problem.corporate[i]] > 0
    ]

    def kth_best(side, who, limit):
        scores = sorted((problem.score[i] for i in usable if side[i] == who), reverse=True)
        return scores[limit - 1] if len(scores) > limit else 0.0

    return [
        i
        for i in usable
        if problem.score[i] >= kth_best(problem.startup, problem.startup[i], top_l)
        or problem.score[i]
        >= kth_best(
            problem.corporate, problem.corporate[i], max(top_l, 3 * problem.corporate_cap[problem.corporate[i]])
        )
    ]


@settings(max_examples=200, deadline=None)
@given(small_problems(startups=12, corporates=6, pairs=72), st.integers(1, 4))
def test_candidates_from_the_grid_and_from_sorting_match_the_reference(instance, top_l):
    expected = reference_candidates(instance, top_l)
    for cells_per_pair in (10**9, 0):  # always the dense grid, then never
        with patch.object(proposals, "DENSE_CELLS_PER_PAIR", cells_per_pair):
            assert candidates(instance, top_l=top_l).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(small_problems(), st.integers(1, 3))
def test_solve_on_few_candidates_keeps_every_constraint_and_is_exact_on_them(instance, top_l):
    result = solve(instance, top_l=top_l)
    check(instance, result)
    kept = candidates(instance, top_l=top_l)
    assert set(result.chosen.tolist()) <= set(kept.tolist())
    only_kept = ProposalProblem(
        startup=instance.startup[kept],
        corporate=instance.corporate[kept],
        score=instance.score[kept],
        startup_cap=instance.startup_cap,
        corporate_cap=instance.corporate_cap,
    )
    coverage, objective = brute_force(only_kept)
    assert result.covered == coverage
    assert result.objective == pytest.approx(objective, abs=1e-6)
