"""CheckRenewal: one of ACM's events about a certificate (approaching expiration, renewal action
required, expired), checked against what ACM says now.

ACM renews a DNS-validated certificate from about 45 days before it expires, but only while the
certificate is in use and every validation CNAME resolves. On each event this step re-reads the
certificate (NotAfter, InUseBy, RenewalEligibility, RenewalSummary), plans the rewrite of any
validation record orgdns owns that has gone missing (the record writer writes it:
WriteRenewalRecords), and decides what to publish:

- ``Succeeded`` when renewal can proceed (in use, records in place or rewritten);
- ``ActionRequired`` when it cannot and a human must act: the certificate is not in use (ACM will
  not renew it), a record at a DNS provider orgdns does not manage is missing, a CAA record
  forbids Amazon; once per certificate and reason (a repeat ends ``Skipped`` / ``AlreadyWarned``);
- ``Failed`` once it has expired.

Nothing is trusted from the event but which certificate in which account it names.
"""

from datetime import UTC, datetime
from typing import Any

from orgdns.aws.access import AwsAccess
from orgdns.errors import CertificateNameNotAllowed, RequestRejected
from orgdns.models import CertificateRef, Decision, RecordChange, RecordSpec, RenewalResult
from orgdns.ownership import check_certificate_names
from orgdns.request import parse_certificate_event
from orgdns.steps.lookups import surroundings


def check_renewal(raw: Any, aws: AwsAccess) -> dict[str, Any]:
    """Returns the workflow state: ``decision`` (Proceed, Skip or Reject) and ``renewal``."""
    decision = Decision(decision="Reject")
    renewal: RenewalResult | None = None
    try:
        if not isinstance(raw, dict):
            raise RequestRejected("InvalidInput", "the input must be a JSON object", "input")
        renewal = _check(raw, aws, decision)
    except RequestRejected as exc:
        decision.decision = "Reject"
        decision.reason, decision.message, decision.field = exc.reason, exc.message, exc.field
    state: dict[str, Any] = {"input": raw, "decision": decision.dump()}
    if renewal is not None:
        state["renewal"] = renewal.dump()
    return state


def _check(raw: dict[str, Any], aws: AwsAccess, decision: Decision) -> RenewalResult | None:
    event = parse_certificate_event(raw)
    decision.trigger, decision.event_id, decision.account_id = event.trigger, event.event_id, event.account_id
    item = next(
        (
            z
            for z in aws.registry().of_account(event.account_id)
            if any(c.arn == event.certificate_arn for c in z.certificates)
        ),
        None,
    )
    if item is None:
        decision.decision, decision.reason = "Skip", "NotManaged"
        decision.message = f"certificate {event.certificate_arn} is not one orgdns set up"
        return None
    decision.zone_name, decision.hosted_zone_id = item.zone_name, item.hosted_zone_id
    certificate = aws.acm(event.account_id, event.region).find(event.certificate_arn)
    if certificate is None:
        decision.decision, decision.reason = "Skip", "CertificateGone"
        decision.message = f"certificate {event.certificate_arn} no longer exists"
        return None
    ref = CertificateRef(region=event.region, arn=certificate.arn, status=certificate.status)
    expires = _iso(certificate.not_after)
    result = RenewalResult(
        certificate=ref, zone_name=item.zone_name, hosted_zone_id=item.hosted_zone_id, not_after=expires,
        in_use_by=list(certificate.in_use_by), renewal_status=certificate.renewal_status,
    )  # fmt: skip
    owned = {r.name: r for r in item.records if r.purpose == "Validation"}
    # A record in another account's zone or a root zone was written under a grant: only while the
    # grant (and the zone's owner) still allow the name is it written again.
    refused: set[str] = set()
    elsewhere = {name for name, r in owned.items() if (r.account_id or item.account_id) != item.account_id}
    granted = [o.domain_name for o in certificate.options if o.record_name in elsewhere]
    if granted:
        zones = surroundings(aws, granted).zones
        for name in granted:
            try:
                check_certificate_names([name], item.account_id, zones, aws.settings.grants)
            except CertificateNameNotAllowed:
                refused.add(name)
    for option in certificate.options:
        if option.record_name is None or option.record_value is None:
            continue
        record = owned.get(option.record_name)
        if option.domain_name in refused:
            if all(r.name != option.record_name for r in result.action_required):
                zone_name = option.domain_name.removeprefix("*.")
                result.action_required.append(
                    RecordSpec(
                        name=option.record_name,
                        type="CNAME",
                        values=[option.record_value],
                        zone_name=zone_name,
                        purpose="Validation",
                    )
                )
            result.refused.append(option.domain_name)
        elif record is not None:
            there = aws.route53(record.account_id or item.account_id).records_at(
                record.hosted_zone_id or "", record.name
            )
            if not any(r.type == "CNAME" and sorted(r.values) == sorted(record.values) for r in there):
                change = RecordChange(record=record, owner=item.zone_name, owner_account_id=item.account_id,
                                      written_before=True)  # fmt: skip
                if all(c.record.name != record.name for c in result.rewrite):
                    result.rewrite.append(change)
        elif option.domain_name in certificate.renewal_pending:
            spec = RecordSpec(name=option.record_name, type="CNAME", values=[option.record_value],
                              zone_name=option.domain_name.removeprefix("*."), purpose="Validation")  # fmt: skip
            if all(r.name != spec.name for r in result.action_required):
                result.action_required.append(spec)
    _decide(result, certificate.status, certificate.renewal_reason, expires)
    decision.decision = "Proceed"
    if result.outcome != "Succeeded" and not aws.registry().claim_warning(
        item.zone_name, item.account_id, certificate.arn, result.reason
    ):
        decision.decision, decision.reason = "Skip", "AlreadyWarned"
        decision.message = f"{result.reason} was already published for {certificate.arn}: {result.message}"
    return result


def _decide(result: RenewalResult, status: str, renewal_reason: str | None, expires: str | None) -> None:
    arn = result.certificate.arn
    if status == "EXPIRED":
        result.outcome, result.reason = "Failed", "CertificateExpired"
        result.message = (
            f"certificate {arn} expired on {expires}: it was not renewed. Run orgdns for the zone again "
            "(a manual run) for a new certificate, and switch what used it"
        )
    elif result.renewal_status == "FAILED" or renewal_reason == "CAA_ERROR":
        caa = renewal_reason == "CAA_ERROR"
        result.outcome, result.reason = "ActionRequired", "CaaForbidsAmazon" if caa else "RenewalFailed"
        result.message = (
            f"ACM cannot renew {arn} ({renewal_reason or 'no reason given'}), which expires on {expires}: "
            + ("a CAA record on one of its names does not allow amazon.com (or amazontrust.com): add one"
               if caa else "see the certificate's RenewalSummary in ACM")
        )  # fmt: skip
    elif result.refused:
        result.outcome, result.reason = "ActionRequired", "NameNoLongerAllowed"
        result.message = (
            f"{arn} names {', '.join(result.refused)}, which the account may no longer certify (its grant or the "
            "zone's owner changed): orgdns does not write their validation records again; ACM will not renew it. "
            "Remove the names from orgdns:extra-names (a new certificate), or restore the grant"
        )
    elif not result.in_use_by:
        result.outcome, result.reason = "ActionRequired", "NotInUse"
        result.message = (
            f"ACM renews only certificates in use, and {arn} is not: it expires on {expires}. Attach it to what "
            "it is for (a load balancer, CloudFront, an API Gateway domain), or let it expire and run orgdns "
            "again for a new one when it is needed"
        )
    elif result.action_required:
        result.outcome, result.reason = "ActionRequired", "ValidationRecordMissing"
        result.message = (
            f"{arn} expires on {expires}; ACM cannot renew it until these validation records, at a DNS provider "
            "orgdns does not manage, are back: see actionRequired"
        )
    elif result.rewrite:
        result.outcome, result.reason = "Succeeded", "RecordsRewritten"
        result.message = (
            f"{len(result.rewrite)} validation record(s) orgdns wrote had gone missing and were written again: "
            f"ACM can renew {arn} (expires on {expires})"
        )
    else:
        result.outcome, result.reason = "Succeeded", "Renewable"
        result.message = f"{arn} is in use and its validation records are in place: ACM renews it before {expires}"


def _values(record: RecordSpec) -> list[str]:
    return sorted(value.rstrip(".").lower() for value in record.values)


def _iso(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if epoch is not None else None
