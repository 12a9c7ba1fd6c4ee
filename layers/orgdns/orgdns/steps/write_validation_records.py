"""WriteValidationRecords: the DNS validation CNAMEs, in the zone that answers for each name."""

from collections import defaultdict

from orgdns.aws.access import AwsAccess
from orgdns.certificates import deduplicate_validation_records, validation_record_domain
from orgdns.errors import ZoneWithdrawn
from orgdns.models import RecordChange, RecordSpec, ValidationResult, WorkflowState
from orgdns.ownership import check_certificate_names
from orgdns.records import key, merge_records, owned_records, plan_write, same_content
from orgdns.steps.lookups import surroundings
from orgdns.zones import authoritative_zone

VALIDATION_TTL = 300


def write_validation_records(state: WorkflowState, aws: AwsAccess) -> ValidationResult:
    """Write every validation CNAME orgdns can, list the ones a human must add.

    ACM fills in ``ResourceRecord`` a few seconds after the request: until every option has one,
    this returns ``recordsReady: false`` and the state machine waits and calls again. Records
    are deduplicated (apex and wildcard share one; one record serves every Region). A name under
    no managed zone (an end-user domain at an outside DNS provider) is returned in
    ``actionRequired`` with the exact record to add. A name in another account's zone is written
    only if a grant covers it (CertificateNameNotAllowed otherwise, before any write).

    Records in the run's own zone are written here: no other run writes there. Records bound for
    any other zone (a root or a parent zone, under a grant), where other runs write too, are
    returned in ``shared``: the state machine hands them to the record writer (WriteChanges),
    which writes every run's records for one zone in as few change batches as it can.
    """
    plan, certificates = state.plan, state.certificates
    assert certificates is not None, "RequestCertificates must run before WriteValidationRecords"
    options = []
    for ref in certificates.certificates:
        described = aws.acm(plan.account_id, ref.region).describe(ref.arn)
        for option in described.options:
            if option.record_name is None or option.record_value is None:
                return ValidationResult(records_ready=False)
            options.append((option.domain_name, option.record_name, option.record_value))

    registry = aws.registry()
    wanted = deduplicate_validation_records(options)
    zones = surroundings(aws, [domain for record in wanted for domain in record.domains]).zones
    # Nothing is written unless every name may be: a zone registered since RequestCertificates
    # may answer for one of them now.
    check_certificate_names(
        [domain for record in wanted for domain in record.domains], plan.account_id, zones, aws.settings.grants
    )
    by_zone = defaultdict(list)
    action_required = []
    for record in wanted:
        spec = RecordSpec(
            name=record.name, type="CNAME", ttl=VALIDATION_TTL, values=[record.value], purpose="Validation"
        )
        zone = authoritative_zone(validation_record_domain(record.name), zones)
        if zone is None:
            action_required.append(spec.model_copy(update={"zone_name": validation_record_domain(record.name)}))
            continue
        by_zone[zone].append(
            spec.model_copy(
                update={"zone_name": zone.name, "hosted_zone_id": zone.hosted_zone_id, "account_id": zone.account_id}
            )
        )

    # Validation CNAMEs are the account's (ACM derives them from the account and the name): any of
    # its zones may have written one this certificate shares.
    owned = owned_records(registry.of_account(plan.account_id))
    own_zone = state.zone.hosted_zone_id if state.zone else None
    written: list[RecordSpec] = []
    shared: list[RecordChange] = []
    for zone, records in sorted(by_zone.items(), key=lambda item: item[0].name):
        item = registry.get(plan.zone_name)
        if item is None:
            raise ZoneWithdrawn(f"{plan.zone_name} was torn down while its certificates were being validated")
        # The ownership row goes in before the DNS change, here or by the writer.
        registry.put(item.model_copy(update={"records": merge_records(item.records, records)}))
        if zone.hosted_zone_id != own_zone:
            shared.extend(
                RecordChange(
                    record=r,
                    owner=plan.zone_name,
                    owner_account_id=plan.account_id,
                    written_before=key(r) in owned and same_content(owned[key(r)], r),
                )
                for r in records
            )
            continue
        route53 = aws.route53(zone.account_id)
        changes = [
            ("UPSERT", r) for r in records if plan_write(r, route53.records_at(zone.hosted_zone_id, r.name), owned)
        ]
        if changes:
            route53.change(
                zone.hosted_zone_id, changes, f"orgdns {plan.request_id}: certificate validation for {plan.zone_name}"
            )
        written.extend(records)
    return ValidationResult(records_ready=True, written=written, shared=shared, action_required=action_required)
