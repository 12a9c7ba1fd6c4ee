"""Route 53: hosted zones, record sets and change status in one account."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code
from orgdns.batches import listing_key, past
from orgdns.errors import HostedZoneNotFound, RecordRejected, ZoneConflict
from orgdns.models import RecordSpec
from orgdns.names import bare, fqdn


@dataclass(frozen=True)
class HostedZone:
    hosted_zone_id: str  # without the "/hostedzone/" prefix
    name: str  # without the trailing dot
    caller_reference: str
    private: bool
    # The delegation set, when the answer carried it (CreateHostedZone); not part of what a zone is.
    name_servers: tuple[str, ...] | None = field(default=None, compare=False)


def strip_zone_id(zone_id: str) -> str:
    return zone_id.rsplit("/", 1)[-1]


class Route53:
    """One account's Route 53. Route 53 allows 5 requests per second per account, all APIs
    together; errors surface as ``Route53Throttling`` for the state machine to back off."""

    def __init__(self, client: Any, pace: Callable[[], None] = lambda: None) -> None:
        self._client = client
        self._pace = pace  # called before every request: the account's shared request budget

    def find_zones(self, name: str) -> list[HostedZone]:
        """Public hosted zones named exactly ``name`` (ListHostedZonesByName is sorted by name)."""
        found = []
        with aws_errors("route53"):
            self._pace()
            page = self._client.list_hosted_zones_by_name(DNSName=fqdn(name), MaxItems="100")
        for zone in page.get("HostedZones", []):
            if bare(zone["Name"]) != name:
                break
            private = bool(zone.get("Config", {}).get("PrivateZone", False))
            if not private:
                found.append(HostedZone(strip_zone_id(zone["Id"]), name, zone.get("CallerReference", ""), private))
        return found

    def create_zone(self, name: str, caller_reference: str, comment: str) -> HostedZone:
        """CreateHostedZone, idempotent on ``caller_reference``.

        Route 53 refuses a second request with the same CallerReference
        (HostedZoneAlreadyExists), so a retried or rerun step finds the zone it made before (then
        without its name servers: ``name_servers`` is set only for a zone this call created).
        """
        try:
            with aws_errors("route53"):
                self._pace()
                response = self._client.create_hosted_zone(
                    Name=name,
                    CallerReference=caller_reference,
                    HostedZoneConfig={"Comment": comment, "PrivateZone": False},
                )
        except ClientError as exc:
            if error_code(exc) != "HostedZoneAlreadyExists":
                raise
            for zone in self.find_zones(name):
                if zone.caller_reference == caller_reference:
                    return zone
            raise ZoneConflict(
                f"Route 53 says a hosted zone for {name} already exists from request "
                f"{caller_reference}, but none of that name carries it"
            ) from None
        zone = response["HostedZone"]
        servers = tuple(bare(ns) for ns in response.get("DelegationSet", {}).get("NameServers", []))
        return HostedZone(strip_zone_id(zone["Id"]), name, caller_reference, False, servers or None)

    def zone(self, zone_id: str) -> HostedZone | None:
        """GetHostedZone: the zone as Route 53 has it now, or None when it does not exist."""
        try:
            with aws_errors("route53"):
                self._pace()
                response = self._client.get_hosted_zone(Id=zone_id)
        except ClientError as exc:
            if error_code(exc) in {"NoSuchHostedZone", "InvalidInput"}:
                return None
            raise
        zone = response["HostedZone"]
        return HostedZone(
            strip_zone_id(zone["Id"]),
            bare(zone["Name"]),
            zone.get("CallerReference", ""),
            bool(zone.get("Config", {}).get("PrivateZone", False)),
        )

    def tags(self, zone_id: str) -> dict[str, str]:
        """ListTagsForResource on a hosted zone (the id without its "/hostedzone/" prefix)."""
        self._pace()
        with aws_errors("route53"):
            response = self._client.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)
        return {tag["Key"]: tag["Value"] for tag in response.get("ResourceTagSet", {}).get("Tags", [])}

    def name_servers(self, zone_id: str) -> list[str] | None:
        """The zone's delegation set, or None when the zone does not exist."""
        try:
            with aws_errors("route53"):
                self._pace()
                response = self._client.get_hosted_zone(Id=zone_id)
        except ClientError as exc:
            if error_code(exc) == "NoSuchHostedZone":
                return None
            raise
        return [bare(ns) for ns in response.get("DelegationSet", {}).get("NameServers", [])]

    def records_at(self, zone_id: str, name: str) -> list[RecordSpec]:
        """Every record set named exactly ``name`` in the zone (all types); HostedZoneNotFound
        when the zone is gone."""
        try:
            with aws_errors("route53"):
                self._pace()
                response = self._client.list_resource_record_sets(
                    HostedZoneId=zone_id, StartRecordName=fqdn(name), MaxItems="20"
                )
        except ClientError as exc:
            if error_code(exc) == "NoSuchHostedZone":
                raise HostedZoneNotFound(f"hosted zone {zone_id} does not exist") from None
            raise
        found = []
        for rrset in response.get("ResourceRecordSets", []):
            if _unescape(bare(rrset["Name"])) != name:
                break
            found.append(_record(name, rrset))
        return found

    def records_named(self, zone_id: str, names: list[str]) -> dict[str, list[RecordSpec]]:
        """Every record set at each of ``names`` in the zone, read as one range of the listing
        (pages of 300 from the first name to the last, in Route 53's order: labels reversed), so
        checking a hundred names close together costs one request, not a hundred.
        HostedZoneNotFound when the zone is gone."""
        wanted = {name.lower() for name in names}
        found: dict[str, list[RecordSpec]] = {name: [] for name in wanted}
        if not wanted:
            return found
        ordered = sorted(wanted, key=listing_key)
        last = max(wanted, key=listing_key)
        for rrsets in self._record_pages(zone_id, fqdn(ordered[0])):
            for rrset in rrsets:
                name = _unescape(bare(rrset["Name"])).lower()
                if name in found:
                    found[name].append(_record(name, rrset))
            if not rrsets or past(_unescape(bare(rrsets[-1]["Name"])), last):
                break
        return found

    def _record_pages(self, zone_id: str, start: str | None = None) -> Iterator[list[dict[str, Any]]]:
        """ListResourceRecordSets, a page of 300 at a time from ``start`` (the zone's first name when
        None) to the zone's end; HostedZoneNotFound when the zone is gone."""
        params: dict[str, Any] = {"HostedZoneId": zone_id, "MaxItems": "300"}
        if start is not None:
            params["StartRecordName"] = start
        while True:
            try:
                with aws_errors("route53"):
                    self._pace()
                    response = self._client.list_resource_record_sets(**params)
            except ClientError as exc:
                if error_code(exc) == "NoSuchHostedZone":
                    raise HostedZoneNotFound(f"hosted zone {zone_id} does not exist") from None
                raise
            yield response.get("ResourceRecordSets", [])
            if not response.get("IsTruncated"):
                return
            params["StartRecordName"] = response["NextRecordName"]
            params["StartRecordType"] = response["NextRecordType"]
            if "NextRecordIdentifier" in response:
                params["StartRecordIdentifier"] = response["NextRecordIdentifier"]

    def public_zones(self) -> list[HostedZone]:
        """Every public hosted zone of the account (ListHostedZones, pages of 100)."""
        found: list[HostedZone] = []
        params: dict[str, Any] = {"MaxItems": "100"}
        while True:
            with aws_errors("route53"):
                self._pace()
                page = self._client.list_hosted_zones(**params)
            for zone in page.get("HostedZones", []):
                if not zone.get("Config", {}).get("PrivateZone", False):
                    found.append(
                        HostedZone(
                            strip_zone_id(zone["Id"]), bare(zone["Name"]), zone.get("CallerReference", ""), False
                        )
                    )
            if not page.get("IsTruncated") or not page.get("NextMarker"):
                return found
            params["Marker"] = page["NextMarker"]

    def all_records(self, zone_id: str) -> list[RecordSpec]:
        """Every record set of the zone (ListResourceRecordSets, pages of 300);
        HostedZoneNotFound when the zone is gone."""
        return [
            _record(_unescape(bare(rrset["Name"])).lower(), rrset)
            for rrsets in self._record_pages(zone_id)
            for rrset in rrsets
        ]

    def change(self, zone_id: str, changes: list[tuple[str, RecordSpec]], comment: str) -> str:
        """ChangeResourceRecordSets, all-or-nothing; returns the change id (PENDING until INSYNC).

        DELETE must repeat the record exactly as it is, so callers pass what they read (or what
        orgdns wrote, to delete it only if it is still so). CREATE fails if the record set exists.
        A batch Route 53 refuses (InvalidChangeBatch, InvalidInput) raises RecordRejected with its
        message; HostedZoneNotFound when the zone is gone.
        """
        batch = [{"Action": action, "ResourceRecordSet": _to_rrset(record)} for action, record in changes]
        try:
            with aws_errors("route53"):
                self._pace()
                response = self._client.change_resource_record_sets(
                    HostedZoneId=zone_id, ChangeBatch={"Comment": comment[:256], "Changes": batch}
                )
        except ClientError as exc:
            if error_code(exc) in {"InvalidChangeBatch", "InvalidInput"}:
                message = str(exc.response.get("Error", {}).get("Message", exc))
                raise RecordRejected(f"Route 53 refused the change: {message}") from None
            if error_code(exc) == "NoSuchHostedZone":
                raise HostedZoneNotFound(f"hosted zone {zone_id} does not exist") from None
            raise
        return strip_zone_id(response["ChangeInfo"]["Id"])

    def change_in_sync(self, change_id: str) -> bool:
        """GetChange: INSYNC once every Route 53 name server has the change (usually < 60 s)."""
        with aws_errors("route53"):
            self._pace()
            response = self._client.get_change(Id=change_id)
        return bool(response["ChangeInfo"]["Status"] == "INSYNC")


def _record(name: str, rrset: dict[str, Any]) -> RecordSpec:
    alias = rrset.get("AliasTarget")
    return RecordSpec(
        name=name,
        type=rrset["Type"],
        ttl=rrset.get("TTL"),
        values=[_normalise_value(rrset["Type"], r["Value"]) for r in rrset.get("ResourceRecords", [])],
        alias_target=f"{alias['HostedZoneId']}/{bare(alias['DNSName'])}" if alias else None,
    )


def _to_rrset(record: RecordSpec) -> dict[str, Any]:
    rrset: dict[str, Any] = {"Name": fqdn(record.name), "Type": record.type}
    if record.alias_target:
        zone_id, _, dns_name = record.alias_target.partition("/")
        rrset["AliasTarget"] = {"HostedZoneId": zone_id, "DNSName": fqdn(dns_name), "EvaluateTargetHealth": False}
    else:
        rrset["TTL"] = record.ttl if record.ttl is not None else 300
        rrset["ResourceRecords"] = [{"Value": _presentation_value(record.type, v)} for v in record.values]
    return rrset


def _normalise_value(rtype: str, value: str) -> str:
    return bare(value) if rtype in {"NS", "CNAME"} else value


def _presentation_value(rtype: str, value: str) -> str:
    return fqdn(value) if rtype in {"NS", "CNAME"} else value


def _unescape(name: str) -> str:
    return name.replace("\\052", "*")
