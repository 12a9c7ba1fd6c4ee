"""template.yaml, the state machine and the event files agree with the code (no AWS)."""

import ast
import copy
import importlib.util
import inspect
import json
import re
from pathlib import Path

import jsonschema
import pytest
from moto.events.models import EventPattern

from orgdns import errors
from orgdns.models import Trigger
from orgdns.request import parse_account_event
from orgdns_local import schema
from orgdns_local.template import load_yaml

ROOT = Path(__file__).resolve().parents[2]


def load_script(name):
    """scripts/ is not a package: import a script by path (check_asl imports cfnlint lazily)."""
    spec = importlib.util.spec_from_file_location(f"orgdns_script_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_asl = load_script("check_asl")
TEMPLATE = load_yaml(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}
MACHINES = check_asl.state_machines(TEMPLATE, ROOT)


def workflow():
    return RESOURCES["SubdomainWorkflow"]["Properties"]


def definition():
    return json.loads((ROOT / workflow()["DefinitionUri"]).read_text())


# --- state machines ------------------------------------------------------------------------------


def test_template_declares_the_subdomain_teardown_renewal_and_reconcile_workflows():
    assert [name for name, _, _ in MACHINES] == [
        "SubdomainWorkflow",
        "TeardownWorkflow",
        "RenewalWorkflow",
        "ReconcileWorkflow",
    ]


@pytest.mark.parametrize(("name", "text", "substitutions"), MACHINES, ids=[m[0] for m in MACHINES])
def test_every_placeholder_has_a_substitution_and_every_substitution_is_used(name, text, substitutions):
    assert check_asl.substitution_problems(name, text, substitutions) == []


@pytest.mark.parametrize(("name", "text", "substitutions"), MACHINES, ids=[m[0] for m in MACHINES])
def test_every_state_is_reachable_and_every_transition_lands_on_a_state(name, text, substitutions):
    assert check_asl.graph_problems(name, check_asl.render(text, substitutions)) == []


def test_graph_check_reports_a_broken_definition():
    broken = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Task", "Resource": "arn", "Next": "Missing"},
            "Loose": {"Type": "Pass"},
            "Orphan": {"Type": "Succeed"},
        },
    }

    problems = check_asl.graph_problems("Broken", broken)

    assert "Broken: First goes to Missing, which is not a state" in problems
    assert "Broken: Loose has neither Next nor End" in problems
    assert "Broken: Orphan is unreachable from First" in problems
    assert "Broken: Loose is unreachable from First" in problems


def test_graph_check_reports_a_catch_to_a_missing_state_and_a_bad_start():
    broken = {
        "StartAt": "Nowhere",
        "States": {
            "Only": {"Type": "Task", "Resource": "arn", "End": True, "Catch": [{"ErrorEquals": ["x"], "Next": "Gone"}]}
        },
    }

    problems = check_asl.graph_problems("Broken", broken)

    assert "Broken: StartAt Nowhere is not a state" in problems
    assert "Broken: Only goes to Gone, which is not a state" in problems


def test_substitution_check_reports_missing_and_unused_keys():
    text = '{"A": "${CreateZoneFunctionArn}", "B": "${DelegateFunctionArn}"}'

    problems = check_asl.substitution_problems(
        "Broken", text, {"CreateZoneFunctionArn": "arn", "ForgottenFunctionArn": "arn"}
    )

    assert problems == [
        "Broken: ${DelegateFunctionArn} has no DefinitionSubstitutions key",
        "Broken: DefinitionSubstitutions key ForgottenFunctionArn is not used in the ASL",
    ]


@pytest.mark.parametrize(
    "file_name", ["subdomain.asl.json", "teardown.asl.json", "renewal.asl.json", "reconcile.asl.json"]
)
def test_state_machine_file_is_what_the_generator_writes(file_name):
    gen_asl = load_script("gen_asl")
    text = (ROOT / "statemachines" / file_name).read_text()

    assert json.loads(text) == gen_asl.MACHINES[file_name]
    assert text == json.dumps(gen_asl.MACHINES[file_name], indent=2) + "\n"


def test_every_error_the_workflow_retries_or_catches_is_an_orgdns_error():
    named = set()

    def walk(states):
        for state in states.values():
            for block in state.get("Retry", []) + state.get("Catch", []):
                named.update(block["ErrorEquals"])
            for branch in state.get("Branches", []):
                walk(branch["States"])

    walk(definition()["States"])
    # States.*, Lambda.* and SQS.* are Step Functions' own names (the SQS integration's for a
    # SendMessage that failed on the way).
    ours = {name for name in named if not name.startswith(("States.", "Lambda.", "SQS."))}
    classes = {name for name, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, errors.OrgDnsError)}

    assert ours, "the workflow retries none of orgdns's own errors"
    assert ours <= classes


# --- functions -----------------------------------------------------------------------------------


def test_template_has_a_function_per_step_folder():
    folders = {p.name for p in (ROOT / "functions").iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    code_uris = {Path(f["Properties"]["CodeUri"]).name for f in FUNCTIONS.values()}

    assert code_uris == folders


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_code_uri_holds_an_app_defining_lambda_handler(name):
    props = FUNCTIONS[name]["Properties"]
    app = ROOT / props["CodeUri"] / "app.py"

    assert props["Handler"] == "app.lambda_handler"
    assert app.is_file(), f"{name}: {app} is missing"
    tree = ast.parse(app.read_text())
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assigned = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert "lambda_handler" in defined | assigned


def function_substitutions():
    """The workflow's substitutions that name a function (the record queue's URL is the other)."""
    return {key: value for key, value in workflow()["DefinitionSubstitutions"].items() if "Fn::GetAtt" in value}


def test_the_only_other_substitution_is_the_record_queue():
    others = {key: value for key, value in workflow()["DefinitionSubstitutions"].items() if "Fn::GetAtt" not in value}
    assert others == {"RecordQueueUrl": {"Ref": "RecordQueue"}}
    sends = [p["SQSSendMessagePolicy"] for p in workflow()["Policies"] if "SQSSendMessagePolicy" in p]
    assert sends == [{"QueueName": {"Fn::GetAtt": ["RecordQueue", "QueueName"]}}]


def test_every_substituted_function_exists_and_is_named_after_its_key():
    substitutions = function_substitutions()

    for key, value in substitutions.items():
        logical_id, attribute = value["Fn::GetAtt"]
        assert attribute == "Arn"
        assert logical_id in FUNCTIONS, f"{key} points at {logical_id}, which is not a function"
        assert key == f"{logical_id}Arn"
        step = logical_id.removesuffix("Function")
        folder = re.sub(r"(?<!^)(?=[A-Z])", "_", step).lower()
        assert FUNCTIONS[logical_id]["Properties"]["CodeUri"] == f"functions/{folder}"


def test_workflow_may_invoke_every_function_it_names_and_no_other():
    invocable = {
        policy["LambdaInvokePolicy"]["FunctionName"]["Ref"]
        for policy in workflow()["Policies"]
        if isinstance(policy, dict) and "LambdaInvokePolicy" in policy
    }
    named = {value["Fn::GetAtt"][0] for value in function_substitutions().values()}

    assert invocable == named


# --- IAM -----------------------------------------------------------------------------------------

ASSUME = "sts:AssumeRole"

# What each step calls in the MANAGEMENT account, with the function's own role (read from
# layers/orgdns/orgdns/steps/*.py and intake.py). Calls into member accounts go through the member
# role and need only sts:AssumeRole here. The registry (orgdns/aws/registry.py): get() = GetItem,
# get_many() and root ids = BatchGetItem, children() and of_account() = Query (on an index),
# put() = PutItem, delete() = DeleteItem; remembering a root's id = PutItem on a root# key;
# all() = Scan, which no step uses. root_zones() may look a root up by name, once.
ROOTS = {"dynamodb:BatchGetItem", "dynamodb:PutItem", "route53:ListHostedZonesByName"}
MANAGEMENT_ACTIONS = {
    # teardown: of_account(), children(), surroundings of the children (roots), put();
    # organizations().state() (DescribeAccount) for closures, account() (and its tags) for an
    # account's tag change; it writes no DNS: the record writer deletes (and re-delegates
    # children), FinishTeardown deletes the registry items
    "RemoveDelegationFunction": {
        ASSUME,
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        *ROOTS,
        "organizations:DescribeAccount",
        "organizations:ListTagsForResource",
    },
    # the certificates are in the member account; get() and put() of the zone's item
    # ... and of_account() (the account's other zones), claim_domain_certificate() (UpdateItem)
    "RetireCertificatesFunction": {
        ASSUME,
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
    },
    # the parameters are in the member account; get(), claim_domain_certificate() and set_parameters()
    "WriteOutputsFunction": {ASSUME, "dynamodb:GetItem", "dynamodb:UpdateItem"},
    # of_account() to find the certificate's zone, claim_warning() (UpdateItem); the certificate
    # and its records in member accounts; records_at in a root zone (under a grant), paced
    "CheckRenewalFunction": {ASSUME, "dynamodb:Query", "dynamodb:UpdateItem", "route53:ListResourceRecordSets"},
    # get() and put() of each moved child, delete() of each torn-down zone
    "FinishTeardownFunction": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"},
    # start_workflow: StartExecution of the subdomain workflow
    "IntakeFunction": {"states:StartExecution"},
    # organizations().account(); surroundings (roots); of_account() for the outstanding quota
    # (the name in its parent is read by the record writer)
    "ResolveRequestFunction": {
        "dynamodb:UpdateItem",
        ASSUME,
        "organizations:DescribeAccount",
        "organizations:ListTagsForResource",
        "dynamodb:Query",
        *ROOTS,
    },
    # the zone is in the member account; get(), put(), children() of each ancestor
    "CreateZoneFunction": {
        "dynamodb:UpdateItem",
        ASSUME,
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",  # the zone's item and its tombstone, at once
        "dynamodb:PutItem",
        "dynamodb:Query",
    },
    # plans the NS record in the nearest parent: surroundings (roots), put(); writes no DNS
    "DelegateFunction": {"dynamodb:UpdateItem", ASSUME, *ROOTS},
    # the record writer: get_many() of the owners, records_named and ChangeResourceRecordSets in
    # root zones (and member parents), the runs' task tokens answered
    "WriteChangesFunction": {
        ASSUME,
        "dynamodb:UpdateItem",
        "dynamodb:BatchGetItem",
        "route53:ListResourceRecordSets",
        "route53:ChangeResourceRecordSets",
        "states:SendTaskSuccess",
        "states:SendTaskFailure",
        "sqs:ChangeMessageVisibility",  # a zone's requests handed back early after a passing error
    },
    # write, then look: the member's zone and tags (member role); records_at and DELETE in a
    # root zone; registry.delete()
    "RecheckZoneFunction": {
        ASSUME,
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "route53:ListResourceRecordSets",
        "route53:ChangeResourceRecordSets",
    },
    # GetChange of a delegation written into a root zone, shared through the budget table
    "CheckDelegationSyncFunction": {"dynamodb:UpdateItem", "dynamodb:GetItem", ASSUME, "route53:GetChange"},
    # the old parent may be a root zone; get_many(), get() and put()
    "ReleaseChildrenFunction": {
        "dynamodb:UpdateItem",
        ASSUME,
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "route53:ListResourceRecordSets",
        "route53:ChangeResourceRecordSets",
    },
    # ACM in the member account; the certificate-name rule again: surroundings (roots)
    "RequestCertificatesFunction": {ASSUME, "dynamodb:UpdateItem", *ROOTS},
    # validation CNAMEs in the run's own zone (member role); those bound for any other zone go to
    # the record writer; surroundings (roots), of_account() for what the account's zones wrote,
    # get() and put()
    "WriteValidationRecordsFunction": {"dynamodb:UpdateItem", ASSUME, *ROOTS, "dynamodb:GetItem", "dynamodb:Query"},
    "CheckCertificatesFunction": {ASSUME},
    # API Gateway and alias records in the member account; get() and put()
    "CreateCustomDomainFunction": {"dynamodb:UpdateItem", ASSUME, "dynamodb:GetItem", "dynamodb:PutItem"},
    # the domain in the member account; claim_domain_certificate() (UpdateItem) and get() before a switch
    "CheckCustomDomainFunction": {ASSUME, "dynamodb:GetItem", "dynamodb:UpdateItem"},
    # registry.get() and put(), then SNS
    # ... and clear_warning() (UpdateItem) after a renewal that can go on
    "PublishStatusFunction": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "sns:Publish"},
    # the status dead-letter queue, then registry.get() and put() (or clear_warning())
    "KeepStatusFunction": {"sqs:SendMessage", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
    # the reconcile: the roots looked up once (and cached), ListAccounts, the batches into the bucket
    "StartReconcileFunction": {"organizations:ListAccounts", "s3:PutObject", "dynamodb:UpdateItem", *ROOTS},
    # each account's tags; its zones and records (member role; the management account's own with
    # the function's role, paced); of_account(); roots; the survey into the bucket
    "SurveyAccountFunction": {
        ASSUME,
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        *ROOTS,
        "organizations:ListTagsForResource",
        "route53:ListHostedZones",
        "route53:GetHostedZone",
        "route53:ListResourceRecordSets",
        "s3:PutObject",
    },
    # the survey (ListObjectsV2, GetObject), the whole registry (all(): one Scan per reconcile),
    # roots; plan.json
    "PlanReconcileFunction": {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "dynamodb:Scan", *ROOTS},
    # plan.json; get_many() of owners, get() of orphans, put_if() of adoptions; records_named in
    # the parents (member role, or the management account's roots), paced; runs started
    "ApplyReconcileFunction": {
        ASSUME,
        "dynamodb:UpdateItem",
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:Query",  # of_account(): a closed account's zones, before its teardown
        "dynamodb:PutItem",
        "route53:ListResourceRecordSets",
        "states:StartExecution",
        "s3:GetObject",
        "s3:PutObject",
    },
    # plan.json and the report; the owners' records settled (get(), put_if()); the warnings' shards;
    # SNS
    "ReportReconcileFunction": {
        "s3:GetObject",
        "s3:PutObject",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",  # the warnings' shards, in one request
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",  # a shard left empty
        "sns:Publish",
    },
}

# What each step may write with ChangeResourceRecordSets in a root zone: (record types, actions).
ROOT_ZONE_WRITES = {
    # CREATE: a burst's delegations are written as conditional creates (no read first)
    "WriteChangesFunction": ({"NS", "CNAME"}, {"CREATE", "UPSERT", "DELETE"}),
    "RecheckZoneFunction": ({"NS"}, {"DELETE"}),  # taking back a withdrawn zone's delegation
    "ReleaseChildrenFunction": ({"NS"}, {"DELETE"}),
}

SAM_POLICY_TEMPLATE_ACTIONS = {
    "StepFunctionsExecutionPolicy": {"states:StartExecution"},
    "LambdaInvokePolicy": {"lambda:InvokeFunction"},
}


def as_list(value):
    return value if isinstance(value, list) else [value]


def statements(function, functions=FUNCTIONS):
    """Every Allow statement of the function's Policies; SAM policy templates as their actions."""
    found = []
    for policy in functions[function]["Properties"].get("Policies", []):
        if isinstance(policy, str):
            pytest.fail(f"{function} uses managed policy {policy}: name the actions instead")
        for key, value in policy.items():
            if key == "Statement":
                found.extend(s for s in value if s.get("Effect") == "Allow")
            elif key in SAM_POLICY_TEMPLATE_ACTIONS:
                found.append({"Effect": "Allow", "Action": sorted(SAM_POLICY_TEMPLATE_ACTIONS[key]), "Resource": value})
            else:
                pytest.fail(f"{function}: policy template {key} is unknown to this test")
    return found


def granted(function, functions=FUNCTIONS):
    return {action for statement in statements(function, functions) for action in as_list(statement["Action"])}


def test_expected_map_covers_every_function():
    assert set(MANAGEMENT_ACTIONS) == set(FUNCTIONS)


@pytest.mark.parametrize("function", sorted(MANAGEMENT_ACTIONS))
def test_function_policy_allows_what_its_step_calls_in_the_management_account(function):
    missing = MANAGEMENT_ACTIONS[function] - granted(function)

    assert not missing, f"{function} calls {sorted(missing)} but its policies do not allow it"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_only_functions_that_enter_member_accounts_may_assume_a_role(function):
    assert (ASSUME in granted(function)) == (ASSUME in MANAGEMENT_ACTIONS[function])


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_assume_role_is_limited_to_the_member_role_in_the_organization(function):
    for statement in statements(function):
        if ASSUME not in as_list(statement["Action"]):
            continue
        assert as_list(statement["Action"]) == [ASSUME]
        member = {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"}
        fallback = {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${FallbackMemberRoleName}"}
        assert statement["Resource"] == {"Fn::If": ["HasFallbackMemberRole", [member, fallback], [member]]}
        assert statement.get("Condition", {}).get("StringEquals", {}).get("aws:ResourceOrgID") == {
            "Ref": "OrganizationId"
        }, f"{function} may assume roles outside the organization"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_no_statement_grants_every_action_of_a_service(function):
    for statement in statements(function):
        for action in as_list(statement["Action"]):
            assert action != "*"
            assert not action.endswith(":*"), f"{function} grants {action}"
            assert "*" not in action, f"{function} grants {action}"


@pytest.mark.parametrize("function", sorted(ROOT_ZONE_WRITES))
def test_record_writes_are_limited_to_the_types_and_actions_the_step_makes(function):
    types, actions = ROOT_ZONE_WRITES[function]
    writes = [s for s in statements(function) if "route53:ChangeResourceRecordSets" in as_list(s["Action"])]

    assert len(writes) == 1
    condition = writes[0]["Condition"]["ForAllValues:StringEquals"]
    assert set(condition["route53:ChangeResourceRecordSetsRecordTypes"]) == types
    assert set(condition["route53:ChangeResourceRecordSetsActions"]) == actions


def test_iam_check_notices_a_missing_action():
    crippled = copy.deepcopy(FUNCTIONS)
    for statement in crippled["CreateZoneFunction"]["Properties"]["Policies"][0]["Statement"]:
        if statement.get("Sid") == "Registry":
            statement["Action"] = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]

    missing = MANAGEMENT_ACTIONS["CreateZoneFunction"] - granted("CreateZoneFunction", crippled)

    assert missing == {"dynamodb:PutItem"}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_no_function_scans_the_registry(function):
    """Every step of the event-driven workflows reads the registry by key or through an index: its
    cost must not grow with the organization. Only the reconcile's plan reads it whole, once."""
    assert ("dynamodb:Scan" in granted(function)) == (function == "PlanReconcileFunction")


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_registry_queries_may_reach_the_indexes(function):
    for statement in statements(function):
        if "dynamodb:Query" in as_list(statement["Action"]):
            assert {"Fn::Sub": "${RegistryTable.Arn}/index/*"} in as_list(statement["Resource"])


def test_a_root_id_cache_statement_may_write_root_keys_only():
    for function in FUNCTIONS:
        for statement in statements(function):
            if statement.get("Sid") == "CacheRootZoneIds":
                assert as_list(statement["Action"]) == ["dynamodb:PutItem"]
                assert statement["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["root#*"]}}


def test_registry_indexes_serve_children_and_accounts():
    table = TEMPLATE["Resources"]["RegistryTable"]["Properties"]
    indexes = {i["IndexName"]: i["KeySchema"][0]["AttributeName"] for i in table["GlobalSecondaryIndexes"]}

    assert indexes == {"byParent": "parentZoneName", "byAccount": "accountId"}


# --- manual input and events ---------------------------------------------------------------------


def manual_schema():
    return json.loads((ROOT / "events" / "manual-input.schema.json").read_text())


def test_manual_input_schema_file_is_generated_from_the_model():
    assert (ROOT / "events" / "manual-input.schema.json").read_text() == schema.render()


def test_reconcile_input_schema_file_is_generated_from_the_model():
    path = ROOT / "events" / "reconcile-input.schema.json"
    assert path.read_text() == schema.render_reconcile()
    validator = jsonschema.Draft202012Validator(json.loads(path.read_text()))
    for good in ({"mode": "plan"}, {"mode": "audit"}, {"mode": "apply"}, {}):
        validator.validate(good)
    for bad in ({"mode": "destroy"}, {"mode": "plan", "force": True}, {"mode": 1}):
        assert not validator.is_valid(bad)


MANUAL_EXAMPLES = sorted(p.name for p in (ROOT / "events").glob("manual-*.json") if not p.name.endswith(".schema.json"))


def test_there_are_manual_examples():
    assert len(MANUAL_EXAMPLES) >= 3


@pytest.mark.parametrize("example", MANUAL_EXAMPLES)
def test_manual_example_validates_against_the_schema(example):
    instance = json.loads((ROOT / "events" / example).read_text())

    jsonschema.Draft202012Validator(manual_schema()).validate(instance)


@pytest.mark.parametrize(
    "instance",
    [
        {"zoneName": "demo.example.org"},  # accountId is required
        {"accountId": "1234"},
        {"accountId": "111122223333", "zone": "demo.example.org"},  # not a field
        {"accountId": "111122223333", "customDomain": "cloudfront"},
        {"accountId": "111122223333", "nsTtl": -1},
    ],
)
def test_schema_refuses_bad_manual_input(instance):
    assert not jsonschema.Draft202012Validator(manual_schema()).is_valid(instance)


def load_event(name):
    return json.loads((ROOT / "events" / name).read_text())


def test_create_account_result_example_parses():
    event = parse_account_event(load_event("create-account-result.json"))

    assert event.trigger == Trigger.CREATE_ACCOUNT_RESULT
    assert event.succeeded is True
    assert event.account_id == "444455556666"
    assert event.event_id == "6f2a1c9e-0b7d-4c1e-9a43-3c2e5d8f7a10"


def test_create_managed_account_example_parses():
    event = parse_account_event(load_event("create-managed-account.json"))

    assert event.trigger == Trigger.CREATE_MANAGED_ACCOUNT
    assert event.succeeded is True
    assert event.account_id == "444455556666"
    assert event.account_name == "staging"


# --- EventBridge rules ---------------------------------------------------------------------------


def rule_pattern(rule):
    event = FUNCTIONS["IntakeFunction"]["Properties"]["Events"][rule]
    assert event["Type"] == "EventBridgeRule"
    return EventPattern.load(json.dumps(event["Properties"]["Pattern"]))


def failed(event, path):
    event = copy.deepcopy(event)
    status = event["detail"]["serviceEventDetails"]
    for key in path:
        status = status[key]
    status["state"] = "FAILED"
    return event


def test_intake_listens_to_account_creation_and_member_zone_tagging():
    events = FUNCTIONS["IntakeFunction"]["Properties"]["Events"]
    assert set(events) == {
        "AccountCreated",
        "ManagedAccountCreated",
        "ZoneTagged",
        "ZoneDeleted",
        "AccountClosed",
        "AccountTagsChanged",
        "CertificateEvents",
    }
    assert events["CertificateEvents"]["Properties"]["EventBusName"] == {"Ref": "MemberEventBus"}
    assert "EventBusName" not in events["AccountTagsChanged"]["Properties"]  # the default bus: us-east-1 CloudTrail
    assert events["ZoneTagged"]["Properties"]["EventBusName"] == {"Ref": "MemberEventBus"}


def test_zone_tagged_rule_matches_hosted_zone_tagging_from_a_member_only():
    pattern = rule_pattern("ZoneTagged")
    event = {
        "source": "aws.route53",
        "detail-type": "AWS API Call via CloudTrail",
        "account": "444455556666",
        "detail": {"eventName": "ChangeTagsForResource", "requestParameters": {"resourceType": "hostedzone"}},
    }
    assert pattern.matches_event(event)
    health_check = {**event, "detail": {**event["detail"], "requestParameters": {"resourceType": "healthcheck"}}}
    assert not pattern.matches_event(health_check)
    assert not pattern.matches_event(load_event("create-account-result.json"))


def test_account_created_rule_matches_a_succeeded_create_account_result_only():
    pattern = rule_pattern("AccountCreated")
    event = load_event("create-account-result.json")

    assert pattern.matches_event(event)
    assert not pattern.matches_event(failed(event, ["createAccountStatus"]))
    assert not pattern.matches_event(load_event("create-managed-account.json"))


def test_managed_account_created_rule_matches_a_succeeded_create_managed_account_only():
    pattern = rule_pattern("ManagedAccountCreated")
    event = load_event("create-managed-account.json")

    assert pattern.matches_event(event)
    assert not pattern.matches_event(failed(event, ["createManagedAccountStatus"]))
    assert not pattern.matches_event(load_event("create-account-result.json"))


# SNS encrypts the status topic with the AWS-managed key: publishing needs these through SNS only.
IMPLIED = {
    "PublishStatusFunction": {"kms:GenerateDataKey", "kms:Decrypt"},
    "ReportReconcileFunction": {"kms:GenerateDataKey", "kms:Decrypt"},
}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_function_policy_grants_nothing_its_step_does_not_call(function):
    extra = granted(function) - MANAGEMENT_ACTIONS[function] - IMPLIED.get(function, set())

    assert not extra, f"{function} may call {sorted(extra)}, which its step never calls"


# --- retries: no run lost to a transient error ---------------------------------------------------


def tasks():
    for name, text, substitutions in MACHINES:
        for state_name, state in check_asl.render(text, substitutions)["States"].items():
            if state["Type"] == "Task":
                yield name, state_name, state


def retry_for(state, error):
    return next((r for r in state.get("Retry", []) if error in r["ErrorEquals"]), None)


def expected_seconds(retry):
    """Mean total wait of a Retry with full jitter: half of each capped interval, added up."""
    total, interval = 0.0, retry["IntervalSeconds"]
    for _ in range(retry["MaxAttempts"]):
        total += min(interval, retry.get("MaxDelaySeconds", float("inf"))) / 2
        interval *= retry["BackoffRate"]
    return total


@pytest.mark.parametrize(("machine", "state_name", "state"), list(tasks()), ids=[f"{m}.{s}" for m, s, _ in tasks()])
def test_every_task_retries_transient_errors_and_throttling_for_hours(machine, state_name, state):
    transient = retry_for(state, "TransientAwsError")
    assert transient is not None and transient["JitterStrategy"] == "FULL"
    assert expected_seconds(transient) >= 15 * 60
    for throttled in ("Route53Throttling", "ApiThrottling", "Lambda.TooManyRequestsException"):
        retry = retry_for(state, throttled)
        assert retry is not None and retry["JitterStrategy"] == "FULL", f"{state_name} gives up on {throttled}"
        assert expected_seconds(retry) >= 3 * 3600, f"{state_name} stops retrying {throttled} within hours"


@pytest.mark.parametrize(("machine", "state_name", "state"), list(tasks()), ids=[f"{m}.{s}" for m, s, _ in tasks()])
def test_a_timed_out_step_is_retried_only_where_running_it_again_is_safe(machine, state_name, state):
    function = state["Resource"].rsplit(":", 1)[1].removesuffix("FunctionArn")
    retried = retry_for(state, "Lambda.Unknown") is not None
    assert retried == (function not in {"PublishStatus", "KeepStatus", "RemoveDelegation", "ReportReconcile"}), (
        state_name
    )


@pytest.mark.parametrize(("machine", "state_name", "state"), list(tasks()), ids=[f"{m}.{s}" for m, s, _ in tasks()])
def test_a_status_that_cannot_be_published_is_kept(machine, state_name, state):
    if not state_name.startswith("Publish"):
        return
    name = state_name.removeprefix("Publish")
    outcome = state["Parameters"]["outcome"]  # the state's name, or a named ActionRequired
    assert outcome == name or (outcome, name) in {("ActionRequired", "CertificatesInUse"), ("Skipped", "Superseded")}
    [catch] = state["Catch"]
    assert (catch["ErrorEquals"], catch["Next"]) == (["States.ALL"], f"Keep{name}")
    states = check_asl.render(*next((t, s) for n, t, s in MACHINES if n == machine))["States"]
    kept = states[f"Keep{name}"]
    assert kept["Resource"].endswith("KeepStatusFunctionArn")
    assert kept["Parameters"]["outcome"] == outcome
    assert kept["Catch"][0]["Next"] == "StatusNotPublished"
