"""Patch 10: an index query reads the items its key condition selects, as DynamoDB does."""

from pathlib import Path
from typing import Any

import pytest
from glue_support import Glue, client
from moto.dynamodb.models.dynamo_type import Item

from orgdns.aws.registry import Registry
from orgdns.models import ManagedZone
from orgdns_local.template import load_yaml, table_arguments


def registry_with_children(count: int) -> Registry:
    resources = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")["Resources"]
    dynamodb = client("dynamodb")
    dynamodb.create_table(TableName="registry", **table_arguments(resources["RegistryTable"]["Properties"]))
    registry = Registry(dynamodb, "registry")
    for i in range(count):
        registry.put(
            ManagedZone(
                zone_name=f"dev{i:03d}.example.org", account_id=f"{100000000000 + i}", hosted_zone_id=f"Z{i}",
                parent_zone_name="example.org",
            )
        )  # fmt: skip
    registry.put(
        ManagedZone(zone_name="app.dev007.example.org", account_id="1", hosted_zone_id="ZA",
                    parent_zone_name="dev007.example.org")
    )  # fmt: skip
    registry.put(
        ManagedZone(zone_name="example.net", account_id="3", hosted_zone_id="ZN")
    )  # no parent: not in byParent
    registry.put(  # delegated from the root before a zone between them existed
        ManagedZone(zone_name="team.dev008.example.org", account_id="2", hosted_zone_id="ZT",
                    parent_zone_name="example.org")
    )  # fmt: skip
    return registry


def test_children_below_a_name_are_found_by_the_key_condition_alone(glue: Glue, monkeypatch: Any) -> None:
    registry = registry_with_children(300)
    sized: list[int] = []
    original = Item.size

    def counted(self: Item) -> int:
        sized.append(1)
        return original(self)

    monkeypatch.setattr(Item, "size", counted)
    found = registry.children("example.org", below="dev008.example.org")
    assert [z.zone_name for z in found] == ["team.dev008.example.org"]
    assert len(sized) <= 4  # the one match (moto sized all 301 of the root's children)
    assert len(registry.children("example.org")) == 301  # without the range condition: every child
    assert [z.zone_name for z in registry.children("dev007.example.org")] == ["app.dev007.example.org"]
    assert [z.zone_name for z in registry.of_account("100000000042")] == ["dev042.example.org"]


def test_without_the_glue_moto_sized_every_child() -> None:
    """What the patch is for: plain moto sizes each of the root's children for the page limit."""
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        registry = registry_with_children(50)
        sized: list[int] = []
        original = Item.size
        patch.setattr(Item, "size", lambda self: sized.append(1) or original(self))
        assert len(registry.children("example.org", below="dev008.example.org")) == 1
        assert len(sized) >= 50
