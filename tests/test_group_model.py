"""The Duplicates list's model (gui/group_model.py): removing the groups a change reaches through its record
index gives the rows a pass over every group gives, and the rows the view was told of stay equal to the queue."""

from __future__ import annotations

import random

from paperdesk.core.duplicates import Group
from paperdesk.core.dupstore import order_key
from paperdesk.gui.group_model import GroupModel


def queue(seed: int) -> list[Group]:
    rng = random.Random(seed)
    ids = list(range(1, 400))
    rng.shuffle(ids)
    groups = []
    while len(ids) > 3:
        size = rng.choice([2, 2, 2, 3, 4])
        records, ids = sorted(ids[:size]), ids[size:]
        tier = rng.choice(["certain", "likely", "possible"])
        score = {"certain": 95, "likely": 85, "possible": 75}[tier] + rng.choice([0, 0, 1.5, 3])
        groups.append(Group(records, tier, score, ["title 100%"]))
    # a record in two tiers, as a scan may give
    groups.append(Group(sorted({groups[0].records[0], 500}), "possible", 71.0, ["title 90%"]))
    return sorted(groups, key=order_key)


def test_removal_through_the_index_equals_a_pass_over_every_group(qtbot):
    for seed in range(20):
        groups = queue(seed)
        model, plain = GroupModel(None), GroupModel(None)
        model.set_groups(groups, set())
        plain.set_groups(groups, set())
        rng = random.Random(seed)
        for _ in range(15):
            records = set(rng.sample(range(1, 400), rng.choice([1, 2, 5])))
            by_index = model.remove(lambda g: not records.isdisjoint(g.records), among=records)
            by_pass = plain.remove(lambda g: not records.isdisjoint(g.records))
            assert by_index == by_pass
            assert [g.records for g in model.groups] == [g.records for g in plain.groups]
            assert model.rowCount() == len(plain.groups)
            # a group put back where the order says, then found again through the index
            back = Group(sorted(records)[:1] + [1000 + len(model.groups)], "likely", 84.0, ["again"])
            model.insert_sorted([back], order_key)
            plain.insert_sorted([back], order_key)
            assert [g.records for g in model.groups] == [g.records for g in plain.groups]
            assert [order_key(g) for g in model.groups] == sorted(order_key(g) for g in model.groups)
