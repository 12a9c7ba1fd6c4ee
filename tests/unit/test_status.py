"""The status document a run publishes, in cert-manager's shape."""

import json
from datetime import UTC, datetime

import pytest

from orgdns import SCHEMA_VERSION
from orgdns.models import (
    CertificateCheck,
    CertificateRef,
    CertificatesResult,
    CustomDomainResult,
    CustomDomainSpec,
    CustomDomainType,
    Decision,
    DelegationResult,
    Outcome,
    Plan,
    RecordSpec,
    Trigger,
    ValidationResult,
    WorkflowState,
    ZoneRef,
    ZoneResult,
)
from orgdns.status import build_status, message_attributes

MANAGEMENT = "111122223333"
MEMBER = "444455556666"
ZONE = "staging.example.org"
NOW = datetime(2026, 1, 5, 9, 30, 15, tzinfo=UTC)
STAMP = "2026-01-05T09:30:15Z"
REGIONS = ["us-east-1", "eu-west-1"]


def plan(custom_domain=None):
    return Plan(
        request_id="evt-1",
        trigger=Trigger.CREATE_ACCOUNT_RESULT,
        account_id=MEMBER,
        account_name="staging",
        zone_name=ZONE,
        parent=ZoneRef(zone_name="example.org", account_id=MANAGEMENT, hosted_zone_id="ZROOT"),
        certificate_regions=REGIONS,
        certificate_names=[ZONE, f"*.{ZONE}"],
        custom_domain=custom_domain,
        ns_ttl=60,
    )


def proceed(custom_domain=None):
    return Decision(
        decision="Proceed",
        trigger=Trigger.CREATE_ACCOUNT_RESULT,
        event_id="6f2a1c9e",
        account_id=MEMBER,
        zone_name=ZONE,
        plan=plan(custom_domain),
    )


def zone():
    return ZoneResult(hosted_zone_id="ZSTAGING", name_servers=["ns-1.example.net", "ns-2.example.net"], created=True)


def delegation(in_sync=True):
    record = RecordSpec(name=ZONE, type="NS", ttl=60, values=["ns-1.example.net", "ns-2.example.net"])
    return DelegationResult(record=record, in_sync=in_sync)


def certificates(status="PENDING_VALIDATION"):
    return [CertificateRef(region=r, arn=f"arn:aws:acm:{r}:{MEMBER}:certificate/{r}", status=status) for r in REGIONS]


def by_type(document):
    return {(c["type"], c.get("region")): c for c in document["conditions"]}


def lambda_error(error_type, message):
    """What a Catch stores under $.error when a Python Lambda raised: Cause is Lambda's JSON."""
    cause = {"errorMessage": message, "errorType": error_type, "requestId": "r-1", "stackTrace": ["  File ..."]}
    return {"Error": error_type, "Cause": json.dumps(cause)}


# --- Rejected ------------------------------------------------------------------------------------


def test_rejected_reports_the_reason_message_and_field():
    state = WorkflowState(
        input={"accountId": MEMBER, "zoneName": "staging.example.com"},
        decision=Decision(
            decision="Reject",
            trigger=Trigger.MANUAL,
            account_id=MEMBER,
            zone_name="staging.example.com",
            reason="ParentZoneNotManaged",
            message="staging.example.com is not below any zone orgdns manages (roots: example.org)",
            field="zoneName",
        ),
    )

    document = build_status(state, Outcome.REJECTED, "run-1", NOW)

    assert document["outcome"] == "Rejected"
    assert document["error"] == {
        "reason": "ParentZoneNotManaged",
        "message": "staging.example.com is not below any zone orgdns manages (roots: example.org)",
        "field": "zoneName",
    }
    assert document["conditions"] == []
    assert document["trigger"] == "Manual"
    assert document["accountId"] == MEMBER
    assert document["zoneName"] == "staging.example.com"
    assert document["parentZone"] is None
    assert document["actionRequired"] == []


def test_rejected_without_a_field_has_no_field_key():
    state = WorkflowState(decision=Decision(decision="Reject", reason="InvalidInput", message="the input is a list"))

    document = build_status(state, Outcome.REJECTED, "run-1", NOW)

    assert document["error"] == {"reason": "InvalidInput", "message": "the input is a list"}


def test_document_carries_run_time_and_schema_version():
    state = WorkflowState(decision=Decision(decision="Skip", reason="NoSubdomainRequested", message="no tag"))

    document = build_status(state, Outcome.SKIPPED, "evt-6f2a1c9e", NOW)

    assert document["schemaVersion"] == SCHEMA_VERSION
    assert document["runId"] == "evt-6f2a1c9e"
    assert document["time"] == STAMP
    assert document["outcome"] == "Skipped"
    assert document["error"] is None


def test_document_is_json():
    state = WorkflowState(decision=proceed(), zone=zone(), delegation=delegation())

    document = build_status(state, Outcome.SUCCEEDED, "run-1", NOW)

    assert json.loads(json.dumps(document)) == document


# --- Failed --------------------------------------------------------------------------------------


def test_failed_extracts_the_lambda_error_message_and_names_the_error():
    state = WorkflowState.model_validate(
        {
            "decision": proceed().dump(),
            "zone": zone().dump(),
            "error": lambda_error("RecordConflict", "example.org already has NS records at staging.example.org"),
        }
    )

    document = build_status(state, Outcome.FAILED, "run-1", NOW)

    assert document["outcome"] == "Failed"
    assert document["error"] == {
        "reason": "RecordConflict",
        "message": "example.org already has NS records at staging.example.org",
    }
    conditions = by_type(document)
    assert conditions["ZoneReady", None]["status"] == "True"
    assert conditions["ZoneReady", None]["reason"] == "Created"
    assert conditions["Delegated", None]["status"] == "False"
    assert conditions["Delegated", None]["reason"] == "RecordConflict"
    assert conditions["Delegated", None]["message"] == "example.org already has NS records at staging.example.org"
    assert all(c["lastTransitionTime"] == STAMP for c in document["conditions"])


def test_failed_before_the_zone_says_the_zone_is_not_ready():
    state = WorkflowState.model_validate(
        {"decision": proceed().dump(), "error": lambda_error("AccountNotReady", "AssumeRole into ... was denied")}
    )

    document = build_status(state, Outcome.FAILED, "run-1", NOW)

    assert [(c["type"], c["status"], c["reason"]) for c in document["conditions"]] == [
        ("ZoneReady", "False", "AccountNotReady")
    ]
    assert document["nameServers"] == []


def test_failed_while_certificates_pending_marks_them_false():
    state = WorkflowState.model_validate(
        {
            "decision": proceed().dump(),
            "zone": zone().dump(),
            "delegation": delegation().dump(),
            "certificates": CertificatesResult(certificates=certificates()).dump(),
            "error": lambda_error("CertificateFailed", "certificate ... is VALIDATION_TIMED_OUT"),
        }
    )

    document = build_status(state, Outcome.FAILED, "run-1", NOW)

    conditions = by_type(document)
    assert conditions["Delegated", None]["status"] == "True"
    for region in REGIONS:
        assert conditions["CertificateIssued", region]["status"] == "False"
        assert conditions["CertificateIssued", region]["reason"] == "CertificateFailed"


@pytest.mark.parametrize(
    ("error", "cause", "reason", "message"),
    [
        ("Route53Throttling", json.dumps({"errorMessage": "Rate exceeded"}), "Throttled", "Rate exceeded"),
        ("ApiThrottling", json.dumps({"errorMessage": "slow down"}), "Throttled", "slow down"),
        ("States.Timeout", "Task timed out after 60.00 seconds", "TimedOut", "Task timed out after 60.00 seconds"),
        ("Lambda.Unknown", "The cause could not be determined", "Unknown", "The cause could not be determined"),
        (
            "CustomDomainTimedOut",
            '{"errorMessage": "did not become AVAILABLE"}',
            "CustomDomainTimedOut",
            "did not become AVAILABLE",
        ),
        ("ClientError", None, "ClientError", ""),
    ],
)
def test_failure_reason_and_message_from_the_step_functions_error(error, cause, reason, message):
    state = WorkflowState.model_validate({"decision": proceed().dump(), "error": {"Error": error, "Cause": cause}})

    document = build_status(state, Outcome.FAILED, "run-1", NOW)

    assert document["error"] == {"reason": reason, "message": message}


def test_failed_lists_records_a_human_still_has_to_add():
    record = RecordSpec(
        name="_a.api.example.net", type="CNAME", values=["_b.acm-validations.aws"], zone_name="api.example.net"
    )
    state = WorkflowState.model_validate(
        {
            "decision": proceed().dump(),
            "zone": zone().dump(),
            "delegation": delegation().dump(),
            "validation": ValidationResult(records_ready=True, action_required=[record]).dump(),
            "error": lambda_error("CertificateFailed", "timed out"),
        }
    )

    document = build_status(state, Outcome.FAILED, "run-1", NOW)

    assert [r["name"] for r in document["actionRequired"]] == ["_a.api.example.net"]


# --- ActionRequired ------------------------------------------------------------------------------


def action_required_state():
    outside = [
        RecordSpec(
            name="_x1.api.example.net",
            type="CNAME",
            ttl=300,
            values=["_y1.acm-validations.aws"],
            zone_name="api.example.net",
            purpose="Validation",
        ),
        RecordSpec(
            name="_x2.www.example.net",
            type="CNAME",
            ttl=300,
            values=["_y2.acm-validations.aws"],
            zone_name="www.example.net",
            purpose="Validation",
        ),
    ]
    return WorkflowState(
        decision=proceed(),
        zone=zone(),
        delegation=delegation(),
        certificates=CertificatesResult(certificates=certificates()),
        validation=ValidationResult(records_ready=True, action_required=outside),
    )


def test_action_required_lists_the_records_to_add_by_hand():
    document = build_status(action_required_state(), Outcome.ACTION_REQUIRED, "run-1", NOW)

    assert document["outcome"] == "ActionRequired"
    assert document["actionRequired"] == [
        {
            "zoneName": "api.example.net",
            "name": "_x1.api.example.net",
            "type": "CNAME",
            "value": "_y1.acm-validations.aws",
        },
        {
            "zoneName": "www.example.net",
            "name": "_x2.www.example.net",
            "type": "CNAME",
            "value": "_y2.acm-validations.aws",
        },
    ]
    assert document["error"] is None


def test_action_required_certificates_wait_for_validation_records():
    document = build_status(action_required_state(), Outcome.ACTION_REQUIRED, "run-1", NOW)

    conditions = by_type(document)
    assert conditions["ZoneReady", None]["status"] == "True"
    assert conditions["Delegated", None]["status"] == "True"
    for region in REGIONS:
        assert conditions["CertificateIssued", region]["status"] == "False"
        assert conditions["CertificateIssued", region]["reason"] == "WaitingForValidationRecords"
        assert "actionRequired" in conditions["CertificateIssued", region]["message"]
    assert [c["status"] for c in document["certificates"]] == ["PENDING_VALIDATION", "PENDING_VALIDATION"]


def test_action_required_records_are_not_listed_once_the_run_succeeds():
    state = action_required_state()
    state.certificate_check = CertificateCheck(all_issued=True, certificates=certificates("ISSUED"))

    document = build_status(state, Outcome.SUCCEEDED, "run-1", NOW)

    assert document["actionRequired"] == []


# --- Succeeded -----------------------------------------------------------------------------------


def succeeded_state():
    issued = certificates("ISSUED")
    return WorkflowState(
        decision=proceed(CustomDomainSpec(type=CustomDomainType.EDGE, region="us-east-1")),
        zone=zone(),
        delegation=delegation(),
        certificates=CertificatesResult(certificates=certificates()),
        certificate_check=CertificateCheck(all_issued=True, certificates=issued),
        custom_domain=CustomDomainResult(
            domain_name=ZONE,
            type=CustomDomainType.EDGE,
            region="us-east-1",
            certificate_arn=issued[0].arn,
            target_domain_name="d111111abcdef8.cloudfront.net",
            target_hosted_zone_id="Z2FDTNDATAQYW2",
            status="AVAILABLE",
            available=True,
        ),
    )


def test_succeeded_has_every_condition_true():
    document = build_status(succeeded_state(), Outcome.SUCCEEDED, "run-1", NOW)

    assert sorted(by_type(document)) == sorted(
        [
            ("ZoneReady", None),
            ("Delegated", None),
            ("CertificateIssued", "us-east-1"),
            ("CertificateIssued", "eu-west-1"),
            ("DomainAvailable", None),
        ]
    )
    assert {c["status"] for c in document["conditions"]} == {"True"}
    assert document["error"] is None
    assert document["actionRequired"] == []


def test_succeeded_reports_zone_parent_certificates_and_domain():
    document = build_status(succeeded_state(), Outcome.SUCCEEDED, "run-1", NOW)

    assert document["trigger"] == "CreateAccountResult"
    assert document["eventId"] == "6f2a1c9e"
    assert document["parentZone"] == "example.org"
    assert document["nameServers"] == ["ns-1.example.net", "ns-2.example.net"]
    assert document["certificates"] == [
        {"region": r, "arn": f"arn:aws:acm:{r}:{MEMBER}:certificate/{r}", "status": "ISSUED", "reused": False}
        for r in REGIONS
    ]
    assert document["customDomain"] == {
        "domainName": ZONE,
        "type": "edge",
        "region": "us-east-1",
        "targetDomainName": "d111111abcdef8.cloudfront.net",
        "status": "AVAILABLE",
        "certificateArn": f"arn:aws:acm:us-east-1:{MEMBER}:certificate/us-east-1",
    }
    assert by_type(document)["ZoneReady", None]["message"] == f"hosted zone ZSTAGING in {MEMBER}"


def test_without_a_custom_domain_there_is_no_domain_condition():
    state = succeeded_state()
    state.decision = proceed()
    state.custom_domain = None

    document = build_status(state, Outcome.SUCCEEDED, "run-1", NOW)

    assert "DomainAvailable" not in {c["type"] for c in document["conditions"]}
    assert document["customDomain"] is None


def test_found_zone_is_reported_as_found():
    state = succeeded_state()
    state.zone = state.zone.model_copy(update={"created": False})

    document = build_status(state, Outcome.SUCCEEDED, "run-1", NOW)

    assert by_type(document)["ZoneReady", None]["reason"] == "Found"


# --- message attributes --------------------------------------------------------------------------


def test_message_attributes_let_subscribers_filter():
    document = build_status(succeeded_state(), Outcome.SUCCEEDED, "run-1", NOW)

    assert message_attributes(document) == {
        "outcome": "Succeeded",
        "accountId": MEMBER,
        "zoneName": ZONE,
        "trigger": "CreateAccountResult",
    }


def test_message_attributes_of_an_unknown_request_are_empty_strings():
    document = build_status(WorkflowState(input=["not", "an", "object"]), Outcome.REJECTED, "run-1", NOW)

    assert message_attributes(document) == {"outcome": "Rejected", "accountId": "", "zoneName": "", "trigger": ""}
