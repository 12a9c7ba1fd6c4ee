"""API Gateway v1 custom domains that take time (patch 6)."""

from __future__ import annotations

import json
import threading
import weakref
from typing import Any

from moto.apigateway.exceptions import ApiGatewayException, BadRequestException, ConflictException
from moto.apigateway.models import APIGatewayBackend, DomainName, apigateway_backends
from moto.apigateway.responses import APIGatewayResponse

from .context import GlueContext, _Patches

# -- 6. API Gateway v1 custom domains ------------------------------------------------------------

# Alias hosted zone of API Gateway's regional endpoints (docs: "Amazon API Gateway endpoints").
_REGIONAL_HOSTED_ZONE_IDS = {
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-west-1": "Z2MUQ32089INYE",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "ca-central-1": "Z19DQILCV0OWEC",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-west-2": "ZJ5UAJN8Y3Z2Q",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
    "eu-north-1": "Z3UWIKFBOOGXPP",
    "ap-northeast-1": "Z1YSHQZHG15GKL",
    "ap-southeast-1": "ZL327KTPIQFUL",
    "ap-southeast-2": "Z2RPCDW04V8134",
}
_EDGE_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2"

# A domain being updated (UpdateDomainName): UPDATING until this simulated moment.
busy_until = weakref.WeakKeyDictionary[DomainName, float]()


def _patch_apigateway(ctx: GlueContext, patches: _Patches) -> None:
    """Make new API Gateway v1 custom domains take time to become AVAILABLE.

    Gap: moto's `DomainName` (moto/apigateway/models.py) is AVAILABLE at once, reports both
    endpoint kinds' fields, and gives regional domains the CloudFront hosted zone id. Patched:
    `DomainName.__init__` notes the simulated creation time and sets the per-Region
    `regionalHostedZoneId` (Regions outside the table keep moto's value); `to_json` reports
    PENDING (edge) or UPDATING (regional) until `ctx.apigw_edge_pending_seconds` /
    `ctx.apigw_regional_pending_seconds` have passed, then AVAILABLE, and only the fields of the
    domain's endpoint type: distributionDomainName and distributionHostedZoneId (Z2FDTNDATAQYW2)
    for edge, regionalDomainName and regionalHostedZoneId for regional.
    """
    clock, created = ctx.clock, weakref.WeakKeyDictionary[DomainName, float]()
    original_init, original_to_json = DomainName.__init__, DomainName.to_json

    def __init__(self: DomainName, domain_name: str, **kwargs: Any) -> None:
        original_init(self, domain_name, **kwargs)
        created[self] = clock.elapsed()
        self.certificate_upload_date = int(clock.now().timestamp())
        self.distribution_hosted_zone_id = _EDGE_HOSTED_ZONE_ID
        region = kwargs.get("region_name") or "us-east-1"
        self.regional_hosted_zone_id = _REGIONAL_HOSTED_ZONE_IDS.get(region, self.regional_hosted_zone_id)

    def to_json(self: DomainName) -> dict[str, Any]:
        data: dict[str, Any] = original_to_json(self)
        edge = "REGIONAL" not in ((self.endpoint_configuration or {}).get("types") or ["EDGE"])
        if edge:
            busy, delay = "PENDING", ctx.apigw_edge_pending_seconds
        else:
            busy, delay = "UPDATING", ctx.apigw_regional_pending_seconds
        if clock.elapsed() < created.get(self, 0.0) + delay:
            data["domainNameStatus"] = busy
            data.pop("domainNameStatusMessage", None)
        elif clock.elapsed() < busy_until.get(self, 0.0):
            data["domainNameStatus"] = "UPDATING"
            data.pop("domainNameStatusMessage", None)
        other = "regional" if edge else "distribution"
        data.pop(f"{other}DomainName", None)
        data.pop(f"{other}HostedZoneId", None)
        return data

    patches.set(DomainName, "__init__", __init__)
    patches.set(DomainName, "to_json", to_json)


class TooManyRequestsException(ApiGatewayException):  # type: ignore[misc]
    code = 429

    def __init__(self, message: str) -> None:
        super().__init__("TooManyRequestsException", message)


def domain_arn(region: str, name: str) -> str:
    return f"arn:aws:apigateway:{region}::/domainnames/{name}"


def domains_using(account_id: str, region: str, certificate_arn: str) -> list[str]:
    """ARNs of the account's custom domains in ``region`` whose certificate is ``certificate_arn``."""
    backend = apigateway_backends[account_id][region]
    found = []
    for domain in backend.domain_names.values():
        if certificate_arn in (domain.certificate_arn, domain.regional_certificate_arn):
            found.append(domain_arn(region, domain.domain_name))
    return found


def _patch_apigateway_updates(ctx: GlueContext, patches: _Patches) -> None:
    """UpdateDomainName (REST API v1) on the simulated clock, and API Gateway's domain write rate.

    Gaps: moto 5.2.5 has no `update_domain_name` (PATCH /domainnames/{name} raises
    NotImplementedError in `APIGatewayResponse`), and takes any number of CreateDomainName and
    DeleteDomainName calls at once. Patched:
    - UpdateDomainName takes `replace` of `/certificateArn` (edge), `/regionalCertificateArn`
      (regional) and `/securityPolicy`; any other path is BadRequestException, as API Gateway
      answers. The domain is then UPDATING for `ctx.apigw_edge_update_seconds` (edge: CloudFront
      takes the certificate) or `ctx.apigw_regional_update_seconds`; an update while it is not
      AVAILABLE is ConflictException "There is already an update in progress".
    - Create/Update/DeleteDomainName: one per `ctx.apigw_write_interval_seconds` (30 s) per
      account, else TooManyRequestsException (429), as the documented quota says.
    - A domain that switches away from a certificate, or is deleted, leaves the certificate in
      `ctx.released_certificates`: ACM lists it in InUseBy for `ctx.acm_in_use_release_seconds`
      more (see acm.py).
    """
    clock = ctx.clock
    last_write: dict[str, float] = {}
    lock = threading.Lock()

    def take_write_slot(account_id: str) -> None:
        with lock:
            now = clock.elapsed()
            previous = last_write.get(account_id)
            if previous is not None and now < previous + ctx.apigw_write_interval_seconds:
                raise TooManyRequestsException("Too Many Requests")
            last_write[account_id] = now

    def release(domain: DomainName, region: str, certificate_arn: str | None) -> None:
        if certificate_arn:
            until = clock.elapsed() + ctx.acm_in_use_release_seconds
            ctx.released_certificates.setdefault(certificate_arn, []).append(
                (domain_arn(region, domain.domain_name), until)
            )

    original_create = APIGatewayBackend.create_domain_name
    original_delete = APIGatewayBackend.delete_domain_name

    def create_domain_name(self: APIGatewayBackend, *args: Any, **kwargs: Any) -> DomainName:
        take_write_slot(self.account_id)
        return original_create(self, *args, **kwargs)

    def delete_domain_name(self: APIGatewayBackend, domain_name: str) -> None:
        domain = self.domain_names.get(domain_name)
        take_write_slot(self.account_id)
        original_delete(self, domain_name)
        if domain is not None:
            release(domain, self.region_name, domain.certificate_arn or domain.regional_certificate_arn)

    def update_domain_name(self: APIGatewayResponse) -> Any:
        name = self.path.split("/")[2]
        operations = self._get_param("patchOperations") or []
        backend = self.backend
        domain = backend.get_domain_name(name)
        fields = {"/certificateArn": "certificate_arn", "/regionalCertificateArn": "regional_certificate_arn",
                  "/securityPolicy": "security_policy"}  # fmt: skip
        for operation in operations:
            if operation.get("op") != "replace" or operation.get("path") not in fields:
                raise BadRequestException(
                    f"Invalid patch path '{operation.get('path')}' specified for op '{operation.get('op')}'. "
                    f"Must be one of: [{', '.join(fields)}]"
                )
        if domain.to_json().get("domainNameStatus") != "AVAILABLE":
            raise ConflictException("There is already an update in progress")
        take_write_slot(backend.account_id)
        for operation in operations:
            attribute = fields[operation["path"]]
            old = getattr(domain, attribute)
            if attribute != "security_policy" and old and old != operation.get("value"):
                release(domain, backend.region_name, old)
            setattr(domain, attribute, operation.get("value"))
        edge = "REGIONAL" not in ((domain.endpoint_configuration or {}).get("types") or ["EDGE"])
        busy_until[domain] = clock.elapsed() + (
            ctx.apigw_edge_update_seconds if edge else ctx.apigw_regional_update_seconds
        )
        domain.certificate_upload_date = int(clock.now().timestamp())
        return 200, {"status": 200}, json.dumps(domain.to_json())

    patches.set(APIGatewayBackend, "create_domain_name", create_domain_name)
    patches.set(APIGatewayBackend, "delete_domain_name", delete_domain_name)
    patches.set(APIGatewayResponse, "update_domain_name", update_domain_name)
