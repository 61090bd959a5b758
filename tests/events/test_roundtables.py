import random
from collections import Counter
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.roundtables import Host, Participant, Roundtable, RoundtablePlan, plan_roundtables, seatable

CARDIO = "cardiology"
NEURO = "neurology"

# Two concept clusters within cardiology: rhythm monitoring and interventional devices.
RHYTHM = [
    "ecg arrhythmia wearable",
    "ecg arrhythmia ai",
    "ecg wearable holter",
    "arrhythmia holter ai",
    "ecg ai wearable",
]
INTERVENTIONAL = [
    "stent catheter balloon",
    "stent catheter imaging",
    "catheter balloon guidewire",
    "stent guidewire imaging",
    "stent catheter guidewire",
]


def startup(id: int, areas: str, concepts: str) -> Participant:
    return Participant(id=id, areas=frozenset(areas.split()), concepts=frozenset(concepts.split()))


def host(id: int, areas: str) -> Host:
    return Host(id=id, areas=frozenset(areas.split()))


def groups(plan: RoundtablePlan) -> list[tuple[int, ...]]:
    return [table.members for table in plan.tables]


def ten_cardiology() -> list[Participant]:
    return [startup(i, CARDIO, concepts) for i, concepts in enumerate(RHYTHM + INTERVENTIONAL, start=1)]


# Exact groupings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_two_concept_clusters_make_two_tables(seed):
    startups = ten_cardiology()
    random.Random(seed).shuffle(startups)
    plan = plan_roundtables(startups, [host(100, CARDIO), host(101, f"{CARDIO} {NEURO}")], seed=seed)

    assert groups(plan) == [(1, 2, 3, 4, 5), (6, 7, 8, 9, 10)]
    assert [table.area for table in plan.tables] == [CARDIO, CARDIO]
    assert {table.host for table in plan.tables} == {100, 101}
    assert plan.unseated == ()
    assert plan.tables[0].shared_concepts == ("ecg", "ai", "arrhythmia", "wearable", "holter")
    assert plan.tables[1].shared_concepts == ("catheter", "stent", "guidewire", "balloon", "imaging")


def test_leftovers_of_a_small_area_join_the_neighbouring_tables():
    # 9 cardiology startups make tables of 5 and 4; the 3 neurology startups are too few for a table
    # of their own and join the table they share concepts with, up to 6 members.
    startups = [
        *(startup(i, CARDIO, concepts) for i, concepts in enumerate(RHYTHM + INTERVENTIONAL[:4], start=1)),
        startup(21, NEURO, "catheter thrombectomy stroke"),
        startup(22, NEURO, "guidewire thrombectomy stroke"),
        startup(23, NEURO, "eeg stroke ai"),
    ]
    plan = plan_roundtables(startups, [host(100, CARDIO), host(101, NEURO)])

    assert plan == RoundtablePlan(
        tables=(
            Roundtable(
                area=CARDIO,
                host=100,  # the table with the most cardiology members
                members=(1, 2, 3, 4, 5, 23),
                shared_concepts=("ai", "ecg", "arrhythmia", "wearable", "holter"),
            ),
            Roundtable(
                area=CARDIO,
                host=None,  # the only other host asked for neurology, and no table is one
                members=(6, 7, 8, 9, 21, 22),
                shared_concepts=("catheter", "guidewire", "stent", "balloon", "imaging", "stroke", "thrombectomy"),
            ),
        ),
        unseated=(),
    )


def test_too_few_leftovers_without_room_take_the_members_who_fit_them_best():
    # 12 cardiology startups fill two tables of 6; the 3 neurology startups need a fourth member, and the
    # one cardiology startup that works in neurology as well joins them.
    rhythm = [*RHYTHM, "ecg holter ai"]
    interventional = [*INTERVENTIONAL, "stent balloon imaging"]
    startups = [
        *(startup(i, CARDIO, concepts) for i, concepts in enumerate(rhythm, start=1)),
        *(startup(i, CARDIO, concepts) for i, concepts in enumerate(interventional, start=7)),
        startup(21, NEURO, "thrombectomy stroke"),
        startup(22, NEURO, "thrombectomy stroke eeg"),
        startup(23, NEURO, "stroke eeg"),
    ]
    startups[10] = startup(11, f"{CARDIO} {NEURO}", "catheter thrombectomy stroke")
    plan = plan_roundtables(startups, [host(100, CARDIO), host(101, NEURO)])

    assert groups(plan) == [(1, 2, 3, 4, 5, 6), (7, 8, 9, 10, 12), (11, 21, 22, 23)]
    assert [(table.area, table.host) for table in plan.tables] == [(CARDIO, 100), (CARDIO, None), (NEURO, 101)]
    assert plan.tables[2].shared_concepts == ("stroke", "thrombectomy", "eeg")


def test_leftovers_that_do_not_fit_form_a_table_of_their_own():
    rhythm = [*RHYTHM, "ecg holter ai"]
    interventional = [*INTERVENTIONAL, "stent balloon imaging"]
    startups = [
        *(startup(i, CARDIO, concepts) for i, concepts in enumerate(rhythm + interventional, start=1)),
        startup(31, "dermatology", "ai imaging"),
        startup(32, "ophthalmology", "ai retina"),
        startup(33, "ent", "ai hearing"),
        startup(34, "dental", "ai"),
    ]
    plan = plan_roundtables(startups, [host(100, "ent"), host(101, "dental ent")])

    assert groups(plan) == [(1, 2, 3, 4, 5, 6), (7, 8, 9, 10, 11, 12), (31, 32, 33, 34)]
    # Every area of the mixed table has one member: a hosted one is preferred, then alphabetical order.
    assert plan.tables[2].area == "dental"
    assert plan.tables[2].host == 101
    assert [table.host for table in plan.tables[:2]] == [None, None]


def test_fewer_startups_than_a_table_are_all_unseated():
    startups = [startup(3, CARDIO, "ecg"), startup(1, CARDIO, "ecg"), startup(2, NEURO, "eeg")]
    plan = plan_roundtables(startups, [host(100, CARDIO)])

    assert plan == RoundtablePlan(tables=(), unseated=(1, 2, 3))


def test_no_startup_at_all():
    assert plan_roundtables([], [host(100, CARDIO)]) == RoundtablePlan(tables=(), unseated=())


def test_when_the_total_does_not_allow_the_most_isolated_startup_stays_out():
    # 7 startups cannot fill tables of 4 to 6: six sit together, the one sharing nothing stays out.
    startups = [startup(i, CARDIO, concepts) for i, concepts in enumerate([*RHYTHM, "ecg ai"], start=1)]
    startups.append(startup(7, "dental", "implant"))
    plan = plan_roundtables(startups, [])

    assert groups(plan) == [(1, 2, 3, 4, 5, 6)]
    assert plan.unseated == (7,)


def test_a_startup_in_two_areas_sits_with_the_larger_area():
    startups = [
        *(startup(i, CARDIO, concepts) for i, concepts in enumerate(RHYTHM, start=1)),
        startup(6, f"{CARDIO} {NEURO}", "eeg ecg"),
        *(startup(i, NEURO, "eeg stroke") for i in range(7, 11)),
    ]
    plan = plan_roundtables(startups, [])

    assert groups(plan) == [(1, 2, 3, 4, 5, 6), (7, 8, 9, 10)]
    assert [table.area for table in plan.tables] == [CARDIO, NEURO]


def test_startups_without_an_area_join_by_concepts():
    startups = [
        *(startup(i, CARDIO, concepts) for i, concepts in enumerate(RHYTHM + INTERVENTIONAL, start=1)),
        startup(11, "", "stent catheter"),
        startup(12, "", "ecg holter"),
    ]
    plan = plan_roundtables(startups, [])

    assert groups(plan) == [(1, 2, 3, 4, 5, 12), (6, 7, 8, 9, 10, 11)]


def test_hosts_are_matched_so_that_most_tables_have_one():
    # Greedy in the given order would give host 100 the cardiology table and leave neurology without one.
    startups = [
        *(startup(i, CARDIO, concepts) for i, concepts in enumerate(RHYTHM, start=1)),
        *(startup(i, NEURO, "eeg stroke") for i in range(6, 10)),
    ]
    plan = plan_roundtables(startups, [host(100, f"{CARDIO} {NEURO}"), host(101, CARDIO), host(102, "dental")])

    assert [(table.area, table.members, table.host) for table in plan.tables] == [
        (CARDIO, (1, 2, 3, 4, 5), 101),
        (NEURO, (6, 7, 8, 9), 100),
    ]


def test_a_table_without_area_gets_no_host():
    startups = [startup(i, "", "ai") for i in range(1, 5)]
    plan = plan_roundtables(startups, [host(100, CARDIO)])

    assert plan.tables == (Roundtable(area="", host=None, members=(1, 2, 3, 4), shared_concepts=("ai",)),)


def test_other_table_sizes():
    plan = plan_roundtables(ten_cardiology(), [], min_size=2, max_size=3)

    assert sorted(len(table.members) for table in plan.tables) == [2, 2, 3, 3]
    assert sorted(i for table in plan.tables for i in table.members) == list(range(1, 11))
    assert all(set(table.members) <= {1, 2, 3, 4, 5} or set(table.members) <= {6, 7, 8, 9, 10} for table in plan.tables)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_size": 0}, "min_size"),
        ({"min_size": 5, "max_size": 4}, "min_size"),
    ],
)
def test_invalid_sizes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plan_roundtables(ten_cardiology(), [], **kwargs)


def test_ids_given_twice():
    with pytest.raises(ValueError, match="startup id 1 is given more than once"):
        plan_roundtables([*ten_cardiology(), startup(1, CARDIO, "x")], [])
    with pytest.raises(ValueError, match="host id 7 is given more than once"):
        plan_roundtables(ten_cardiology(), [host(7, CARDIO), host(7, NEURO)])


def test_seatable_against_brute_force():
    for n, low, high in product(range(0, 40), range(1, 7), range(1, 9)):
        if low > high:
            continue
        sums = {0}
        for _ in range(n):
            sums |= {s + size for s in sums for size in range(low, high + 1) if s + size <= n}
        assert seatable(n, low, high) == max(sums), (n, low, high)
    assert [seatable(n, 4, 6) for n in range(13)] == [0, 0, 0, 0, 4, 5, 6, 6, 8, 9, 10, 11, 12]


# Properties ------------------------------------------------------------------------------------------

AREAS = ["cardiology", "neurology", "orthopedics", "dental"]
CONCEPTS = ["ecg", "stent", "ai", "eeg", "implant", "imaging", "catheter", "wearable"]


@st.composite
def problems(draw):
    n = draw(st.integers(min_value=0, max_value=30))
    startups = [
        Participant(
            id=i,
            areas=frozenset(draw(st.lists(st.sampled_from(AREAS), max_size=2))),
            concepts=frozenset(draw(st.lists(st.sampled_from(CONCEPTS), max_size=4))),
        )
        for i in draw(st.permutations(range(n)))
    ]
    hosts = [
        Host(id=100 + h, areas=frozenset(draw(st.lists(st.sampled_from(AREAS), min_size=1, max_size=2))))
        for h in range(draw(st.integers(min_value=0, max_value=6)))
    ]
    min_size = draw(st.integers(min_value=2, max_value=5))
    max_size = draw(st.integers(min_value=min_size, max_value=min_size + 3))
    seed = draw(st.integers(min_value=0, max_value=3))
    return startups, hosts, min_size, max_size, seed


@settings(max_examples=150, deadline=None)
@given(problems())
def test_plan_properties(problem):
    startups, hosts, min_size, max_size, seed = problem
    plan = plan_roundtables(startups, hosts, min_size=min_size, max_size=max_size, seed=seed)
    by_id = {s.id: s for s in startups}
    seated = [i for table in plan.tables for i in table.members]

    # Sizes within bounds; everybody once; everybody seated when the total allows.
    assert all(min_size <= len(table.members) <= max_size for table in plan.tables)
    assert sorted(seated + list(plan.unseated)) == sorted(by_id)
    assert len(plan.unseated) == len(startups) - seatable(len(startups), min_size, max_size)
    if seatable(len(startups), min_size, max_size) == len(startups):
        assert plan.unseated == ()
    assert all(table.members == tuple(sorted(table.members)) for table in plan.tables)
    assert list(plan.unseated) == sorted(plan.unseated)

    # A table's area is one that most of its members share.
    for table in plan.tables:
        counts = Counter(area for i in table.members for area in by_id[i].areas)
        if counts:
            assert counts[table.area] == max(counts.values())
        else:
            assert table.area == ""
        concepts = Counter(c for i in table.members for c in by_id[i].concepts)
        assert set(table.shared_concepts) == {c for c, count in concepts.items() if count >= 2}

    # Hosts: an area they asked for, at most one table each, and no table left without a host while a
    # free host asked for its area.
    host_areas = {h.id: h.areas for h in hosts}
    assigned = [table.host for table in plan.tables if table.host is not None]
    assert len(assigned) == len(set(assigned))
    for table in plan.tables:
        if table.host is not None:
            assert table.area in host_areas[table.host]
        else:
            free = set(host_areas) - set(assigned)
            assert not any(table.area in host_areas[h] for h in free)

    # Deterministic for a seed.
    assert plan_roundtables(startups, hosts, min_size=min_size, max_size=max_size, seed=seed) == plan
