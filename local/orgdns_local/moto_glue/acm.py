"""ACM: issuance through the emulated DNS (patch 5)."""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.acm.models import AWSCertificateManagerBackend, CertBundle, datetime_to_epoch
from moto.acm.responses import AWSCertificateManagerResponse
from moto.core.exceptions import AWSError
from moto.route53.models import FakeZone, Route53Backend
from moto.utilities.arns import parse_arn

from .calls import ISSUANCE, ApiCall
from .context import GlueContext, _Patches
from .dns import normalise, within

LOG = logging.getLogger(__name__)

# -- 5. ACM validation through the emulated DNS -------------------------------------------------


@dataclass
class _CertState:
    requested_at: float
    resolved_at: float | None = None  # first moment every validation record resolved
    issued_at: float | None = None
    not_after: float | None = None  # simulated seconds
    renewal_status: str | None = None  # RenewalSummary.RenewalStatus, once renewal has started
    renewal_reason: str | None = None
    renewal_updated: float | None = None
    renewing_since: float | None = None  # PENDING_AUTO_RENEWAL: validating again since then
    emitted: set[tuple[str, int]] = field(default_factory=set)  # (event kind, days to expiry) sent
    failure_reason: str | None = None
    record_names: list[str] = field(default_factory=list)  # the validation records, normalised


def _patch_acm(ctx: GlueContext, patches: _Patches) -> None:
    """Issue DNS-validated certificates only once their validation CNAMEs resolve.

    Gap: moto issues every certificate `MOTO_ACM_VALIDATION_WAIT` seconds after the request,
    record or not, and gives every certificate the same validation CNAME (`CertBundle.check` and
    `CertBundle.describe`, moto/acm/models.py). Patched on `CertBundle` (for AMAZON_ISSUED
    certificates; imported and private ones keep moto's behaviour):
    - the validation record depends on (account, domain without "*."): apex and wildcard share
      one, an account gets the same one in every Region, two accounts get different ones;
    - DescribeCertificate omits ResourceRecord until `ctx.acm_record_delay_seconds` after the
      request; ValidationStatus is SUCCESS once that option's record resolves;
    - the status becomes ISSUED `ctx.acm_validation_seconds` after every record first resolved
      through `ctx.dns` (checked on every read of the certificate and after every Route 53 change,
      so the moment is exact), or FAILED with FailureReason = the error code of a FaultPlan rule
      for ("acm", "Issuance"); VALIDATION_TIMED_OUT after `ctx.acm_timeout_seconds` (72 h);
    - CreatedAt and IssuedAt come from the simulated clock.

    A Route 53 change can only change how names inside the changed zone's name resolve, so after
    one only the certificates still pending whose validation records lie there are checked
    (checking every certificate after every change cost a burst the cube of its size).
    """
    clock, states = ctx.clock, weakref.WeakKeyDictionary[CertBundle, _CertState]()
    pending = weakref.WeakSet[CertBundle]()  # PENDING_VALIDATION, as last checked
    ctx.acm_lifecycle = AcmLifecycle(ctx, states)

    def resolves(account: str, domain: str) -> bool:
        name, value = _validation_record(account, domain)
        return normalise(value) in (ctx.dns.resolve(name, "CNAME") or [])

    original_init = CertBundle.__init__

    def __init__(self: CertBundle, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.created_at = clock.now()
        if self.type == "AMAZON_ISSUED":
            names = [normalise(_validation_record(parse_arn(self.arn).account, d)[0]) for d in _cert_domains(self)]
            states[self] = _CertState(requested_at=clock.elapsed(), record_names=names)
            pending.add(self)

    original_check = CertBundle.check

    def check(self: CertBundle) -> None:
        state = states.get(self)
        if state is None:
            original_check(self)
            return
        if self.status != "PENDING_VALIDATION":
            pending.discard(self)
            return
        arn, now = parse_arn(self.arn), clock.elapsed()
        account, region = arn.account, arn.region
        if all(resolves(account, domain) for domain in _cert_domains(self)):
            state.resolved_at = now if state.resolved_at is None else state.resolved_at
        else:
            state.resolved_at = None
        deadline = state.requested_at + ctx.acm_timeout_seconds
        moment = None if state.resolved_at is None else state.resolved_at + ctx.acm_validation_seconds
        if moment is not None and moment <= min(now, deadline):
            fault = ctx.faults.match(ApiCall("acm", ISSUANCE, account, region, moment), domain=self.common_name)
            if fault is None:
                self.status, state.issued_at = "ISSUED", moment
                ctx.acm_lifecycle.issued(self, moment)
            else:
                code = fault.response["Error"]["Code"] if isinstance(fault, ClientError) else type(fault).__name__
                self.status, state.failure_reason = "FAILED", code
        elif now >= deadline:
            self.status = "VALIDATION_TIMED_OUT"
        if self.status != "PENDING_VALIDATION":
            pending.discard(self)

    original_describe = CertBundle.describe

    def describe(self: CertBundle) -> dict[str, Any]:
        result: dict[str, Any] = original_describe(self)
        state = states.get(self)
        if state is None:
            return result
        account, certificate = parse_arn(self.arn).account, result["Certificate"]
        show_record = clock.elapsed() >= state.requested_at + ctx.acm_record_delay_seconds
        options = []
        for domain in _cert_domains(self):
            name, value = _validation_record(account, domain)
            option: dict[str, Any] = {
                "DomainName": domain,
                "ValidationDomain": domain,
                "ValidationMethod": "DNS",
                "ValidationStatus": _validation_status(self.status, resolves(account, domain)),
            }
            if show_record:
                option["ResourceRecord"] = {"Name": name, "Type": "CNAME", "Value": value}
            options.append(option)
        certificate["DomainValidationOptions"] = options
        certificate.pop("IssuedAt", None)
        if state.issued_at is not None:
            certificate["IssuedAt"] = datetime_to_epoch(clock.to_datetime(state.issued_at))
        if state.failure_reason is not None:
            certificate["FailureReason"] = state.failure_reason
        return result

    def refreshing(original: Callable[..., Any]) -> Callable[..., Any]:
        def method(backend: Route53Backend, *args: Any, **kwargs: Any) -> Any:
            result = original(backend, *args, **kwargs)
            if isinstance(result, FakeZone):  # created or deleted
                apex = normalise(result.name)
            else:  # change_resource_record_sets(zone id, changes)
                zone = backend.zones.get(str(args[0] if args else kwargs["zoneid"]).removeprefix("/hostedzone/"))
                apex = normalise(zone.name) if zone is not None else ""
            for cert in list(pending):
                state = states.get(cert)
                if state is not None and any(within(name, apex) for name in state.record_names):
                    cert.check()
            return result

        return method

    patches.set(CertBundle, "__init__", __init__)
    patches.set(CertBundle, "check", check)
    patches.set(CertBundle, "describe", describe)
    for name in ("change_resource_record_sets", "create_hosted_zone", "delete_hosted_zone"):
        patches.set(Route53Backend, name, refreshing(getattr(Route53Backend, name)))
    _patch_acm_idempotency(patches)
    _patch_acm_keys(patches)
    _patch_acm_summaries(patches)


def _patch_acm_summaries(patches: _Patches) -> None:
    """ListCertificates names each certificate's subject alternative names, as ACM does.

    Gap: `AWSCertificateManagerResponse.list_certificates` (moto/acm/responses.py) answers each
    summary with DescribeCertificate's fields (`SubjectAlternativeNames`), which the ListCertificates
    model does not carry, so a client sees only `DomainName`. ACM's summary has
    `SubjectAlternativeNameSummaries` (the first 100 names, the domain name among them) and
    `HasAdditionalSubjectAlternativeNames`. Patched: both added to each summary.
    """
    original = AWSCertificateManagerResponse.list_certificates

    def list_certificates(self: AWSCertificateManagerResponse) -> Any:
        result = original(self)
        listed = cast(dict[str, Any], result.result)  # moto's ActionResult holds the response as a dict
        for summary in listed.get("CertificateSummaryList", []):
            names = list(dict.fromkeys([summary["DomainName"], *(summary.get("SubjectAlternativeNames") or [])]))
            summary["SubjectAlternativeNameSummaries"] = names[:100]
            summary["HasAdditionalSubjectAlternativeNames"] = len(names) > 100
        return result

    patches.set(AWSCertificateManagerResponse, "list_certificates", list_certificates)


def _patch_acm_keys(patches: _Patches) -> None:
    """Every emulated certificate is signed over one RSA key pair, made once.

    Gap (cost, not behaviour): `CertBundle.generate_cert` (moto/acm/models.py) generates a
    2048-bit RSA key for every certificate requested, and `CertBundle.__init__` parses it back
    (`validate_pk`): tens of milliseconds each, a minute of CPU for a burst of a thousand
    accounts. ACM never hands out an AMAZON_ISSUED certificate's private key and orgdns reads
    none, so one key serves every certificate; each still gets its own certificate, names and ARN.
    Patched: `generate_private_key` as moto.acm.models reaches it (through the `rsa` module, for
    2048-bit keys), and `validate_pk`, remembered per key.
    """
    shared: list[Any] = []
    parsed: dict[bytes, Any] = {}
    lock = threading.Lock()
    original_generate = rsa.generate_private_key
    original_validate = CertBundle.validate_pk

    def generate_private_key(public_exponent: int, key_size: int, backend: Any = None) -> Any:
        if key_size != 2048 or public_exponent != 65537:
            return original_generate(public_exponent=public_exponent, key_size=key_size)
        with lock:
            if not shared:
                shared.append(original_generate(public_exponent=public_exponent, key_size=key_size))
        return shared[0]

    def validate_pk(self: CertBundle) -> Any:
        key = bytes(self.key)
        if key not in parsed:
            parsed[key] = original_validate(self)
        return parsed[key]

    patches.set(rsa, "generate_private_key", generate_private_key)
    patches.set(CertBundle, "validate_pk", validate_pk)


def _patch_acm_idempotency(patches: _Patches) -> None:
    """RequestCertificate with an IdempotencyToken is atomic, as on AWS.

    Gap: `AWSCertificateManagerBackend.request_certificate` (moto/acm/models.py) looks the token
    up, generates the certificate (a key pair: slow), then stores the token, so two requests with
    one token at the same moment both miss and get two certificates; ACM returns one. Patched:
    requests to one backend are serialised.
    """
    original = AWSCertificateManagerBackend.request_certificate
    lock = threading.Lock()

    def request_certificate(self: AWSCertificateManagerBackend, *args: Any, **kwargs: Any) -> str:
        with lock:
            return str(original(self, *args, **kwargs))

    patches.set(AWSCertificateManagerBackend, "request_certificate", request_certificate)


def _validation_record(account_id: str, domain: str) -> tuple[str, str]:
    """(name, value) of the validation CNAME for `domain` requested by `account_id`."""
    base = normalise(domain).removeprefix("*.")
    name_hash = hashlib.md5(f"{account_id}/{base}".encode(), usedforsecurity=False).hexdigest()
    value_hash = hashlib.md5(f"{base}/{account_id}".encode(), usedforsecurity=False).hexdigest()
    label = "".join(chr(ord("a") + int(digit, 16)) for digit in value_hash[:10])
    return f"_{name_hash}.{base}.", f"_{value_hash}.{label}.acm-validations.aws."


def _cert_domains(cert: CertBundle) -> list[str]:
    """The domain name first, then the other subject alternative names."""
    return list(dict.fromkeys([str(cert.common_name), *cert.sans]))


def _validation_status(cert_status: str, resolves: bool) -> str:
    if cert_status == "ISSUED" or resolves:
        return "SUCCESS"
    if cert_status in ("FAILED", "VALIDATION_TIMED_OUT"):
        return "FAILED"
    return "PENDING_VALIDATION"


class ResourceInUseException(AWSError):  # type: ignore[misc]
    TYPE = "ResourceInUseException"


def _patch_acm_in_use(ctx: GlueContext, patches: _Patches) -> None:
    """InUseBy follows the account's API Gateway custom domains; a certificate in use cannot be deleted.

    Gap: moto's `CertBundle.in_use_by` is filled only by its own load balancers, so a certificate
    serving a custom domain shows `InUseBy: []`, and `AWSCertificateManagerBackend.delete_certificate`
    deletes any certificate (moto/acm/models.py). ACM lists the resources using a certificate and
    refuses DeleteCertificate on one in use with ResourceInUseException; after a custom domain
    switches to another certificate (or is deleted) ACM goes on listing it for some minutes
    (10 to 20 observed). Patched: DescribeCertificate's InUseBy is moto's list, plus the ARN of
    each custom domain of the account in the certificate's Region that uses it now, plus each
    domain that left it less than `ctx.acm_in_use_release_seconds` ago
    (`ctx.released_certificates`, kept by apigateway.py); DeleteCertificate of a certificate with
    a non-empty InUseBy is ResourceInUseException.
    """

    def in_use_by(cert: CertBundle) -> list[str]:
        return _in_use_by(ctx, cert)

    original_describe = CertBundle.describe

    def describe(self: CertBundle) -> dict[str, Any]:
        result: dict[str, Any] = original_describe(self)
        result["Certificate"]["InUseBy"] = in_use_by(self)
        return result

    original_delete = AWSCertificateManagerBackend.delete_certificate

    def delete_certificate(self: AWSCertificateManagerBackend, arn: str) -> None:
        cert = self._certificates.get(arn)
        if cert is not None and in_use_by(cert):
            raise ResourceInUseException(message=f"Certificate {arn} is in use")
        original_delete(self, arn)

    patches.set(CertBundle, "describe", describe)
    patches.set(AWSCertificateManagerBackend, "delete_certificate", delete_certificate)


DAY = 86400.0
APPROACHING = "ACM Certificate Approaching Expiration"
ACTION_REQUIRED = "ACM Certificate Renewal Action Required"
EXPIRED = "ACM Certificate Expired"
ACTION_DAYS = (30, 15, 3, 1)  # ACM's Renewal Action Required events, days before expiry


def _in_use_by(ctx: GlueContext, cert: CertBundle) -> list[str]:
    """moto's own users, the account's custom domains in the certificate's Region that use it, and
    each domain that left it less than `ctx.acm_in_use_release_seconds` ago."""
    from .apigateway import domains_using

    arn = parse_arn(cert.arn)
    users = list(cert.in_use_by) + domains_using(arn.account, arn.region, cert.arn)
    now = ctx.clock.elapsed()
    for domain, until in ctx.released_certificates.get(cert.arn, []):
        if now < until and domain not in users:
            users.append(domain)
    return users


class AcmLifecycle:
    """What happens to an issued certificate over months, on the simulated clock (see
    `_patch_acm_renewal`). The local organization's driver calls `advance()` whenever it wakes and
    sleeps no further than `next_moment()` when nothing else happens."""

    def __init__(self, ctx: GlueContext, states: weakref.WeakKeyDictionary[CertBundle, _CertState]) -> None:
        self._ctx = ctx
        self._states = states
        self._issued = weakref.WeakSet[CertBundle]()
        self._lock = threading.Lock()
        self.events: list[dict[str, Any]] = []  # every event put on a bus, in order

    def issued(self, cert: CertBundle, moment: float) -> None:
        state = self._states[cert]
        state.not_after = moment + self._ctx.acm_validity_days * DAY
        self._issued.add(cert)

    def state(self, cert: CertBundle) -> _CertState | None:
        return self._states.get(cert)

    def _live(self) -> list[CertBundle]:
        """Issued certificates that still exist (a deleted one may linger in memory a while)."""
        from moto.acm.models import acm_backends

        live = []
        for cert in list(self._issued):
            arn = parse_arn(cert.arn)
            if acm_backends[arn.account][arn.region]._certificates.get(cert.arn) is cert:
                live.append(cert)
            else:
                self._issued.discard(cert)
        return live

    def next_moment(self) -> float | None:
        """The next simulated moment at which a certificate's renewal or expiry moves on."""
        now, ctx = self._ctx.clock.elapsed(), self._ctx
        moments = []
        for cert in self._live():
            state = self._states.get(cert)
            if state is None or state.not_after is None or cert.status != "ISSUED":
                continue
            window = state.not_after - ctx.acm_renewal_window_days * DAY
            if now < window:
                moments.append(window)
                continue
            if state.renewing_since is not None:
                moments.append(state.renewing_since + ctx.acm_validation_seconds)
            days_left = (state.not_after - now) / DAY
            moments.append(state.not_after - (math.ceil(days_left) - 1) * DAY)  # the next whole day
            moments.append(state.not_after)
        later = [m for m in moments if m > now]
        return min(later) if later else None

    def advance(self) -> None:
        """Renew, warn and expire what is due now."""
        with self._lock:
            for cert in self._live():
                self._advance(cert)

    def _advance(self, cert: CertBundle) -> None:
        ctx, now = self._ctx, self._ctx.clock.elapsed()
        state = self._states.get(cert)
        if state is None or state.not_after is None or cert.status != "ISSUED":
            return
        if now >= state.not_after:
            cert.status = "EXPIRED"
            self._emit(cert, EXPIRED, {"DaysToExpiry": 0, "CommonName": cert.common_name}, ("expired", 0))
            return
        if now < state.not_after - ctx.acm_renewal_window_days * DAY:
            return
        if state.renewing_since is not None and now >= state.renewing_since + ctx.acm_validation_seconds:
            # renewed: a new certificate under the same ARN, valid 198 days from now
            state.not_after = now + ctx.acm_validity_days * DAY
            state.renewal_status, state.renewal_reason, state.renewal_updated = "SUCCESS", None, now
            state.renewing_since, state.emitted = None, set()
            return
        in_use = bool(_in_use_by(ctx, cert))
        arn = parse_arn(cert.arn)
        resolving = all(_resolves(ctx, arn.account, domain) for domain in _cert_domains(cert))
        if state.renewing_since is None:
            if in_use and resolving:
                state.renewal_status, state.renewing_since = "PENDING_AUTO_RENEWAL", now
                state.renewal_reason, state.renewal_updated = None, now
            elif in_use:
                if state.renewal_status != "PENDING_VALIDATION":
                    state.renewal_status, state.renewal_updated = "PENDING_VALIDATION", now
            else:
                state.renewal_status = None  # not in use: not eligible, nothing started
        elif not resolving:
            state.renewal_status, state.renewing_since, state.renewal_updated = "PENDING_VALIDATION", None, now
        days_left = math.ceil((state.not_after - now) / DAY)
        if state.renewing_since is None and days_left <= max(ACTION_DAYS):
            self._emit(cert, APPROACHING, {"DaysToExpiry": days_left, "CommonName": cert.common_name},
                       ("approaching", days_left))  # fmt: skip
            due = min(d for d in ACTION_DAYS if d >= days_left)
            detail = {"DaysToExpiry": days_left, "InUse": in_use, "CommonName": cert.common_name,
                      "RenewalStatus": state.renewal_status or "INELIGIBLE"}  # fmt: skip
            if state.renewal_reason:
                detail["RenewalStatusReason"] = state.renewal_reason
            self._emit(cert, ACTION_REQUIRED, detail, ("action", due))

    def _emit(self, cert: CertBundle, kind: str, detail: dict[str, Any], key: tuple[str, int]) -> None:
        state = self._states[cert]
        if key in state.emitted:
            return
        state.emitted.add(key)
        from .events import _route_event

        arn = parse_arn(cert.arn)
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": kind,
            "source": "aws.acm",
            "account": arn.account,
            "time": self._ctx.clock.now().timestamp(),
            "region": arn.region,
            "resources": [cert.arn],
            "detail": detail,
        }
        self.events.append(event)
        try:
            _route_event(arn.account, arn.region, "default", event)
        except Exception:
            LOG.debug("no default bus for %s in %s", arn.account, arn.region)


def _resolves(ctx: GlueContext, account: str, domain: str) -> bool:
    name, value = _validation_record(account, domain)
    return normalise(value) in (ctx.dns.resolve(name, "CNAME") or [])


def _patch_acm_renewal(ctx: GlueContext, patches: _Patches) -> None:
    """ACM's managed renewal and expiry, as ACM documents them today.

    Gap: moto's certificates never expire or renew: `NotAfter` is the generated certificate's
    (a year of real time), `RenewalEligibility` is always INELIGIBLE, there is no
    `RenewalSummary` and ACM's events are never sent (moto/acm/models.py `CertBundle.describe`).
    Patched, on the simulated clock (`AcmLifecycle`, advanced by the local organization's driver):
    - `NotAfter` is `ctx.acm_validity_days` (198) after issuance;
    - from `ctx.acm_renewal_window_days` (45) before it, a certificate in use (`InUseBy`) whose
      every validation CNAME resolves is renewed: `RenewalSummary` PENDING_AUTO_RENEWAL, then
      SUCCESS `acm_validation_seconds` later with a new `NotAfter`; in use with a record missing,
      PENDING_VALIDATION (tried again each day); not in use, no renewal (`RenewalEligibility`
      INELIGIBLE);
    - a certificate not renewing gets "ACM Certificate Approaching Expiration" daily from 30 days
      out and "ACM Certificate Renewal Action Required" at 30, 15, 3 and 1 days; at `NotAfter` it
      is EXPIRED and gets "ACM Certificate Expired". Events go on the account's default bus in the
      certificate's Region (source `aws.acm`, the ARN in `resources`), where the member baseline's
      rule forwards them.
    """
    lifecycle: AcmLifecycle = ctx.acm_lifecycle
    original_describe = CertBundle.describe

    def describe(self: CertBundle) -> dict[str, Any]:
        result: dict[str, Any] = original_describe(self)
        state = lifecycle.state(self)
        if state is None or state.not_after is None:
            return result
        certificate = result["Certificate"]
        certificate["Status"] = self.status
        certificate["NotAfter"] = datetime_to_epoch(ctx.clock.to_datetime(state.not_after))
        certificate["RenewalEligibility"] = "ELIGIBLE" if _in_use_by(ctx, self) else "INELIGIBLE"
        if state.renewal_status is not None:
            summary: dict[str, Any] = {
                "RenewalStatus": state.renewal_status,
                "DomainValidationOptions": certificate.get("DomainValidationOptions", []),
                "UpdatedAt": datetime_to_epoch(ctx.clock.to_datetime(state.renewal_updated or 0.0)),
            }
            if state.renewal_reason:
                summary["RenewalStatusReason"] = state.renewal_reason
            certificate["RenewalSummary"] = summary
        return result

    patches.set(CertBundle, "describe", describe)
