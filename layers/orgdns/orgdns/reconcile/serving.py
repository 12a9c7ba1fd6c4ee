"""What a reconcile finds about what a zone puts in service (pure: no AWS here): the certificates
orgdns recorded for it, the validation records it wrote for them, and the alias records that point
at its custom domain.

The same rule as for delegations: a record orgdns wrote is changed or deleted only exactly as it
wrote it; one changed by hand is a finding for a human.
"""

from datetime import UTC, datetime

from orgdns.certificates import covers_exactly, validation_record_domain
from orgdns.models import ManagedZone, RecordSpec
from orgdns.reconcile.models import Finding, ObservedAccount, ObservedCertificate, ObservedDomain, ReconcileAction
from orgdns.reconcile.world import (
    Naming,
    Severity,
    World,
    located,
    plan_run,
    record_action,
    record_text,
    tag_driven,
)
from orgdns.records import key, same_content

RENEWAL_WINDOW_DAYS = 45  # ACM renews a DNS-validated certificate from about 45 days before it expires
ENDED_STATUSES = {"EXPIRED", "REVOKED", "FAILED", "VALIDATION_TIMED_OUT", "INACTIVE"}
RENEWING = {"PENDING_AUTO_RENEWAL", "SUCCESS"}


def _as_set_up(item: ManagedZone, domain: ObservedDomain) -> bool:
    """The domain API Gateway has now is the one orgdns set up (or adopted) for the zone: the same
    endpoint type, serving one of the zone's certificates. Anything else was made outside orgdns."""
    recorded = item.custom_domain
    if recorded is None:
        return False
    endpoint = recorded.type.endpoint_type
    certificates = {recorded.certificate_arn, *(ref.arn for ref in item.certificates)}
    return domain.endpoint_type == endpoint and domain.certificate_arn in certificates


def _date(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _days(seconds: float) -> int:
    return int(seconds // 86400)


def certificates_at_risk(
    world: World, now: float, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
) -> None:
    """Certificates orgdns put in service for a zone that will not stay valid: gone or ended, a
    renewal failed or waiting for validation, expiring within 45 days with no renewal under way, not
    in use (ACM renews only certificates in use), or a validation CNAME orgdns wrote gone missing
    (written again, in audit too: ACM renews only while every one resolves)."""
    written: set[tuple[str, str, str]] = set()
    for account in world.accounts:
        if world.account(account.account_id) is None:
            continue
        for cert in account.certificates:
            item = world.managed.get(cert.zone_name)
            if item is None or item.zone_name in orphans or item.account_id != account.account_id:
                continue
            _certificate(world, item, cert, now, written, findings, actions)


def _certificate(  # noqa: PLR0917  (the certificate, where it serves, the moment, and where findings go)
    world: World,
    item: ManagedZone,
    cert: ObservedCertificate,
    now: float,
    written: set[tuple[str, str, str]],
    findings: list[Finding],
    actions: list[ReconcileAction],
) -> None:
    where = f"certificate {cert.arn} ({cert.region}) of {item.zone_name}"
    rerun = tag_driven(item)
    run_text = (
        f'start the subdomain workflow with {{"accountId": "{item.account_id}"}}: it requests a new certificate '
        "and switches what used this one"
        if rerun
        else f"run orgdns for {item.zone_name} again (the manual input or the zone's tag that set it up): it "
        "requests a new certificate"
    )
    if not cert.exists or cert.status in ENDED_STATUSES:
        state = "no longer exists in ACM" if not cert.exists else f"is {cert.status}"
        findings.append(
            Finding(
                type="CertificateAtRisk",
                severity="high",
                account_id=item.account_id,
                zone_name=item.zone_name,
                resource=cert.arn,
                evidence=f"{where}, recorded as the zone's certificate, {state}",
                remedy=run_text,
                fixed_by_apply=rerun,
                fixed_by_audit=rerun,
            )
        )
        if rerun:
            plan_run(world, item, "CertificateAtRisk", actions)
        return
    if cert.status != "ISSUED":
        return  # PENDING_VALIDATION: its run is still validating it (or ends Failed and says so)
    near = cert.not_after is not None and _days(cert.not_after - now) <= RENEWAL_WINDOW_DAYS
    reasons: list[str] = []
    severity: Severity = "low"
    if cert.renewal_status == "FAILED":
        reasons.append(f"ACM's renewal FAILED ({cert.renewal_reason or 'no reason given'})")
        severity = "high"
    elif cert.renewal_status == "PENDING_VALIDATION":
        reasons.append("ACM's renewal is waiting for validation (a validation CNAME does not resolve)")
        severity = "high" if near else "medium"
    elif near and cert.renewal_status not in RENEWING:
        reasons.append(f"it expires within {RENEWAL_WINDOW_DAYS} days and no renewal is under way")
        severity = "high"
    # Not in use matters when ACM would renew it: within the window, or when it is the certificate
    # orgdns put in service for the zone's custom domain (an unused one may simply not be deployed yet).
    domain = item.custom_domain
    serves = domain is not None and domain.region == cert.region and domain.certificate_arn == cert.arn
    idle = not cert.in_use and (near or serves)
    if idle:
        reasons.append(
            "no AWS service uses it, so ACM will not renew it"
            + (f" (it is the certificate of the custom domain {domain.domain_name})" if serves and domain else "")
        )
        if severity == "low":
            severity = "medium"
    missing, edited = _validation_records(world, item, cert)
    # A record in a zone of another account (or a root) was written under a grant: only the
    # account's run writes it again, after checking the grant (and the zone's owner) still allow the
    # name; in the account's own zones it is written again as it was.
    granted = [r for r in missing if r.account_id != item.account_id]
    rerun_for_grant = bool(granted) and rerun
    for record in missing:
        reasons.append(f"its validation CNAME {record.name} is missing from {record.zone_name}")
        if severity == "low":
            severity = "medium"
        if record in granted:
            continue
        if key(record) not in written:
            written.add(key(record))
            owner = world.owner_of.get(key(record)) or item
            detail = f"CNAME {record.name}: {cert.arn}'s validation record, written again"
            actions.append(record_action("add", "CertificateAtRisk", record, owner, detail, in_audit=True))
    if rerun_for_grant:
        plan_run(world, item, "CertificateAtRisk", actions)
    for record in edited:
        reasons.append(f"its validation CNAME {record.name} in {record.zone_name} was changed by hand")
        if severity == "low":
            severity = "medium"
    if not reasons:
        return
    # The date, not a countdown: the finding (and its ActionRequired) stays the same from day to day.
    expires = f" (it expires on {_date(cert.not_after)})" if cert.not_after is not None else ""
    # Writing the missing records again settles it when nothing else stands in renewal's way.
    settled = (
        bool(missing) and (not granted or rerun_for_grant) and not edited and not idle
        and cert.renewal_status != "FAILED"
    )  # fmt: skip
    remedies = []
    own = [r for r in missing if r not in granted]
    if own:
        remedies.append(
            "write the missing validation record(s) again: " + "; ".join(record_text("CREATE", r) for r in own)
        )
    if granted:
        remedies.append(
            f"{run_text} (it writes the record(s) in other accounts' zones only while a grant allows the name): "
            + "; ".join(record_text("CREATE", r) for r in granted)
        )
    if edited:
        remedies.append("restore the validation record(s): " + "; ".join(record_text("UPSERT", r) for r in edited))
    if idle:
        remedies.append("use the certificate (a custom domain, a load balancer, a distribution) or delete it")
    if cert.renewal_status == "FAILED" or severity == "high":
        remedies.append(f"see its RenewalSummary in ACM ({cert.region}), or {run_text}")
    findings.append(
        Finding(
            type="CertificateAtRisk",
            severity=severity,
            account_id=item.account_id,
            zone_name=item.zone_name,
            resource=cert.arn,
            evidence=f"{where}: " + "; ".join(reasons) + expires,
            remedy="; ".join(remedies),
            fixed_by_apply=settled,
            fixed_by_audit=settled,
        )
    )


def _validation_records(
    world: World, item: ManagedZone, cert: ObservedCertificate
) -> tuple[list[RecordSpec], list[RecordSpec]]:
    """The validation CNAMEs orgdns wrote for the certificate's names (any zone of its account may
    hold one: the record is the account's for the name): those missing from a zone that was read,
    and those changed since orgdns wrote them."""
    items = [item, *(i for i in world.registry if i.account_id == item.account_id and i is not item)]
    missing: list[RecordSpec] = []
    edited: list[RecordSpec] = []
    seen: set[str] = set()
    for name in cert.names:
        domain = name.removeprefix("*.")
        record, holder = next(
            (
                (r, i)
                for i in items
                for r in i.records
                if r.purpose == "Validation" and validation_record_domain(r.name) == domain
            ),
            (None, None),
        )
        if record is None or holder is None or record.name in seen:
            continue  # outside orgdns's zones (a human added it), or counted for the apex already
        seen.add(record.name)
        spec = record.model_copy(update=located(record, holder))
        read, there = world.observed(spec, holder)
        if not read:
            continue
        if there is None:
            missing.append(spec)
        elif not same_content(there, spec):
            edited.append(spec)
    return missing, edited


def orphaned_validation_records(
    world: World, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
) -> None:
    """Validation CNAMEs orgdns wrote that no live certificate of their account names any more (the
    record is the account's for a name, in every Region): a standing pre-authorisation for whoever
    holds the account's certificates. Deleted by apply when still exactly as orgdns wrote it."""
    done: set[tuple[str, str, str]] = set()
    for item in world.registry:
        account = world.account(item.account_id)
        if item.zone_name in orphans or account is None or account.certified_names is None:
            continue
        live = {name for names in account.certified_names.values() for name in names}
        regions = sorted(account.certified_names)
        for record in item.records:
            if record.purpose != "Validation" or record.type != "CNAME":
                continue
            domain = validation_record_domain(record.name)
            if domain in live or f"*.{domain}" in live:
                continue
            spec = record.model_copy(update=located(record, item))
            read, there = world.observed(spec, item)
            if not read or there is None or key(spec) in done:
                continue  # not read (nothing decided), or gone already
            done.add(key(spec))
            exact = same_content(there, spec)
            findings.append(
                Finding(
                    type="OrphanedValidationRecord",
                    severity="medium",
                    account_id=item.account_id,
                    zone_name=spec.zone_name,
                    record_name=spec.name,
                    evidence=f"CNAME {spec.name} in {spec.zone_name}, which orgdns wrote to validate {domain} for "
                    f"account {item.account_id}: no certificate of the account in {', '.join(regions)} names "
                    f"{domain} or *.{domain} any more"
                    + ("" if exact else "; it was changed since orgdns wrote it, so orgdns leaves it"),
                    remedy=record_text("DELETE", there.model_copy(update=located(spec))),
                    fixed_by_apply=exact,
                )
            )
            if exact:
                detail = f"CNAME {spec.name}: no certificate of account {item.account_id} needs it"
                action = record_action("delete", "OrphanedValidationRecord", spec, item, detail)
                action.owner_account, action.regions = item.account_id, regions
                actions.append(action)


def alias_drift(world: World, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]) -> None:
    """The alias records orgdns wrote for a zone's custom domain, against the domain as API Gateway
    has it now: a domain gone (its run sets it up again while the tags ask for one; otherwise apply
    deletes the aliases), a target that moved (apply points them at it), an alias gone missing
    (written again, in audit too). One changed by hand is left alone."""
    for account in world.accounts:
        if world.account(account.account_id) is None:
            continue
        for domain in account.domains:
            item = world.managed.get(domain.zone_name)
            if item is None or item.zone_name in orphans or item.account_id != account.account_id:
                continue
            aliases = [r for r in item.records if r.purpose == "Alias"]
            if aliases:
                _aliases(world, item, domain, aliases, findings, actions)


def _aliases(  # noqa: PLR0917  (the domain, its aliases, and where findings go)
    world: World,
    item: ManagedZone,
    domain: ObservedDomain,
    aliases: list[RecordSpec],
    findings: list[Finding],
    actions: list[ReconcileAction],
) -> None:
    where = f"{domain.domain_name} ({domain.region})"
    observed = []
    for record in aliases:
        spec = record.model_copy(update=located(record, item))
        read, there = world.observed(spec, item)
        if read:
            observed.append((spec, there))
    if not domain.exists:
        asked = (item.certificate_wants or "").rsplit("|", 1)[-1] not in {"", "none"}
        rerun = asked and tag_driven(item)
        present = [(spec, there) for spec, there in observed if there is not None]
        if not present and not rerun:
            return
        ours = [there for spec, there in present if same_content(there, spec)]
        findings.append(
            Finding(
                type="AliasDrift",
                severity="high",
                account_id=item.account_id,
                zone_name=item.zone_name,
                record_name=item.zone_name,
                resource=domain.domain_name,
                evidence=f"the custom domain {where} that orgdns's alias records at {item.zone_name} point at "
                "no longer exists in API Gateway" + ("; the account's tags still ask for one" if asked else ""),
                remedy=f'start the subdomain workflow with {{"accountId": "{item.account_id}"}}: it sets the domain '
                "up again and points the aliases at it"
                if rerun
                else "; ".join(record_text("DELETE", r) for r in [there for _, there in present if there]),
                fixed_by_apply=rerun or len(ours) == len(present),
                fixed_by_audit=rerun,
            )
        )
        if rerun:
            plan_run(world, item, "AliasDrift", actions)
            return
        for spec, there in present:
            if there is not None and same_content(there, spec):
                actions.append(
                    record_action(
                        "delete", "AliasDrift", spec, item, f"{spec.type} {spec.name}: its custom domain is gone"
                    )
                )
        return
    if not _as_set_up(item, domain):
        recorded = item.custom_domain
        findings.append(
            Finding(
                type="AliasDrift",
                severity="high",
                account_id=item.account_id,
                zone_name=item.zone_name,
                record_name=item.zone_name,
                resource=domain.domain_name,
                evidence=f"the custom domain {where} is now a {domain.endpoint_type} domain serving "
                f"{domain.certificate_arn or 'no certificate'}, not the {recorded.type.value if recorded else ''} "
                "domain orgdns set up with one of the zone's certificates: it was made again or changed outside "
                "orgdns, which leaves its alias records as they are",
                remedy=f"restore the domain as orgdns set it up, or delete it and start the subdomain workflow with "
                f'{{"accountId": "{item.account_id}"}} (it sets the domain up again); or point the aliases yourself',
            )
        )
        return
    target = domain.target
    problems: list[str] = []
    fixable = True
    for spec, there in observed:
        wanted = spec.model_copy(update={"alias_target": target})
        if there is None:
            problems.append(f"the {spec.type} alias at {spec.name} is missing")
            actions.append(
                record_action(
                    "add",
                    "AliasDrift",
                    wanted,
                    item,
                    f"{spec.type} {spec.name}: alias to {target}, written again",
                    in_audit=True,
                )
            )
        elif same_content(there, wanted):
            continue
        elif same_content(there, spec):
            problems.append(f"the {spec.type} alias at {spec.name} points at {spec.alias_target}, not at {target}")
            action = record_action("change", "AliasDrift", wanted, item, f"{spec.type} {spec.name}: alias to {target}")
            action.observed = there.model_copy(update=located(spec))
            actions.append(action)
        else:
            problems.append(
                f"the {spec.type} alias at {spec.name} was changed by hand (it points at "
                f"{there.alias_target or ' '.join(there.values) or 'nothing'}): orgdns leaves it"
            )
            fixable = False
    if not problems:
        return
    findings.append(
        Finding(
            type="AliasDrift",
            severity="high" if any("points at" in p or "by hand" in p for p in problems) else "medium",
            account_id=item.account_id,
            zone_name=item.zone_name,
            record_name=item.zone_name,
            resource=domain.domain_name,
            evidence=f"custom domain {where} is served at {target}: " + "; ".join(problems),
            remedy="; ".join(
                record_text("UPSERT", spec.model_copy(update={"alias_target": target})) for spec, _ in observed
            ),
            fixed_by_apply=fixable,
            fixed_by_audit=fixable and all("missing" in p for p in problems),
        )
    )


def hand_made(
    world: World, naming: Naming, adopted: set[str], findings: list[Finding], actions: list[ReconcileAction]
) -> None:
    """Certificates and custom domains an account made by hand before orgdns, for the zone its tags
    ask for, that the account's run (a backfill, or the run that follows a zone's adoption) will
    take as they are: a live certificate naming exactly the names wanted is reused (no request), a
    custom domain of the zone's name with the wanted endpoint type serving it is served as it is.
    A partial match is a finding: never changed, and the run makes its own beside it (or, for a
    custom domain, ends Failed: orgdns never changes a domain it did not create)."""
    for account in world.accounts:
        if account.management or world.account(account.account_id) is None:
            continue
        if not account.hand_made_certificates and account.hand_made_domain is None:
            continue
        zone = naming.wanted(account)
        wanted = naming.wanted_for(account, zone) if zone else None
        if zone is None or wanted is None:
            continue
        item = world.managed.get(zone)
        if item is not None and item.account_id != account.account_id:
            continue  # another account's name: its run is Rejected
        if item is not None and (item.last_outcome is None or item.certificates):
            continue  # its first run is under way (what it requested is recorded when it ends), or it has some
        if account.account_id not in world.runs and account.account_id not in adopted:
            if item is None:
                continue  # no run will set the zone up (a blocked backfill is its own finding)
            plan_run(world, item, "Adoptable", actions)  # managed, with no certificate in service yet
        reused = _reused_certificates(account, zone, wanted.regions, wanted.names, findings, actions)
        domain, spec = account.hand_made_domain, wanted.custom_domain
        if domain is None or spec is None:
            continue
        endpoint = spec.type.endpoint_type
        fits = domain.endpoint_type == endpoint and domain.certificate_arn == reused.get(domain.region)
        where = f"custom domain {domain.domain_name} ({domain.region})"
        findings.append(
            Finding(
                type="Adoptable",
                severity="low" if fits else "medium",
                account_id=account.account_id,
                zone_name=zone,
                resource=domain.domain_name,
                evidence=f"{where}, made by hand, is a {domain.endpoint_type} domain serving "
                f"{domain.certificate_arn or 'no certificate'}"
                + (
                    ": what the tags ask for, with the certificate the run reuses"
                    if fits
                    else f"; the tags ask for a {endpoint} domain serving a certificate the run puts in service: the "
                    "account's run would end Failed (CustomDomainFailed), as orgdns never changes a custom domain it "
                    "did not create"
                ),
                remedy="adopt it: the account's run serves it as it is and points the zone's alias records at it"
                if fits
                else f"delete {domain.domain_name} (the run creates it), or make it a {endpoint} domain serving the "
                "certificate the run reuses; then reconcile again",
                fixed_by_apply=fits,
                fixed_by_audit=fits,
            )
        )
        if fits:
            actions.append(
                ReconcileAction(
                    op="adopt", kind="domain", finding="Adoptable", account_id=account.account_id, zone_name=zone,
                    resource=domain.domain_name, in_audit=True,
                    detail=f"a {endpoint} domain in {domain.region}, served as it is by the account's run",
                )
            )  # fmt: skip


def _reused_certificates(  # noqa: PLR0917  (the account, what it wants, and where findings go)
    account: ObservedAccount,
    zone: str,
    regions: list[str],
    names: list[str],
    findings: list[Finding],
    actions: list[ReconcileAction],
) -> dict[str, str]:
    """Per wanted Region, the hand-made certificate the run reuses (Region -> ARN)."""
    wanted = ", ".join(sorted(names))

    def adoptable(cert: ObservedCertificate, evidence: str, remedy: str, *, fixed: bool) -> Finding:
        return Finding(
            type="Adoptable", severity="low", account_id=account.account_id, zone_name=zone, resource=cert.arn,
            evidence=f"certificate {cert.arn} ({cert.region}), {evidence}", remedy=remedy,
            fixed_by_apply=fixed, fixed_by_audit=fixed,
        )  # fmt: skip

    reused: dict[str, str] = {}
    for region in regions:
        here = [c for c in account.hand_made_certificates if c.region == region]
        exact = sorted((c for c in here if covers_exactly(c.names, names)), key=lambda c: c.status != "ISSUED")
        if exact:
            cert = exact[0]
            reused[region] = cert.arn
            findings.append(
                adoptable(
                    cert,
                    f"which orgdns has not put in service for any zone (made by hand, or left by a zone torn "
                    f"down), is {cert.status} and names exactly {wanted}: what the account's tags ask for",
                    "adopt it: the account's run records it as the zone's certificate instead of requesting one "
                    "(no DNS change, no request spent from ACM's yearly quota)",
                    fixed=True,
                )
            )
            actions.append(
                ReconcileAction(
                    op="adopt", kind="certificate", finding="Adoptable", account_id=account.account_id,
                    zone_name=zone, resource=cert.arn, in_audit=True,
                    detail=f"{region}, {cert.status}, reused by the account's run",
                )
            )  # fmt: skip
            continue
        for cert in here:
            findings.append(
                adoptable(
                    cert,
                    f"which orgdns has not put in service, names {', '.join(cert.names)}, not exactly {wanted}: "
                    "a partial match is not adopted",
                    "leave it (the account's run requests its own certificate and never touches this one), or make "
                    "the tags ask for exactly its names (orgdns:extra-names)",
                    fixed=False,
                )
            )
    return reused
