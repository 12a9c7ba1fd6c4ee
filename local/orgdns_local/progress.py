"""One line per completed workflow step, for people watching a local run."""

from typing import Any

from orgdns_local.runtime import Invocation


def _account(event: Any, names: dict[str, str]) -> str:
    state = event.get("state", {}) if isinstance(event, dict) else {}
    decision = state.get("decision") or {}
    account = decision.get("accountId") or ""
    return names.get(account, account or "orgdns")


def describe(invocation: Invocation, names: dict[str, str]) -> tuple[str, str]:
    """(who, what) for a step's invocation; ("", "") when there is nothing worth a line."""
    step, result, event = invocation.step, invocation.result, invocation.event
    who = _account(event, names)
    if invocation.error is not None:
        return (
            who,
            f"{step}: {type(invocation.error).__name__}: {str(invocation.error)[:160]} (the workflow retries or fails)",
        )
    if not isinstance(result, dict | bool):
        return who, ""
    if step == "Intake":
        assert isinstance(result, dict)
        return "orgdns", ("duplicate event ignored: " if result.get("duplicate") else "run started: ") + str(
            result.get("name")
        )
    if step == "ResolveRequest":
        assert isinstance(result, dict)
        account = names.get(result.get("accountId") or "", result.get("accountId") or "?")
        plan = result.get("plan") or {}
        if result.get("decision") == "Proceed":
            custom = (plan.get("customDomain") or {}).get("type", "none")
            return account, (
                f"plan: {plan.get('zoneName')} under {plan.get('parent', {}).get('zoneName')}, certificates in "
                f"{' '.join(plan.get('certificateRegions', []))} for {len(plan.get('certificateNames', []))} names, "
                f"custom domain {custom}"
            )
        return account, f"{result.get('decision')}: {result.get('reason')}: {result.get('message')}"
    if step == "CreateZone":
        assert isinstance(result, dict)
        verb = "created" if result.get("created") else "found"
        children = ", ".join(child["zoneName"] for child in result.get("children", []))
        extra = f"; adopting {children}" if children else ""
        return (
            who,
            f"zone {verb}: {result.get('hostedZoneId')} NS {', '.join(result.get('nameServers', [])[:2])}...{extra}",
        )
    if step == "Delegate":
        assert isinstance(result, dict)
        record = result.get("record", {})
        state = "already in place" if result.get("change") is None else "written, waiting for INSYNC"
        return who, f"delegation NS {record.get('name')} in {record.get('zoneName')}: {state}"
    if step == "CheckDelegationSync":
        return (who, "delegation INSYNC") if result is True else ("", "")
    if step == "ReleaseChildren":
        assert isinstance(result, dict)
        return who, f"children now delegated from the new zone: {', '.join(result.get('moved', [])) or 'none'}"
    if step == "RequestCertificates":
        assert isinstance(result, dict)
        certs = result.get("certificates", [])
        return who, "certificates: " + ", ".join(
            f"{c['region']} {'reused' if c.get('reused') else 'requested'}" for c in certs
        )
    if step == "WriteValidationRecords":
        assert isinstance(result, dict)
        if not result.get("recordsReady"):
            return "", ""
        manual = result.get("actionRequired", [])
        text = f"validation records written: {len(result.get('written', []))}"
        if manual:
            text += f"; {len(manual)} must be added by hand ({', '.join(r['name'] for r in manual)})"
        return who, text
    if step == "CheckCertificates":
        assert isinstance(result, dict)
        if result.get("allIssued"):
            return who, "certificates ISSUED in " + " ".join(c["region"] for c in result.get("certificates", []))
        return "", ""
    if step == "CreateCustomDomain":
        assert isinstance(result, dict)
        switch = ""
        if result.get("previousCertificateArn"):
            old, new = _short(result["previousCertificateArn"]), _short(result.get("certificateArn", ""))
            switch = f"; switching from certificate {old} to {new}"
        return who, (
            f"custom domain {result.get('domainName')} ({result.get('type')}) -> {result.get('targetDomainName')}: "
            f"{result.get('status')}{switch}"
        )
    if step == "CheckCustomDomain":
        assert isinstance(result, dict)
        if not result.get("available"):
            return "", ""
        serves = f", serving {_short(result.get('certificateArn', ''))}" if result.get("previousCertificateArn") else ""
        return who, f"custom domain {result.get('domainName')} AVAILABLE{serves}"
    if step == "RetireCertificates":
        assert isinstance(result, dict)
        parts = [f"deleted {', '.join(_short(c['arn']) for c in result.get('retired', [])) or 'none'}"]
        if result.get("inUse"):
            busy = ", ".join(f"{_short(c['arn'])} (used by {', '.join(c.get('inUseBy', []))})" for c in result["inUse"])
            parts.append(f"still in use: {busy}")
        if result.get("kept"):
            parts.append(f"kept (not orgdns's): {', '.join(_short(c['arn']) for c in result['kept'])}")
        return who, "replaced certificates: " + "; ".join(parts)
    if step == "RemoveDelegation":
        assert isinstance(result, dict)
        decision = result.get("decision") or {}
        account = names.get(decision.get("accountId") or "", decision.get("accountId") or "?")
        if decision.get("decision") != "Proceed":
            return account, f"teardown {decision.get('decision')}: {decision.get('reason')}: {decision.get('message')}"
        teardown = result.get("teardown") or {}
        removed = ", ".join(f"{r['type']} {r['name']} in {r['zoneName']}" for r in teardown.get("removed", []))
        text = f"delegation removed for {', '.join(teardown.get('zones', []))}: deleted {removed or 'nothing'}"
        if teardown.get("left"):
            text += f"; left {len(teardown['left'])} record(s) changed since orgdns wrote them"
        if teardown.get("childrenMoved"):
            text += f"; children re-delegated: {', '.join(teardown['childrenMoved'])}"
        return account, text
    if step == "PublishStatus":
        outcome = event.get("outcome") if isinstance(event, dict) else "?"
        state = event.get("state", {}) if isinstance(event, dict) else {}
        decision = state.get("decision") or {}
        zone = decision.get("zoneName") or ""
        reason = ""
        if outcome == "Failed":
            reason = f" ({(state.get('error') or {}).get('Error', '')})"
        elif outcome in {"Rejected", "Skipped"}:
            reason = f" ({decision.get('reason')})"
        return who, f"status published: {outcome} {zone}{reason}"
    return who, ""


def _short(arn: str) -> str:
    """A certificate ARN as people read it: Region and the id's first characters."""
    parts = arn.split(":")
    if len(parts) < 6:
        return arn
    return f"{parts[3]}/{parts[5].rsplit('/', 1)[-1][:8]}"
