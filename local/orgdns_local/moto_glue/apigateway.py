"""API Gateway v1 custom domains that take time (patch 6)."""

from __future__ import annotations

import weakref
from typing import Any

from moto.apigateway.models import DomainName

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
        other = "regional" if edge else "distribution"
        data.pop(f"{other}DomainName", None)
        data.pop(f"{other}HostedZoneId", None)
        return data

    patches.set(DomainName, "__init__", __init__)
    patches.set(DomainName, "to_json", to_json)
