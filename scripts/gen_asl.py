"""Writes statemachines/subdomain.asl.json and teardown.asl.json (kept as generated JSON so the
console shows them as they are).

The Retry and Catch blocks are the same for every Task; generating them keeps them identical.
Run: python scripts/gen_asl.py
"""

import json
from pathlib import Path

# Lambda's own transient failures (AWS's recommended retry for Lambda tasks).
LAMBDA_ERRORS = {
    "ErrorEquals": [
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.ClientExecutionTimeoutException",
    ],
    "IntervalSeconds": 2,
    "MaxAttempts": 6,
    "BackoffRate": 2,
    "JitterStrategy": "FULL",
}
# Throttling never ends a run in the normal course: the waits grow to 5 minutes and go on. With
# full jitter a wait is uniform between 0 and its cap, so 100 attempts last about 4 hours
# (the caps add up to 7.7 hours); only past that does the run end Failed / Throttled.
THROTTLING = {
    "ErrorEquals": ["Route53Throttling", "ApiThrottling"],
    "IntervalSeconds": 1,
    "MaxAttempts": 100,
    "BackoffRate": 2,
    "MaxDelaySeconds": 300,
    "JitterStrategy": "FULL",
}
# A function at its reserved concurrency (StepConcurrency) is free again as soon as one of its
# invocations ends, a second later at most: waits grow only to 15 s, so a run throttled in a burst
# of a thousand is not left minutes behind the others (the stragglers cost extra change batches).
# 2,000 attempts still last about 4 hours.
LAMBDA_THROTTLED = {
    "ErrorEquals": ["Lambda.TooManyRequestsException"],
    "IntervalSeconds": 1,
    "MaxAttempts": 2000,
    "BackoffRate": 1.5,
    "MaxDelaySeconds": 15,
    "JitterStrategy": "FULL",
}
# Every other transient AWS error (HTTP 5xx, connection and read timeouts, DynamoDB transaction
# conflicts): waits grow to 2 minutes; 30 attempts last about 25 minutes.
TRANSIENT = {
    "ErrorEquals": ["TransientAwsError"],
    "IntervalSeconds": 2,
    "MaxAttempts": 30,
    "BackoffRate": 2,
    "MaxDelaySeconds": 120,
    "JitterStrategy": "FULL",
}
PRIOR_REQUEST = {
    "ErrorEquals": ["PriorRequestNotComplete"],
    "IntervalSeconds": 3,
    "MaxAttempts": 10,
    "BackoffRate": 1.5,
    "MaxDelaySeconds": 30,
    "JitterStrategy": "FULL",
}
ACCOUNT_NOT_READY = {
    "ErrorEquals": ["AccountNotReady"],
    "IntervalSeconds": 20,
    "MaxAttempts": 12,
    "BackoffRate": 1.5,
    "MaxDelaySeconds": 120,
    "JitterStrategy": "FULL",
}
# A function that ran out of time (Lambda.Unknown, "Task timed out") or a task that did
# (States.Timeout) is retried only where running the step again is safe: every step but
# PublishStatus and KeepStatus (a second status) and RemoveDelegation (a rerun after a complete
# teardown would report NotManaged).
TIMED_OUT = {
    "ErrorEquals": ["Lambda.Unknown", "States.Timeout"],
    "IntervalSeconds": 5,
    "MaxAttempts": 3,
    "BackoffRate": 2,
    "JitterStrategy": "FULL",
}
# SendMessage to the record queue failed on the way (the message was not taken).
QUEUE_ERRORS = {
    "ErrorEquals": ["SQS.SdkClientException", "SQS.AmazonSQSException"],
    "IntervalSeconds": 2,
    "MaxAttempts": 6,
    "BackoffRate": 2,
    "JitterStrategy": "FULL",
}
# A run for a zone that another run is tearing down (tags removed and set again at once, events
# out of order) waits for the teardown: about 25 minutes, then it fails with this reason.
TORN_DOWN = {
    "ErrorEquals": ["ZoneBeingTornDown"],
    "IntervalSeconds": 15,
    "MaxAttempts": 12,
    "BackoffRate": 1.5,
    "MaxDelaySeconds": 240,
    "JitterStrategy": "FULL",
}
RETRY = [LAMBDA_ERRORS, LAMBDA_THROTTLED, THROTTLING, TRANSIENT, PRIOR_REQUEST, ACCOUNT_NOT_READY, TIMED_OUT]
# A run waits on the record writer at most this long for one answer; past it (a lost message, a
# writer that cannot keep up) the request is sent again, up to TIMED_OUT's attempts.
RECORD_WAIT_SECONDS = 900
NOT_REPEATABLE = [LAMBDA_ERRORS, LAMBDA_THROTTLED, THROTTLING, TRANSIENT, PRIOR_REQUEST, ACCOUNT_NOT_READY]
CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "PublishFailed"}]
# A zone torn down under a run (its account's tags removed and set again at once): the run starts
# again from ResolveRequest, which waits for the teardown and then follows the tags as they are.
CATCH = [
    {"ErrorEquals": ["ZoneWithdrawn"], "ResultPath": "$.error", "Next": "Withdrawn?"},
    # A run that read the tags later has taken the zone's certificates over: nothing failed.
    {"ErrorEquals": ["Superseded"], "ResultPath": "$.error", "Next": "PublishSuperseded"},
    *CATCH_ALL,
]
MAX_RESTARTS = 2


def task(function: str, next_state: str | None, result_path: str, parameters: dict | None = None, **extra) -> dict:
    state = {
        "Type": "Task",
        "Resource": "${" + function + "FunctionArn}",
        "Parameters": parameters or {"execution.$": "$$.Execution.Name", "state.$": "$"},
        "ResultPath": result_path,
        "Retry": RETRY,
        "Catch": CATCH,
    }
    if next_state:
        state["Next"] = next_state
    state.update(extra)
    return state


def record_request(next_state: str, result_path: str, body: dict) -> dict:
    """A request to the record writer (WriteChanges) on the record queue; the run waits for the
    writer's answer on its task token (SendTaskSuccess / SendTaskFailure)."""
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {
            "QueueUrl": "${RecordQueueUrl}",
            "MessageBody": {"taskToken.$": "$$.Task.Token", "execution.$": "$$.Execution.Name", **body},
        },
        "TimeoutSeconds": RECORD_WAIT_SECONDS,
        "ResultPath": result_path,
        "Retry": [QUEUE_ERRORS, *RETRY],
        "Catch": CATCH,
        "Next": next_state,
    }


def publish(outcome: str, next_state: str, name: str | None = None) -> dict[str, dict]:
    """Publish<Outcome>, and Keep<Outcome> for a status that SNS would not take: the status goes to
    the status dead-letter queue instead, and the run ends StatusNotPublished (a mid-run
    ActionRequired goes on waiting)."""
    name = name or outcome
    parameters = {"execution.$": "$$.Execution.Name", "outcome": outcome, "state.$": "$"}
    published = task("PublishStatus", next_state, "$.published", parameters)
    published["Retry"] = [LAMBDA_ERRORS, LAMBDA_THROTTLED, THROTTLING, TRANSIENT]
    published["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.publishError", "Next": f"Keep{name}"}]
    final = next_state in {"Succeeded", "Skipped", "Rejected", "Failed"}
    kept = task("KeepStatus", "StatusNotPublished" if final else next_state, "$.kept", parameters)
    kept["Retry"] = [LAMBDA_ERRORS, LAMBDA_THROTTLED, THROTTLING, TRANSIENT]
    kept["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.keepError", "Next": "StatusNotPublished"}]
    return {f"Publish{name}": published, f"Keep{name}": kept}


def poll(name: str, first: int, cap: int, wait: str) -> dict[str, dict]:
    """Polling with growing intervals: first, 2*first, ... up to cap (Pass + MathAdd doubles)."""
    steps = first
    while steps < cap:
        steps *= 2
    assert steps == cap, f"{name}: the cap ({cap}) must be first ({first}) doubled a whole number of times"
    return {
        f"Start{name}Polling": {
            "Type": "Pass",
            "Result": {"seconds": first, "count": 0},
            "ResultPath": "$.poll",
            "Next": wait,
        },
        f"Grow{name}Interval": {
            "Type": "Pass",
            "Parameters": {
                "seconds.$": "States.MathAdd($.poll.seconds, $.poll.seconds)",
                "count.$": "$.poll.count",
            },
            "ResultPath": "$.poll",
            "Next": wait,
        },
        f"Count{name}Poll": {
            "Type": "Pass",
            "Parameters": {"seconds.$": "$.poll.seconds", "count.$": "States.MathAdd($.poll.count, 1)"},
            "ResultPath": "$.poll",
            "Next": f"{name}Ready?",
        },
    }


CERT_FIRST, CERT_CAP = 15, 240  # an unanswered ActionRequired polls until ACM times out (72 h)
# ACM usually validates within minutes of the record resolving: for the first STEADY polls the
# interval stops growing at CERT_STEADY seconds, so a certificate issued then is noticed within
# half a minute (a burst of runs, whose certificates issue over a few minutes, is not spread over
# the doubling intervals); past them it doubles to CERT_CAP, which keeps a 72-hour wait for a human
# under a thousand polls (and the execution history under its 25,000 events).
CERT_STEADY, CERT_STEADY_POLLS = 30, 6
DOMAIN_FIRST, DOMAIN_CAP, DOMAIN_MAX_POLLS = 50, 200, 45  # a 40-minute edge domain: 14 polls, lag <= 200 s
# ACM lists a custom domain in a certificate's InUseBy for some minutes after it switched away:
# replaced certificates are tried at once, then after 60, 120 and every 240 s, about 30 minutes in
# all, before a human is asked (ActionRequired).
RETIRE_FIRST, RETIRE_CAP, RETIRE_MAX_POLLS = 60, 240, 9

states: dict[str, dict] = {
    "Start": {"Type": "Pass", "Parameters": {"input.$": "$", "restarts": 0}, "Next": "ResolveRequest"},
    "Withdrawn?": {
        "Type": "Choice",
        "Choices": [
            # rules are tried in order: a run with no plan yet never reaches the ones that read it
            {"Variable": "$.decision.plan.trigger", "IsPresent": False, "Next": "PublishFailed"},
            {
                "And": [
                    {"Variable": "$.restarts", "NumericLessThan": MAX_RESTARTS},
                    {
                        "Or": [
                            {"Variable": "$.decision.plan.trigger", "StringEquals": "TagResource"},
                            {"Variable": "$.decision.plan.trigger", "StringEquals": "UntagResource"},
                        ]
                    },
                ],
                "Next": "RestartRun",
            },
        ],
        "Default": "PublishFailed",
    },
    "RestartRun": {
        "Type": "Pass",
        "Parameters": {"input.$": "$.input", "restarts.$": "States.MathAdd($.restarts, 1)"},
        "Next": "ResolveRequest",
    },
    "ResolveRequest": task(
        "ResolveRequest",
        "Decision?",
        "$.decision",
        {"execution.$": "$$.Execution.Name", "state.$": "$"},
        Retry=[*RETRY, TORN_DOWN],
    ),
    "Decision?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.decision.decision", "StringEquals": "Proceed", "Next": "ReserveName"},
            {"Variable": "$.decision.decision", "StringEquals": "Skip", "Next": "PublishSkipped"},
        ],
        "Default": "PublishRejected",
    },
    # The writer reads the parent zone once for every run asking at the same time: a name that
    # holds records orgdns did not write comes back as a Reject (NameInUse).
    "ReserveName": record_request("Reserved?", "$.decision", {"kind": "check", "decision.$": "$.decision"}),
    "Reserved?": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.decision.decision", "StringEquals": "Proceed", "Next": "CreateZone"}],
        "Default": "PublishRejected",
    },
    "CreateZone": task("CreateZone", "Delegate", "$.zone"),
    "Delegate": task("Delegate", "WriteDelegation", "$.delegation"),
    "WriteDelegation": record_request(
        "SelfService?",
        "$.delegation",
        {
            "kind": "change",
            "record.$": "$.delegation.record",
            "owner.$": "$.decision.plan.zoneName",
            "ownerAccountId.$": "$.decision.plan.accountId",
            "writtenBefore.$": "$.delegation.writtenBefore",
            "nameChecked.$": "$.delegation.nameChecked",
        },
    ),
    "SelfService?": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.decision.plan.hostedZoneId", "IsPresent": True, "Next": "RecheckZone"}],
        "Default": "Delegated?",
    },
    "RecheckZone": task("RecheckZone", "Delegated?", "$.delegation"),
    "Delegated?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.delegation.inSync", "BooleanEquals": False, "Next": "WaitForDelegation"},
            {"Variable": "$.zone.children[0]", "IsPresent": True, "Next": "ReleaseChildren"},
        ],
        "Default": "RequestCertificates",
    },
    "WaitForDelegation": {"Type": "Wait", "Seconds": 10, "Next": "CheckDelegationSync"},
    "CheckDelegationSync": task(
        "CheckDelegationSync",
        "Delegated?",
        "$.delegation.inSync",
        {"execution.$": "$$.Execution.Name", "change.$": "$.delegation.change"},
    ),
    "ReleaseChildren": task("ReleaseChildren", "RequestCertificates", "$.children"),
    "RequestCertificates": task("RequestCertificates", "WaitForCertificateRecords", "$.certificates"),
    # ACM names a new certificate's validation records some seconds after the request: look then,
    # not at once (each early look is an invocation that finds nothing yet).
    "WaitForCertificateRecords": {"Type": "Wait", "Seconds": 10, "Next": "WriteValidationRecords"},
    "WriteValidationRecords": task("WriteValidationRecords", "ValidationRecords?", "$.validation"),
    "ValidationRecords?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.validation.recordsReady", "BooleanEquals": False, "Next": "WaitForValidationRecords"},
            {"Variable": "$.validation.shared[0]", "IsPresent": True, "Next": "WriteSharedRecords"},
        ],
        "Default": "ActionRequired?",
    },
    # Validation records bound for a zone other runs write to (a root or parent zone, under a
    # grant) go through the record writer, batched with every other run's records for that zone.
    "WriteSharedRecords": record_request(
        "ActionRequired?", "$.validation.changes", {"kind": "change", "changes.$": "$.validation.shared"}
    ),
    "ActionRequired?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.validation.actionRequired[0]", "IsPresent": True, "Next": "PublishActionRequired"},
        ],
        "Default": "StartCertificatePolling",
    },
    "WaitForValidationRecords": {"Type": "Wait", "Seconds": 5, "Next": "WriteValidationRecords"},
    **publish("ActionRequired", "StartCertificatePolling"),
    "WaitForCertificates": {"Type": "Wait", "SecondsPath": "$.poll.seconds", "Next": "CheckCertificates"},
    "CheckCertificates": task("CheckCertificates", "CountCertificatePoll", "$.certificateCheck"),
    "CertificatesReady?": {
        "Type": "Choice",
        "Choices": [
            {
                "And": [
                    {"Variable": "$.certificateCheck.allIssued", "BooleanEquals": True},
                    {"Variable": "$.decision.plan.customDomain", "IsPresent": True},
                ],
                "Next": "CreateCustomDomain",
            },
            {"Variable": "$.certificateCheck.allIssued", "BooleanEquals": True, "Next": "WriteOutputs"},
            {
                "And": [
                    {"Variable": "$.poll.count", "NumericLessThan": CERT_STEADY_POLLS},
                    {"Variable": "$.poll.seconds", "NumericGreaterThanEquals": CERT_STEADY},
                ],
                "Next": "WaitForCertificates",
            },
            {"Variable": "$.poll.seconds", "NumericGreaterThanEquals": CERT_CAP, "Next": "WaitForCertificates"},
        ],
        "Default": "GrowCertificateInterval",
    },
    "CreateCustomDomain": task("CreateCustomDomain", "DomainCreated?", "$.customDomain"),
    "DomainCreated?": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.customDomain.available", "BooleanEquals": True, "Next": "WriteOutputs"}],
        "Default": "StartDomainPolling",
    },
    "WaitForCustomDomain": {"Type": "Wait", "SecondsPath": "$.poll.seconds", "Next": "CheckCustomDomain"},
    "CheckCustomDomain": task("CheckCustomDomain", "CountDomainPoll", "$.customDomain"),
    "DomainReady?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.customDomain.available", "BooleanEquals": True, "Next": "WriteOutputs"},
            {"Variable": "$.poll.count", "NumericGreaterThanEquals": DOMAIN_MAX_POLLS, "Next": "DomainTimedOut"},
            {"Variable": "$.poll.seconds", "NumericGreaterThanEquals": DOMAIN_CAP, "Next": "WaitForCustomDomain"},
        ],
        "Default": "GrowDomainInterval",
    },
    # The zone's outputs for member stacks (SSM parameters in its account), once what they name serves.
    "WriteOutputs": task("WriteOutputs", "Replaced?", "$.outputs"),
    # Certificates an earlier run set up that the new ones replace (names or Regions changed) go
    # once the new ones are ISSUED and the custom domain serves them.
    "Replaced?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.certificates.replaces[0]", "IsPresent": True, "Next": "StartRetirePolling"},
            {"Variable": "$.customDomain.previousCertificateArn", "IsPresent": True, "Next": "StartRetirePolling"},
        ],
        "Default": "PublishSucceeded",
    },
    "RetireCertificates": task("RetireCertificates", "CountRetirePoll", "$.retire"),
    "Retired?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.retire.inUse[0]", "IsPresent": False, "Next": "PublishSucceeded"},
            {
                "Variable": "$.poll.count",
                "NumericGreaterThanEquals": RETIRE_MAX_POLLS,
                "Next": "PublishCertificatesInUse",
            },
            {"Variable": "$.poll.seconds", "NumericGreaterThanEquals": RETIRE_CAP, "Next": "WaitToRetire"},
        ],
        "Default": "GrowRetireInterval",
    },
    "WaitToRetire": {"Type": "Wait", "SecondsPath": "$.poll.seconds", "Next": "RetireCertificates"},
    # The run did its part (the new certificates serve); a human must free the old ones.
    **publish("ActionRequired", "Succeeded", name="CertificatesInUse"),
    **publish("Skipped", "Skipped", name="Superseded"),
    "DomainTimedOut": {
        "Type": "Pass",
        "Result": {
            "Error": "CustomDomainTimedOut",
            "Cause": '{"errorMessage": "the API Gateway custom domain did not become AVAILABLE '
            'within the polling budget"}',
        },
        "ResultPath": "$.error",
        "Next": "PublishFailed",
    },
}


def endings() -> dict[str, dict]:
    """How every run ends: publish its status, then succeed or fail."""
    return {
        **publish("Succeeded", "Succeeded"),
        **publish("Skipped", "Skipped"),
        **publish("Rejected", "Rejected"),
        **publish("Failed", "Failed"),
        "StatusNotPublished": {
            "Type": "Fail",
            "Error": "StatusNotPublished",
            "Cause": "The status could not be published to SNS: it is in the status dead-letter queue.",
        },
        "Succeeded": {"Type": "Succeed"},
        "Skipped": {"Type": "Succeed"},
        "Rejected": {
            "Type": "Fail",
            "Error": "Rejected",
            "Cause": "The request was rejected: see the published status.",
        },
        "Failed": {"Type": "Fail", "Error": "Failed", "Cause": "The run failed: see the published status."},
    }


states.update(endings())

cert_poll = poll("Certificate", CERT_FIRST, CERT_CAP, "WaitForCertificates")
cert_poll["CountCertificatePoll"]["Next"] = "CertificatesReady?"
states.update(cert_poll)
states.update(poll("Domain", DOMAIN_FIRST, DOMAIN_CAP, "WaitForCustomDomain"))
retire_poll = poll("Retire", RETIRE_FIRST, RETIRE_CAP, "WaitToRetire")
retire_poll["StartRetirePolling"]["Next"] = "RetireCertificates"  # the first try at once
retire_poll["CountRetirePoll"]["Next"] = "Retired?"
states.update(retire_poll)

definition = {
    "Comment": "orgdns subdomain workflow: zone, delegation, certificates, custom domain, status. "
    "Generated by scripts/gen_asl.py.",
    "StartAt": "Start",
    "States": states,
}

teardown_states: dict[str, dict] = {
    "Start": {"Type": "Pass", "Parameters": {"input.$": "$"}, "Next": "RemoveDelegation"},
    "RemoveDelegation": {**task("RemoveDelegation", "Outcome?", "$"), "Retry": NOT_REPEATABLE},
    "Outcome?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.decision.decision", "StringEquals": "Skip", "Next": "PublishSkipped"},
            {"Variable": "$.decision.decision", "StringEquals": "Reject", "Next": "PublishRejected"},
            {"Variable": "$.teardown.changes[0]", "IsPresent": True, "Next": "WriteTeardownChanges"},
        ],
        "Default": "FinishTeardown",
    },
    # The deletions (and children's new delegations) go through the record writer, batched with
    # every other run's changes to the same zones: a burst of closed accounts under one root zone
    # costs a few change batches, not one each.
    "WriteTeardownChanges": record_request(
        "FinishTeardown", "$.teardown.written", {"kind": "change", "changes.$": "$.teardown.changes"}
    ),
    "FinishTeardown": task("FinishTeardown", "Left?", "$.teardown"),
    "Left?": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.teardown.left[0]", "IsPresent": True, "Next": "PublishActionRequired"}],
        "Default": "PublishSucceeded",
    },
    **publish("ActionRequired", "Succeeded"),
    **endings(),
}

for teardown_state in teardown_states.values():
    if "Catch" in teardown_state and teardown_state["Catch"] is CATCH:
        teardown_state["Catch"] = CATCH_ALL

teardown = {
    "Comment": "orgdns teardown workflow: a zone deleted or untagged, or an account closed, loses the "
    "records orgdns wrote for it, delegation first. Generated by scripts/gen_asl.py.",
    "StartAt": "Start",
    "States": teardown_states,
}

renewal_states: dict[str, dict] = {
    "Start": {"Type": "Pass", "Parameters": {"input.$": "$"}, "Next": "CheckRenewal"},
    "CheckRenewal": task("CheckRenewal", "Outcome?", "$"),
    "Outcome?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.decision.decision", "StringEquals": "Skip", "Next": "PublishSkipped"},
            {"Variable": "$.decision.decision", "StringEquals": "Reject", "Next": "PublishRejected"},
            {"Variable": "$.renewal.rewrite[0]", "IsPresent": True, "Next": "WriteRenewalRecords"},
        ],
        "Default": "Renewable?",
    },
    # Validation records orgdns wrote that went missing: the record writer writes them again
    # (batched with every other run's changes to the same zones).
    "WriteRenewalRecords": record_request(
        "Renewable?", "$.renewal.changes", {"kind": "change", "changes.$": "$.renewal.rewrite"}
    ),
    "Renewable?": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.renewal.outcome", "StringEquals": "ActionRequired", "Next": "PublishActionRequired"},
            {"Variable": "$.renewal.outcome", "StringEquals": "Failed", "Next": "PublishFailed"},
        ],
        "Default": "PublishSucceeded",
    },
    **publish("ActionRequired", "Succeeded"),
    **endings(),
}
for renewal_state in renewal_states.values():
    if "Catch" in renewal_state and renewal_state["Catch"] is CATCH:
        renewal_state["Catch"] = CATCH_ALL

renewal = {
    "Comment": "orgdns renewal workflow: on ACM's expiry and renewal events, a certificate orgdns set up is "
    "checked again, its missing validation records written again, and a human warned once per reason. "
    "Generated by scripts/gen_asl.py.",
    "StartAt": "Start",
    "States": renewal_states,
}

# The reconcile: accounts in batches of 20 (one ListAccounts page) from the reconcile bucket, each
# batch surveyed by a child execution of a distributed Map; the survey, the plan and the report
# travel through S3, so the state stays small whatever the organization's size. 10 batches at once:
# every member account's Route 53 budget is its own, and the management account's is not touched
# by the survey of a member.
SURVEY_CONCURRENCY = 10
# The execution's StartTime is the reconcile's moment: every account is judged as of then.
RECONCILE_STEP = {"execution.$": "$$.Execution.Name", "startedAt.$": "$$.Execution.StartTime", "state.$": "$"}


def report(outcome: str | None, next_state: str) -> dict:
    parameters = {**RECONCILE_STEP, **({"outcome": outcome} if outcome else {})}
    state = task("ReportReconcile", next_state, "$.report", parameters)
    state["Retry"] = [LAMBDA_ERRORS, LAMBDA_THROTTLED, THROTTLING, TRANSIENT]
    state["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.reportError", "Next": "StatusNotPublished"}]
    return state


reconcile_catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReportFailed"}]
reconcile_states: dict[str, dict] = {
    "Start": {"Type": "Pass", "Parameters": {"input.$": "$"}, "Next": "StartReconcile"},
    "StartReconcile": {**task("StartReconcile", "Started?", "$.start", RECONCILE_STEP), "Catch": reconcile_catch},
    "Started?": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.start.decision", "StringEquals": "Reject", "Next": "ReportRejected"}],
        "Default": "SurveyAccounts",
    },
    "SurveyAccounts": {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket.$": "$.start.bucket", "Key.$": "$.start.accountsKey"},
        },
        "ItemSelector": {
            "execution.$": "$$.Execution.Name",
            "batch.$": "$$.Map.Item.Value",
            "state": {"start.$": "$.start"},
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "SurveyAccount",
            "States": {
                "SurveyAccount": {
                    key: value
                    for key, value in task(
                        "SurveyAccount",
                        None,
                        "$",
                        {"execution.$": "$.execution", "batch.$": "$.batch", "state.$": "$.state"},
                    ).items()
                    if key != "Catch"  # a failed batch fails the Map (no failure is tolerated by default)
                }
                | {"End": True}
            },
        },
        "MaxConcurrency": SURVEY_CONCURRENCY,
        "ResultPath": None,
        "Catch": reconcile_catch,
        "Next": "PlanReconcile",
    },
    "PlanReconcile": {**task("PlanReconcile", "Mode?", "$.plan", RECONCILE_STEP), "Catch": reconcile_catch},
    "Mode?": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.start.mode", "StringEquals": "plan", "Next": "ReportReconcile"}],
        "Default": "ApplyReconcile",
    },
    # Safe to run again: runs are named after the reconcile, adoptions are conditional puts.
    "ApplyReconcile": {**task("ApplyReconcile", "Changes?", "$.apply", RECONCILE_STEP), "Catch": reconcile_catch},
    "Changes?": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.apply.batches[0]", "IsPresent": True, "Next": "WriteReconcileChanges"}],
        "Default": "ReportReconcile",
    },
    # DNS repairs go through the record writer, batched with every run's changes to the same zones;
    # it checks each record once more at write time (a record changed since the plan stays). One
    # request per managed zone the records belong to: a zone torn down meanwhile fails its own
    # request only, and ReportReconcile records what each request did.
    "WriteReconcileChanges": {
        "Type": "Map",
        "ItemsPath": "$.apply.batches",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "WriteOwnerChanges",
            "States": {
                "WriteOwnerChanges": {
                    **record_request("OwnerChangesWritten", "$.written", {"kind": "change", "changes.$": "$.changes"}),
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "OwnerChangesWritten"}],
                },
                "OwnerChangesWritten": {"Type": "Pass", "End": True},
            },
        },
        "MaxConcurrency": 5,
        "ResultPath": "$.written",
        "Catch": reconcile_catch,
        "Next": "ReportReconcile",
    },
    "ReportReconcile": report(None, "Done"),
    "ReportRejected": report("Rejected", "Rejected"),
    "ReportFailed": report("Failed", "Failed"),
    "Done": {"Type": "Succeed"},
    "StatusNotPublished": {
        "Type": "Fail",
        "Error": "StatusNotPublished",
        "Cause": "The reconcile's report or status could not be written: see the function's logs.",
    },
    "Rejected": {"Type": "Fail", "Error": "Rejected", "Cause": "The input was rejected: see the published status."},
    "Failed": {"Type": "Fail", "Error": "Failed", "Cause": "The reconcile failed: see the published status."},
}

reconcile = {
    "Comment": "orgdns reconcile workflow: every ACTIVE account surveyed, compared with the registry and the "
    "tags, and a plan made (plan), its safe repairs made (audit) or all of it (apply). Generated by "
    "scripts/gen_asl.py.",
    "StartAt": "Start",
    "States": reconcile_states,
}

MACHINES = {
    "subdomain.asl.json": definition,
    "teardown.asl.json": teardown,
    "renewal.asl.json": renewal,
    "reconcile.asl.json": reconcile,
}

if __name__ == "__main__":
    for file_name, machine in MACHINES.items():
        path = Path(__file__).resolve().parent.parent / "statemachines" / file_name
        path.write_text(json.dumps(machine, indent=2) + "\n")
        print(f"wrote {path} ({len(machine['States'])} states)")
