"""Patch 5: ACM issues a certificate only once its validation CNAME resolves."""

from typing import Any

from dns_helpers import MEMBER, delegated_member_zone, upsert
from dns_helpers import zone as zone_of
from glue_support import Glue, client

from orgdns_local.moto_glue import FaultRule

DOMAIN = "team.example.com"


def request(account: str = MEMBER, region: str = "us-east-1") -> str:
    return client("acm", account, region).request_certificate(
        DomainName=DOMAIN, SubjectAlternativeNames=[f"*.{DOMAIN}"], ValidationMethod="DNS"
    )["CertificateArn"]


def describe(arn: str) -> dict[str, Any]:
    _, _, _, region, account, _ = arn.split(":")
    return client("acm", account, region).describe_certificate(CertificateArn=arn)["Certificate"]


def validation_records(arn: str) -> set[tuple[str, str]]:
    options = describe(arn)["DomainValidationOptions"]
    return {(o["ResourceRecord"]["Name"], o["ResourceRecord"]["Value"]) for o in options}


def test_the_record_appears_after_a_delay_and_depends_on_account_and_domain(glue: Glue) -> None:
    arn, elsewhere, other_account = request(), request(region="eu-west-1"), request("333333333333")
    assert all("ResourceRecord" not in o for o in describe(arn)["DomainValidationOptions"])
    glue.clock.advance(10)
    [record] = validation_records(arn)  # apex and wildcard share one record
    assert record[0].endswith(f".{DOMAIN}.") and record[1].endswith(".acm-validations.aws.")
    assert validation_records(elsewhere) == {record}
    assert validation_records(other_account) != {record}


def test_no_record_no_certificate(glue: Glue) -> None:
    delegated_member_zone(glue, DOMAIN)
    arn = request()
    glue.clock.advance(48 * 3600)
    certificate = describe(arn)
    assert certificate["Status"] == "PENDING_VALIDATION" and "IssuedAt" not in certificate
    glue.clock.advance(24 * 3600)
    assert describe(arn)["Status"] == "VALIDATION_TIMED_OUT"


def test_issued_once_the_record_resolves_through_a_proper_delegation(glue: Glue) -> None:
    child = delegated_member_zone(glue, DOMAIN)
    arn = request()
    glue.clock.advance(10)
    [(name, value)] = validation_records(arn)
    glue.clock.advance(100)
    upsert(child, name, "CNAME", [value], account=MEMBER)  # resolves from t=110
    certificate = describe(arn)
    assert certificate["Status"] == "PENDING_VALIDATION"
    assert {o["ValidationStatus"] for o in certificate["DomainValidationOptions"]} == {"SUCCESS"}
    glue.clock.advance(600)  # nobody looks until t=710; issuance happened at t=170
    certificate = describe(arn)
    assert certificate["Status"] == "ISSUED"
    assert (certificate["IssuedAt"] - certificate["CreatedAt"]).total_seconds() == 170


def test_a_lame_delegation_keeps_the_certificate_pending(glue: Glue) -> None:
    child = delegated_member_zone(glue, DOMAIN, lame=True)
    arn = request()
    glue.clock.advance(10)
    [(name, value)] = validation_records(arn)
    upsert(child, name, "CNAME", [value], account=MEMBER)
    glue.clock.advance(3600)
    certificate = describe(arn)
    assert certificate["Status"] == "PENDING_VALIDATION"
    assert {o["ValidationStatus"] for o in certificate["DomainValidationOptions"]} == {"PENDING_VALIDATION"}


def test_an_issuance_fault_fails_the_certificate(glue: Glue) -> None:
    glue.ctx.faults.add(
        FaultRule(
            service="acm",
            operation="Issuance",
            domain=DOMAIN,
            error_code="CAA_ERROR",
            message="CAA records forbid Amazon from issuing",
        )
    )
    child = delegated_member_zone(glue, DOMAIN)
    arn = request()
    glue.clock.advance(10)
    [(name, value)] = validation_records(arn)
    upsert(child, name, "CNAME", [value], account=MEMBER)
    glue.clock.advance(60)
    certificate = describe(arn)
    assert (certificate["Status"], certificate["FailureReason"]) == ("FAILED", "CAA_ERROR")


def test_requests_racing_with_one_idempotency_token_get_one_certificate(glue: Glue) -> None:
    """Patch 5b: ACM's idempotency holds for requests arriving together."""
    import threading

    acm = client("acm", MEMBER)
    arns: list[str] = []
    start = threading.Barrier(4)

    def request_together() -> None:
        start.wait()
        arns.append(
            acm.request_certificate(DomainName=DOMAIN, ValidationMethod="DNS", IdempotencyToken="same")[
                "CertificateArn"
            ]
        )

    threads = [threading.Thread(target=request_together) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(arns) == 4 and len(set(arns)) == 1
    assert len(acm.list_certificates()["CertificateSummaryList"]) == 1


def test_certificates_share_one_key_pair_and_keep_their_own_names(glue: Glue) -> None:
    """Patch 5c: one RSA key for every emulated certificate (ACM never hands it out)."""
    from moto.acm.models import acm_backends

    acm = client("acm", MEMBER)
    first = acm.request_certificate(DomainName="a.example.com", ValidationMethod="DNS")["CertificateArn"]
    second = acm.request_certificate(DomainName="b.example.com", ValidationMethod="DNS")["CertificateArn"]
    bundles = acm_backends[MEMBER]["us-east-1"]._certificates
    assert first != second and bundles[first].key == bundles[second].key
    assert bundles[first].cert != bundles[second].cert
    assert [describe(arn)["DomainName"] for arn in (first, second)] == ["a.example.com", "b.example.com"]


def test_a_change_checks_only_the_certificates_whose_records_lie_in_its_zone(glue: Glue) -> None:
    """Cost: a Route 53 change looks again only at pending certificates with a validation record
    inside the changed zone; elsewhere nothing a certificate depends on has moved."""
    from unittest.mock import patch

    child = delegated_member_zone(glue, DOMAIN)
    arn = request()
    other = client("acm", MEMBER).request_certificate(DomainName="other.example.net", ValidationMethod="DNS")
    glue.clock.advance(10)
    [(name, value)] = validation_records(arn)
    unrelated, _ = zone_of("unrelated.example.com")
    looked_up: list[str] = []
    resolve = glue.ctx.dns.resolve

    def counting(name: str, rtype: str) -> list[str] | None:
        looked_up.append(name)
        return resolve(name, rtype)

    with patch.object(glue.ctx.dns, "resolve", counting):
        upsert(unrelated, "www.unrelated.example.com", "A", ["192.0.2.1"])
        assert looked_up == []
        upsert(child, name, "CNAME", [value], account=MEMBER)
        assert looked_up and {n.lower().rstrip(".") for n in looked_up} == {name.lower().rstrip(".")}
    glue.clock.advance(60)
    assert describe(arn)["Status"] == "ISSUED"
    assert describe(other["CertificateArn"])["Status"] == "PENDING_VALIDATION"


def test_a_certificate_serving_a_custom_domain_is_in_use_until_some_minutes_after_a_switch(glue: Glue) -> None:
    import pytest
    from botocore.exceptions import ClientError

    old, new = request(), request()
    acm, apigw = client("acm", MEMBER), client("apigateway", MEMBER)
    apigw.create_domain_name(domainName=DOMAIN, certificateArn=old)
    domain_arn = f"arn:aws:apigateway:us-east-1::/domainnames/{DOMAIN}"
    assert describe(old)["InUseBy"] == [domain_arn] and describe(new)["InUseBy"] == []
    with pytest.raises(ClientError) as in_use:
        acm.delete_certificate(CertificateArn=old)
    assert in_use.value.response["Error"]["Code"] == "ResourceInUseException"
    glue.clock.advance(2400)
    apigw.update_domain_name(
        domainName=DOMAIN, patchOperations=[{"op": "replace", "path": "/certificateArn", "value": new}]
    )
    assert describe(new)["InUseBy"] == [domain_arn]
    assert describe(old)["InUseBy"] == [domain_arn]  # ACM clears it some minutes later
    glue.clock.advance(899)
    with pytest.raises(ClientError):
        acm.delete_certificate(CertificateArn=old)
    glue.clock.advance(1)
    assert describe(old)["InUseBy"] == []
    acm.delete_certificate(CertificateArn=old)
    assert [c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]] == [new]


def test_a_deleted_domain_releases_its_certificate_later_too(glue: Glue) -> None:
    arn = request()
    apigw = client("apigateway", MEMBER)
    apigw.create_domain_name(domainName=DOMAIN, certificateArn=arn)
    glue.clock.advance(30)
    apigw.delete_domain_name(domainName=DOMAIN)
    assert describe(arn)["InUseBy"] != []
    glue.clock.advance(900)
    assert describe(arn)["InUseBy"] == []


def issued(glue: Glue) -> tuple[str, str, str]:
    """A certificate for DOMAIN, ISSUED through a proper delegation: (arn, zone id, record name)."""
    child = delegated_member_zone(glue, DOMAIN)
    arn = request()
    glue.clock.advance(10)
    [(name, value)] = validation_records(arn)
    upsert(child, name, "CNAME", [value], account=MEMBER)
    glue.clock.advance(60)
    assert describe(arn)["Status"] == "ISSUED"
    return arn, child, name


def acm_events(glue: Glue) -> list[dict[str, Any]]:
    """Every aws.acm event that reaches the member's default bus (as the baseline's rule hears it)."""
    import json

    received: list[dict[str, Any]] = []
    events = client("events", MEMBER)
    events.put_rule(Name="acm", EventPattern=json.dumps({"source": ["aws.acm"]}))
    events.put_targets(Rule="acm", Targets=[{"Id": "1", "Arn": glue.function("acm", received.append, account=MEMBER)}])
    return received


DAY = 86400


def test_a_certificate_in_use_renews_quietly_from_45_days_before_it_expires(glue: Glue) -> None:
    arn, _, _ = issued(glue)
    received = acm_events(glue)
    client("apigateway", MEMBER).create_domain_name(domainName=DOMAIN, certificateArn=arn)
    lifecycle = glue.ctx.acm_lifecycle
    first = describe(arn)["NotAfter"]
    assert (first - describe(arn)["IssuedAt"]).days == 198
    assert describe(arn)["RenewalEligibility"] == "ELIGIBLE" and "RenewalSummary" not in describe(arn)
    glue.clock.advance(lifecycle.next_moment() - glue.clock.elapsed())  # 153 days: the window opens
    lifecycle.advance()
    assert describe(arn)["RenewalSummary"]["RenewalStatus"] == "PENDING_AUTO_RENEWAL"
    glue.clock.advance(60)
    lifecycle.advance()
    renewed = describe(arn)
    assert renewed["RenewalSummary"]["RenewalStatus"] == "SUCCESS" and renewed["Status"] == "ISSUED"
    assert (renewed["NotAfter"] - first).days == 198 - 45
    assert received == []  # nothing to warn about


def test_a_certificate_not_in_use_is_warned_about_then_expires(glue: Glue) -> None:
    arn, _, _ = issued(glue)
    received = acm_events(glue)
    lifecycle = glue.ctx.acm_lifecycle
    while (moment := lifecycle.next_moment()) is not None:
        glue.clock.advance(moment - glue.clock.elapsed())
        lifecycle.advance()
    kinds = [(e["detail-type"], e["detail"]["DaysToExpiry"]) for e in received]
    assert kinds[:2] == [
        ("ACM Certificate Approaching Expiration", 30),
        ("ACM Certificate Renewal Action Required", 30),
    ]
    assert [d for k, d in kinds if k == "ACM Certificate Renewal Action Required"] == [30, 15, 3, 1]
    assert len([k for k, _ in kinds if k == "ACM Certificate Approaching Expiration"]) == 30
    assert kinds[-1] == ("ACM Certificate Expired", 0)
    assert all(e["resources"] == [arn] and e["account"] == MEMBER for e in received)
    assert received[1]["detail"]["InUse"] is False
    assert describe(arn)["Status"] == "EXPIRED" and describe(arn)["RenewalEligibility"] == "INELIGIBLE"


def test_a_missing_validation_record_holds_renewal_until_it_is_back(glue: Glue) -> None:
    arn, child, name = issued(glue)
    value = describe(arn)["DomainValidationOptions"][0]["ResourceRecord"]["Value"]
    client("apigateway", MEMBER).create_domain_name(domainName=DOMAIN, certificateArn=arn)
    client("route53", MEMBER).change_resource_record_sets(
        HostedZoneId=child,
        ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": {
            "Name": name, "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": value}]}}]},
    )  # fmt: skip
    received = acm_events(glue)
    lifecycle = glue.ctx.acm_lifecycle
    while describe(arn)["NotAfter"] - glue.clock.now() > __import__("datetime").timedelta(days=29):
        glue.clock.advance(lifecycle.next_moment() - glue.clock.elapsed())
        lifecycle.advance()
    assert describe(arn)["RenewalSummary"]["RenewalStatus"] == "PENDING_VALIDATION"
    [action] = [e for e in received if e["detail-type"] == "ACM Certificate Renewal Action Required"]
    assert (action["detail"]["InUse"], action["detail"]["RenewalStatus"]) == (True, "PENDING_VALIDATION")
    upsert(child, name, "CNAME", [value], account=MEMBER)
    for _ in range(2):
        glue.clock.advance(lifecycle.next_moment() - glue.clock.elapsed())
        lifecycle.advance()
    assert describe(arn)["RenewalSummary"]["RenewalStatus"] in {"PENDING_AUTO_RENEWAL", "SUCCESS"}


def test_a_deleted_certificate_has_no_lifecycle(glue: Glue) -> None:
    arn, _, _ = issued(glue)
    received = acm_events(glue)
    client("acm", MEMBER).delete_certificate(CertificateArn=arn)
    lifecycle = glue.ctx.acm_lifecycle
    assert lifecycle.next_moment() is None
    glue.clock.advance(200 * DAY)
    lifecycle.advance()
    assert received == []


def test_list_certificates_names_each_certificates_alternative_names(glue: Glue) -> None:
    arn = request()
    acm = client("acm", MEMBER, "us-east-1")
    [summary] = [s for s in acm.list_certificates()["CertificateSummaryList"] if s["CertificateArn"] == arn]
    assert summary["DomainName"] == DOMAIN
    assert set(summary["SubjectAlternativeNameSummaries"]) == {DOMAIN, f"*.{DOMAIN}"}
    assert summary["HasAdditionalSubjectAlternativeNames"] is False
    assert summary["Status"] == "PENDING_VALIDATION" and summary["InUse"] is False
