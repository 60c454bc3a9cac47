"""The sync plan: what to switch on which shard (pure, no I/O).

The exclusion list names the clients that must have `checked_support_chat`
off; everyone else must have it on (a missing row means on). The plan is the
diff between that target and the clients that have it off on each shard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ShardPlan:
    """Changes on one shard, ids sorted ascending."""

    to_disable: tuple[int, ...] = ()
    to_enable: tuple[int, ...] = ()

    @property
    def changes(self) -> int:
        return len(self.to_disable) + len(self.to_enable)


@dataclass(frozen=True)
class Plan:
    """The whole plan of one run.

    `unknown` are listed clients the shard map does not place on a configured
    shard: they are counted and left alone.
    """

    listed: int
    disabled_before: int
    shards: dict[int, ShardPlan] = field(default_factory=dict)
    unknown: tuple[int, ...] = ()

    @property
    def to_disable(self) -> int:
        return sum(len(p.to_disable) for p in self.shards.values())

    @property
    def to_enable(self) -> int:
        return sum(len(p.to_enable) for p in self.shards.values())

    @property
    def changes(self) -> int:
        return self.to_disable + self.to_enable

    def counters(self) -> dict[str, int]:
        return {
            "listed": self.listed,
            "disabled_before": self.disabled_before,
            "to_disable": self.to_disable,
            "to_enable": self.to_enable,
            "unknown": len(self.unknown),
        }

    def summary(self, *, cap: int) -> dict:
        """A JSON-ready account of the plan, keeping at most `cap` ids per list."""
        return {
            "shards": {
                str(shard): {
                    "to_disable": len(p.to_disable),
                    "to_enable": len(p.to_enable),
                    "to_disable_ids": list(p.to_disable[:cap]),
                    "to_enable_ids": list(p.to_enable[:cap]),
                }
                for shard, p in sorted(self.shards.items())
            },
            "unknown": len(self.unknown),
            "unknown_ids": list(self.unknown[:cap]),
        }


def plan_sync(
    *,
    listed: Iterable[int],
    shard_of: Mapping[int, int],
    disabled: Mapping[int, Iterable[int]],
) -> Plan:
    """Plan the changes that make every shard match the exclusion list.

    `listed`: client ids in the exclusion table (duplicates allowed).
    `shard_of`: shard number of (at least) every listed client the map knows.
    `disabled`: shard number → ids with the feature off there; its keys are
    the configured shards.

    After the plan is applied: every listed client is off on its shard, every
    client not listed is on everywhere, and listed clients the map does not
    place (or places on an unconfigured shard) are untouched.
    """
    listed_set = set(listed)
    target: dict[int, set[int]] = {shard: set() for shard in disabled}
    unknown = []
    for client in listed_set:
        shard = shard_of.get(client)
        if shard in target:
            target[shard].add(client)
        else:
            unknown.append(client)
    plans = {}
    disabled_before = 0
    for shard, off in disabled.items():
        off_set = set(off)
        disabled_before += len(off_set)
        plans[shard] = ShardPlan(
            to_disable=tuple(sorted(target[shard] - off_set)),
            to_enable=tuple(sorted(off_set - listed_set)),
        )
    return Plan(
        listed=len(listed_set),
        disabled_before=disabled_before,
        shards=plans,
        unknown=tuple(sorted(unknown)),
    )


@dataclass(frozen=True)
class Limits:
    """Safety limits of one run (see settings SUPPORT_CHAT_MAX_*)."""

    max_share: float
    max_changes: int
    floor: int


def safety_violations(plan: Plan, limits: Limits) -> list[str]:
    """Why `plan` looks like a lost or broken source; empty when it looks sane.

    An empty table while clients are disabled; more changes than `max_changes`;
    more changes than `max_share` of the disabled set, unless the plan makes at
    most `floor` changes (a handful of changes to a tiny set is normal).
    """
    reasons = []
    if plan.listed == 0 and plan.disabled_before > 0:
        reasons.append(
            f"the exclusion table is empty while {plan.disabled_before} clients are disabled"
        )
    if plan.changes > limits.max_changes:
        reasons.append(
            f"the plan changes {plan.changes} clients, more than the limit of {limits.max_changes}"
        )
    allowed = limits.max_share * plan.disabled_before
    if plan.changes > limits.floor and plan.changes > allowed:
        reasons.append(
            f"the plan changes {plan.changes} clients, more than {limits.max_share:.0%} "
            f"of the {plan.disabled_before} disabled"
        )
    return reasons
