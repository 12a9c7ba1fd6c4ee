"""EmulatedDns: resolution walks delegations from the trust anchors."""

from dns_helpers import MEMBER, delegated_member_zone, upsert
from glue_support import Glue, client


def test_a_properly_delegated_record_resolves(glue: Glue) -> None:
    child = delegated_member_zone(glue, "team.example.com")
    upsert(child, "www.team.example.com", "CNAME", ["Target.Example.org."], account=MEMBER)
    assert glue.ctx.dns.resolve("WWW.team.example.com.", "CNAME") == ["target.example.org"]
    assert [step.split(" ")[0] for step in glue.ctx.dns.trace("www.team.example.com")] == [
        "example.com",
        "team.example.com",
    ]


def test_a_lame_delegation_does_not_resolve(glue: Glue) -> None:
    child = delegated_member_zone(glue, "team.example.com", lame=True)
    upsert(child, "www.team.example.com", "CNAME", ["target.example.org"], account=MEMBER)
    assert glue.ctx.dns.resolve("www.team.example.com", "CNAME") is None
    assert glue.ctx.dns.trace("www.team.example.com")[-1] == "team.example.com (lame delegation)"


def test_names_outside_every_trust_anchor_do_not_resolve(glue: Glue) -> None:
    delegated_member_zone(glue, "team.example.com")
    assert glue.ctx.dns.resolve("www.example.net", "A") is None
    assert glue.ctx.dns.resolve("missing.team.example.com", "A") is None


def test_a_delegation_below_another_cut_is_occluded(glue: Glue) -> None:
    """example.org delegating both demo and staging.demo: resolvers follow demo's cut only."""
    from dns_helpers import upsert, zone

    root_id, _ = zone("example.org")
    glue.top_level.append(("123456789012", root_id))
    demo_id, demo_ns = zone("demo.example.org")
    staging_id, staging_ns = zone("staging.demo.example.org")
    upsert(staging_id, "www.staging.demo.example.org", "A", ["192.0.2.1"])
    upsert(root_id, "demo.example.org", "NS", demo_ns)
    upsert(root_id, "staging.demo.example.org", "NS", staging_ns)  # occluded by demo's cut
    assert glue.ctx.dns.resolve("www.staging.demo.example.org", "A") is None
    upsert(demo_id, "staging.demo.example.org", "NS", staging_ns)
    assert glue.ctx.dns.resolve("www.staging.demo.example.org", "A") == ["192.0.2.1"]


def test_zones_come_and_go_in_the_name_index(glue: Glue) -> None:
    """A delegation is followed to whichever zone of its name exists now: one deleted is lame,
    one created since (with its own name servers) answers only a delegation to those."""
    from dns_helpers import zone

    child = delegated_member_zone(glue, "team.example.com")
    upsert(child, "www.team.example.com", "A", ["192.0.2.1"], account=MEMBER)
    assert glue.ctx.dns.resolve("www.team.example.com", "A") == ["192.0.2.1"]
    members = client("route53", MEMBER)
    members.change_resource_record_sets(
        HostedZoneId=child,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "DELETE",
                    "ResourceRecordSet": {
                        "Name": "www.team.example.com",
                        "Type": "A",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": "192.0.2.1"}],
                    },
                }
            ]
        },
    )
    members.delete_hosted_zone(Id=child)
    assert glue.ctx.dns.trace("www.team.example.com")[-1] == "team.example.com (lame delegation)"
    again, _ = zone("team.example.com", account=MEMBER)  # new name servers: the old NS stays lame
    upsert(again, "www.team.example.com", "A", ["192.0.2.2"], account=MEMBER)
    assert glue.ctx.dns.resolve("www.team.example.com", "A") is None


def test_the_name_index_rebuilds_when_a_zone_went_unseen(glue: Glue) -> None:
    """A zone removed behind the glue's back (straight from moto's backend) makes the index read
    the backends again, instead of answering with a zone that is gone."""
    from moto.route53.models import route53_backends

    child = delegated_member_zone(glue, "team.example.com")
    assert glue.ctx.dns.trace("www.team.example.com")[-1] == f"team.example.com ({child.rsplit('/', 1)[-1]})"
    route53_backends[MEMBER]["aws"].zones.pop(child.rsplit("/", 1)[-1])
    assert glue.ctx.dns.trace("www.team.example.com")[-1] == "team.example.com (lame delegation)"
