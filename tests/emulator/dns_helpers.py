"""Zone plumbing shared by the DNS and ACM glue tests."""

from typing import Any

from glue_support import ACCOUNT, Glue, client

MEMBER = "222222222222"


def zone(name: str, account: str = ACCOUNT) -> tuple[str, list[str]]:
    """Create a hosted zone; return (zone id, name servers)."""
    created = client("route53", account).create_hosted_zone(Name=name, CallerReference=name)
    return created["HostedZone"]["Id"], created["DelegationSet"]["NameServers"]


def upsert(zone_id: str, name: str, rtype: str, values: list[str], account: str = ACCOUNT) -> None:
    record: dict[str, Any] = {
        "Name": name,
        "Type": rtype,
        "TTL": 300,
        "ResourceRecords": [{"Value": v} for v in values],
    }
    client("route53", account).change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]},
    )


def delegated_member_zone(glue: Glue, name: str, lame: bool = False) -> str:
    """example.com (a trust anchor) delegating `name` to a member account's zone; its id."""
    root_id, _ = zone("example.com")
    glue.top_level.append((ACCOUNT, root_id))
    child_id, servers = zone(name, account=MEMBER)
    upsert(root_id, name, "NS", ["ns-1.wrong.example"] if lame else servers)
    return child_id
