"""The pure plan function, property-tested: any state converges in one step."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from supportchat.plan import Limits, Plan, ShardPlan, plan_sync, safety_violations

SHARDS = (1, 2, 3)
client_ids = st.integers(min_value=1, max_value=60)


@st.composite
def worlds(draw):
    """A shard map, the clients off on each shard, and an exclusion list."""
    shard_of = draw(st.dictionaries(client_ids, st.sampled_from((*SHARDS, 9)), max_size=50))
    disabled = {shard: draw(st.sets(client_ids, max_size=25)) for shard in SHARDS}
    listed = draw(st.lists(client_ids, max_size=40))
    return shard_of, disabled, listed


def apply(plan: Plan, disabled: dict[int, set[int]]) -> dict[int, set[int]]:
    after = {shard: set(ids) for shard, ids in disabled.items()}
    for shard, shard_plan in plan.shards.items():
        after[shard] |= set(shard_plan.to_disable)
        after[shard] -= set(shard_plan.to_enable)
    return after


@given(worlds())
def test_applying_the_plan_disables_exactly_the_listed_clients(world):
    shard_of, disabled, listed = world
    after = apply(plan_sync(listed=listed, shard_of=shard_of, disabled=disabled), disabled)
    listed_set = set(listed)
    for shard in SHARDS:
        placed_here = {c for c in listed_set if shard_of.get(c) == shard}
        # every known listed client is off on its shard ...
        assert placed_here <= after[shard]
        # ... and nobody who is not listed stays off anywhere
        assert after[shard] <= listed_set
        # listed clients are never switched on
        assert disabled[shard] & listed_set <= after[shard]


@given(worlds())
def test_a_second_plan_after_applying_changes_nothing(world):
    shard_of, disabled, listed = world
    after = apply(plan_sync(listed=listed, shard_of=shard_of, disabled=disabled), disabled)
    second = plan_sync(listed=listed, shard_of=shard_of, disabled=after)
    assert second.changes == 0


@given(worlds())
def test_unknown_clients_are_the_listed_ones_without_a_configured_shard(world):
    shard_of, disabled, listed = world
    plan = plan_sync(listed=listed, shard_of=shard_of, disabled=disabled)
    assert set(plan.unknown) == {c for c in listed if shard_of.get(c) not in SHARDS}
    assert plan.listed == len(set(listed))
    assert plan.disabled_before == sum(len(ids) for ids in disabled.values())


def test_plan_summary_caps_the_ids_it_keeps():
    plan = Plan(listed=5, disabled_before=0, shards={1: ShardPlan(to_disable=(1, 2, 3, 4, 5))})
    summary = plan.summary(cap=2)
    assert summary["shards"]["1"] == {
        "to_disable": 5,
        "to_enable": 0,
        "to_disable_ids": [1, 2],
        "to_enable_ids": [],
    }


LIMITS = Limits(max_share=0.10, max_changes=1000, floor=5)


def plan_of(*, listed: int, disabled_before: int, disable: int = 0, enable: int = 0) -> Plan:
    shard = ShardPlan(to_disable=tuple(range(disable)), to_enable=tuple(range(enable)))
    return Plan(listed=listed, disabled_before=disabled_before, shards={1: shard})


def test_empty_table_while_clients_are_disabled_is_refused():
    reasons = safety_violations(plan_of(listed=0, disabled_before=3, enable=3), LIMITS)
    assert any("empty" in reason for reason in reasons)


def test_changes_above_the_share_of_the_disabled_set_are_refused():
    assert safety_violations(plan_of(listed=100, disabled_before=100, disable=10), LIMITS) == []
    reasons = safety_violations(plan_of(listed=100, disabled_before=100, disable=11), LIMITS)
    assert reasons and "10%" in reasons[0]


def test_small_plans_never_trip_the_share_guard():
    assert safety_violations(plan_of(listed=5, disabled_before=0, disable=5), LIMITS) == []


def test_changes_above_the_absolute_limit_are_refused():
    plan = plan_of(listed=20_000, disabled_before=100_000, disable=1001)
    assert any("limit of 1000" in reason for reason in safety_violations(plan, LIMITS))
