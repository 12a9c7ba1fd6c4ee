"""Patch 4: per-zone name servers; changes PENDING until propagated."""

from typing import Any

from glue_support import Glue, client

MEMBER = "222222222222"


def create_zone(name: str, account: str = "123456789012") -> Any:
    return client("route53", account).create_hosted_zone(Name=name, CallerReference=name + account)


def test_zones_get_their_own_name_servers(glue: Glue) -> None:
    first = create_zone("team.example.com")
    second = create_zone("other.example.com")
    same_name = create_zone("team.example.com", account=MEMBER)
    servers = [set(z["DelegationSet"]["NameServers"]) for z in (first, second, same_name)]
    assert all(len(s) == 4 for s in servers)
    assert servers[0] != servers[1] and not servers[0] & servers[2]
    records = client("route53").list_resource_record_sets(HostedZoneId=first["HostedZone"]["Id"])
    ns = next(r for r in records["ResourceRecordSets"] if r["Type"] == "NS")
    assert {r["Value"] for r in ns["ResourceRecords"]} == servers[0]


def test_changes_are_pending_until_propagated(glue: Glue) -> None:
    zone = create_zone("team.example.com")
    assert zone["ChangeInfo"]["Status"] == "PENDING"
    change = client("route53").change_resource_record_sets(
        HostedZoneId=zone["HostedZone"]["Id"],
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": "www.team.example.com",
                        "Type": "CNAME",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": "example.org"}],
                    },
                }
            ]
        },
    )["ChangeInfo"]
    assert change["Id"].startswith("/change/C") and change["Status"] == "PENDING"
    assert change["Id"] != zone["ChangeInfo"]["Id"]
    glue.clock.advance(19)
    assert client("route53").get_change(Id=change["Id"])["ChangeInfo"]["Status"] == "PENDING"
    glue.clock.advance(1)
    info = client("route53").get_change(Id=change["Id"])["ChangeInfo"]
    assert info == {**change, "Status": "INSYNC"}


def test_a_caller_reference_creates_one_zone_only(glue: Glue) -> None:
    import pytest
    from botocore.exceptions import ClientError

    create_zone("team.example.com")
    with pytest.raises(ClientError) as caught:
        create_zone("team.example.com")
    assert caught.value.response["Error"]["Code"] == "HostedZoneAlreadyExists"
    assert len(client("route53").list_hosted_zones()["HostedZones"]) == 1
    create_zone("team.example.com", account=MEMBER)  # references are per account


def test_soa_names_the_zones_own_primary_server(glue: Glue) -> None:
    zone = create_zone("team.example.com")
    records = client("route53").list_resource_record_sets(HostedZoneId=zone["HostedZone"]["Id"])
    soa = next(r for r in records["ResourceRecordSets"] if r["Type"] == "SOA")["ResourceRecords"][0]["Value"]
    assert soa == f"{zone['DelegationSet']['NameServers'][0]}. hostmaster.example.com. 1 7200 900 1209600 86400"


def txt_batch(count: int, size: int, action: str = "UPSERT", prefix: str = "t") -> dict[str, Any]:
    return {
        "Changes": [
            {
                "Action": action,
                "ResourceRecordSet": {
                    "Name": f"{prefix}{i}.team.example.com.",
                    "Type": "TXT",
                    "TTL": 60,
                    "ResourceRecords": [{"Value": '"' + "x" * (size - 2) + '"'}],
                },
            }
            for i in range(count)
        ]
    }


def test_a_batch_over_32000_characters_of_values_is_refused_whole(glue: Glue) -> None:
    zone = create_zone("team.example.com")["HostedZone"]["Id"]
    route53 = client("route53")
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=txt_batch(16, 1000))  # 2 x 16,000: at the limit
    try:
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=txt_batch(17, 1000, "CREATE", "c"))
    except route53.exceptions.InvalidChangeBatch as exc:
        raise AssertionError("17,000 characters of CREATE fit the limit") from exc
    refused = None
    try:
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=txt_batch(17, 1000, prefix="u"))  # 34,000
    except route53.exceptions.InvalidChangeBatch as exc:
        refused = exc
    assert refused is not None and "32000" in str(refused)
    names = {r["Name"] for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]}
    assert "c16.team.example.com." in names and not any(name.startswith("u") for name in names)


def _change(zone_id: str, *changes: tuple[str, str, str, list[str]], ttl: int = 60) -> None:
    client("route53").change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": action,
                    "ResourceRecordSet": {
                        "Name": name, "Type": rtype, "TTL": ttl, "ResourceRecords": [{"Value": v} for v in values],
                    },
                }
                for action, name, rtype, values in changes
            ]
        },
    )  # fmt: skip


def _names(zone_id: str) -> dict[tuple[str, str], list[str]]:
    records = client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {(r["Name"], r["Type"]): [v["Value"] for v in r.get("ResourceRecords", [])] for r in records}


def test_a_batch_is_checked_whole_with_route53s_rules_and_applied_all_or_nothing(glue: Glue) -> None:
    """CREATE of an existing record set, DELETE of a missing or different one, a CNAME beside
    other records: InvalidChangeBatch with Route 53's messages, and nothing of the batch applied
    (moto overwrote on CREATE, applied changes one by one, took the CNAME)."""
    import pytest
    from botocore.exceptions import ClientError

    zone_id = create_zone("example.org")["HostedZone"]["Id"]
    _change(zone_id, ("CREATE", "a.example.org", "NS", ["ns-1.awsdns-01.org."]),
            ("CREATE", "www.example.org", "A", ["192.0.2.1"]))  # fmt: skip
    before = _names(zone_id)
    refused = [
        (("CREATE", "a.example.org", "NS", ["ns-9.awsdns-09.org."]), "but it already exists"),
        (("DELETE", "b.example.org", "NS", ["ns-1.awsdns-01.org."]), "but it was not found"),
        (("DELETE", "a.example.org", "NS", ["ns-9.awsdns-09.org."]), "do not match the current values"),
        (("UPSERT", "www.example.org", "CNAME", ["elsewhere.example.net."]), "RRSet of type CNAME"),
    ]
    for change, message in refused:
        with pytest.raises(ClientError) as raised:
            _change(zone_id, ("UPSERT", "new.example.org", "NS", ["ns-2.awsdns-02.org."]), change)
        assert raised.value.response["Error"]["Code"] == "InvalidChangeBatch"
        assert message in raised.value.response["Error"]["Message"]
        assert _names(zone_id) == before  # the UPSERT before it was not applied either


def test_a_delete_matches_values_as_route53_compares_them(glue: Glue) -> None:
    """Route 53 compares a name's values without the trailing dot's spelling or case; moto matched
    the exact text it was given on CREATE. A DELETE then a CREATE in one batch replaces."""
    zone_id = create_zone("example.org")["HostedZone"]["Id"]
    _change(zone_id, ("CREATE", "a.example.org", "NS", ["NS-1.awsdns-01.org"]))
    _change(zone_id, ("DELETE", "a.example.org.", "NS", ["ns-1.awsdns-01.org."]),
            ("CREATE", "a.example.org.", "NS", ["ns-2.awsdns-02.org."]))  # fmt: skip
    assert _names(zone_id)[("a.example.org.", "NS")] == ["ns-2.awsdns-02.org."]
    _change(zone_id, ("DELETE", "a.example.org.", "NS", ["ns-2.awsdns-02.org."]))
    assert ("a.example.org.", "NS") not in _names(zone_id)
