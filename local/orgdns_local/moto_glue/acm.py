"""ACM: issuance through the emulated DNS (patch 5)."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.acm.models import AWSCertificateManagerBackend, CertBundle, datetime_to_epoch
from moto.core.exceptions import AWSError
from moto.route53.models import FakeZone, Route53Backend
from moto.utilities.arns import parse_arn

from .calls import ISSUANCE, ApiCall
from .context import GlueContext, _Patches
from .dns import normalise, within

# -- 5. ACM validation through the emulated DNS -------------------------------------------------


@dataclass
class _CertState:
    requested_at: float
    resolved_at: float | None = None  # first moment every validation record resolved
    issued_at: float | None = None
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
    from .apigateway import domains_using

    clock = ctx.clock

    def in_use_by(cert: CertBundle) -> list[str]:
        arn = parse_arn(cert.arn)
        users = list(cert.in_use_by) + domains_using(arn.account, arn.region, cert.arn)
        now = clock.elapsed()
        for domain, until in ctx.released_certificates.get(cert.arn, []):
            if now < until and domain not in users:
                users.append(domain)
        return users

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
