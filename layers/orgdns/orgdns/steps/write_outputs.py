"""WriteOutputs: what member stacks need to know about the zone, as SSM parameters in the zone's
account, in each Region concerned, under ``/orgdns/<zone>/``:

- ``hosted-zone-id`` and ``name-servers`` (comma-separated), in every certificate Region;
- ``certificate-arn``: the zone's certificate in that Region;
- ``custom-domain/target`` and ``custom-domain/hosted-zone-id``: the alias target of the API
  Gateway custom domain (its CloudFront or regional domain name and hosted zone), in its Region.

Written after the certificates are ISSUED and the custom domain serves them, so a stack never
reads a certificate ARN that is not in service. Only values that changed are written; outputs an
earlier run wrote that are no longer wanted (a Region or the custom domain removed) are deleted.
The registry keeps the list (written before the parameters are), for the next run and the
teardown. A run that read the account's tags before another run that has already written newer
outputs writes nothing (Superseded).
"""

from orgdns.aws.access import AwsAccess
from orgdns.errors import ZoneWithdrawn
from orgdns.models import OutputsResult, ParameterRef, WorkflowState
from orgdns.steps.create_custom_domain import claim_certificate

PREFIX = "/orgdns"


def output_path(zone_name: str) -> str:
    return f"{PREFIX}/{zone_name}"


def wanted_outputs(state: WorkflowState) -> list[ParameterRef]:
    plan, zone = state.plan, state.zone
    assert zone is not None, "CreateZone must run before WriteOutputs"
    path = output_path(plan.zone_name)
    certificates = state.certificate_check or state.certificates
    wanted = []
    for ref in certificates.certificates if certificates else []:
        wanted += [
            ParameterRef(region=ref.region, name=f"{path}/hosted-zone-id", value=zone.hosted_zone_id),
            ParameterRef(region=ref.region, name=f"{path}/name-servers", value=",".join(sorted(zone.name_servers))),
            ParameterRef(region=ref.region, name=f"{path}/certificate-arn", value=ref.arn),
        ]
    domain = state.custom_domain
    if domain is not None:
        wanted += [
            ParameterRef(region=domain.region, name=f"{path}/custom-domain/target", value=domain.target_domain_name),
            ParameterRef(
                region=domain.region, name=f"{path}/custom-domain/hosted-zone-id", value=domain.target_hosted_zone_id
            ),
        ]
    return wanted


def write_outputs(state: WorkflowState, aws: AwsAccess) -> OutputsResult:
    plan = state.plan
    wanted = wanted_outputs(state)
    registry = aws.registry()
    item = registry.get(plan.zone_name)
    if item is None or item.account_id != plan.account_id or item.torn_down_by:
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down before its outputs were written; none was written")
    claim_certificate(aws, plan)  # a run that read the tags later has written newer outputs: Superseded
    keys = {(p.region, p.name) for p in wanted}
    stale = [p for p in item.parameters if (p.region, p.name) not in keys]
    # Recorded before they are written (conditionally: not while the zone is being torn down), so a
    # teardown always knows every parameter there may be.
    if not registry.set_parameters(plan.zone_name, plan.account_id, [p.dump() for p in [*wanted, *stale]]):
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down before its outputs were written; none was written")
    result = OutputsResult(written=wanted, deleted=stale)
    for region in sorted({p.region for p in wanted} | {p.region for p in stale}):
        parameters = aws.parameters(plan.account_id, region)
        there = parameters.under(output_path(plan.zone_name) + "/")
        for parameter in (p for p in wanted if p.region == region):
            if there.get(parameter.name) != parameter.value:
                parameters.put(parameter.name, parameter.value)
                result.changed += 1
        gone = [p.name for p in stale if p.region == region and p.name in there]
        if gone:
            parameters.delete(gone)
    if stale:
        registry.set_parameters(plan.zone_name, plan.account_id, [p.dump() for p in wanted])
    return result
