"""Builds and runs a local organization: moto accounts and zones, orgdns's control plane wired
from template.yaml, and the scenario's story played on the simulated clock."""

import contextlib
import gc
import io
import json
import os
import re
import uuid
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_api._internal import mock_random
from moto.organizations import utils as organizations_utils

from orgdns import status
from orgdns.aws import changes, ratelimit, registry
from orgdns_local.moto_glue import patches as glue
from orgdns_local.moto_glue.calls import ApiCallRecorder, FaultPlan, FaultRule
from orgdns_local.moto_glue.clock import SimClock
from orgdns_local.moto_glue.context import is_work
from orgdns_local.moto_glue.dns import EmulatedDns
from orgdns_local.moto_glue.sqs import EventSourceMapping, SqsPoller
from orgdns_local.runtime import EMULATOR_ENVIRONMENT, HandlerRuntime, Invocation
from orgdns_local.scenario import (
    CreateAccount,
    DeleteCustomDomain,
    DeleteRecords,
    DeleteZone,
    FaultInput,
    Reconcile,
    RecordInput,
    Scenario,
    Step,
    TagAccount,
    TagZone,
    ZoneInput,
)
from orgdns_local.template import load_wiring, load_yaml, queue_attributes, table_arguments

MANAGEMENT = DEFAULT_ACCOUNT_ID
OUTSIDE = "999999999999"  # stands in for the outside DNS provider's infrastructure
HOME = "us-east-1"
ORG_ID_PARAMETER = "o-localorg01"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
DRIVER_TICK = 5.0  # simulated seconds between the driver's looks at the world
FAULT_MESSAGES = {
    "Throttling": "Rate exceeded",
    "PriorRequestNotComplete": "The request was rejected because Route 53 was still processing a prior request.",
    "AccessDenied": "User is not authorized to perform: sts:AssumeRole",
    "ServiceException": "The Lambda service encountered an internal error.",
}


@dataclass
class StatusMessage:
    message_id: str
    sim_time: float
    subject: str
    document: dict[str, Any]
    attributes: dict[str, str]


@dataclass
class Progress:
    """Lines telling what just happened, stamped with simulated time."""

    sink: Callable[[str], None] | None
    names: dict[str, str] = field(default_factory=dict)

    def __call__(self, sim_time: float, who: str, text: str) -> None:
        if self.sink is not None:
            hours, rest = divmod(int(sim_time), 3600)
            self.sink(f"[{hours:d}:{rest // 60:02d}:{rest % 60:02d}] {who:<11} {text}")


class LocalOrganization:
    """``with LocalOrganization(scenario) as org: org.play()``, then ``org.report()``."""

    def __init__(
        self,
        scenario: Scenario,
        template: Path = ROOT / "template.yaml",
        progress: Callable[[str], None] | None = None,
        log_level: str = "CRITICAL",
    ) -> None:
        self.scenario = scenario
        self.template = template
        self.progress = Progress(progress)
        self.clock = SimClock(START)
        self.calls = ApiCallRecorder()
        self.faults = FaultPlan()
        self.accounts: dict[str, str] = {"management": MANAGEMENT, "outside": OUTSIDE}  # name -> id
        self.top_level: list[tuple[str, str]] = []  # (account id, hosted zone id)
        self.executions: list[str] = []
        self.reconcile_runs: list[str] = []  # ReconcileWorkflow executions, in the order started
        self.status_times: dict[str, float] = {}
        self._answered: set[str] = set()
        self._decoded: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []  # SNS statuses, in order
        self._reacted = 0  # status messages the driver has looked at
        self._baseline: dict[str, Any] | None = None  # baseline.yaml, read once
        self.invocation_counts: Counter[str] = Counter()
        self._fault_names: list[tuple[FaultRule, str | None, str | None]] = []
        # (when, what, action): what the organization does on its own later (the StackSet reaching
        # a new account, an account's closure completing)
        self._pending: list[tuple[float, str, Callable[[], None]]] = []
        self._stack = ExitStack()
        self._event_sources: list[EventSourceMapping] = []  # from the template's SQS events
        self.pollers: list[SqsPoller] = []
        self._session = boto3.Session()
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._log_level = log_level
        self.wiring = load_wiring(
            template,
            {"OrganizationId": ORG_ID_PARAMETER, "RootZones": _roots(scenario), **scenario.parameters},
            MANAGEMENT,
            HOME,
        )
        self.runtime = HandlerRuntime(self.wiring.functions, log_level)
        self.runtime.clock = self.clock.elapsed
        self.runtime.clock_sleep = self.clock.sleep
        self.runtime.listeners.append(self._on_invocation)

    # -- set-up ------------------------------------------------------------------------------

    def __enter__(self) -> "LocalOrganization":
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": HOME,
            "MOTO_ALLOW_NONEXISTENT_REGION": "true",
            **EMULATOR_ENVIRONMENT,  # Powertools reads some of these at invocation time
            "POWERTOOLS_LOG_LEVEL": self._log_level,
        }.items():
            self._stack.callback(_restore_env, key, os.environ.get(key))
            os.environ[key] = value
        mock_random.seed(self.scenario.seed)
        # Containers run concurrently here, and Powertools keeps one metric set per process: a
        # flush can find another invocation's set already flushed. Lambda runs one at a time.
        warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
        # moto and the interpreter keep large, long-lived object graphs: a full collection costs
        # about a second each time, so move what exists now out of the collector's way.
        gc.collect()
        gc.freeze()
        self._stack.enter_context(
            mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}})
        )
        timing = self.scenario.timing
        ctx = glue.GlueContext(
            clock=self.clock,
            dns=EmulatedDns(lambda: list(self.top_level)),
            invoke_handler=self._invoke_handler,
            calls=self.calls,
            faults=self.faults,
            route53_propagation_seconds=timing.route53_propagation_seconds,
            acm_record_delay_seconds=timing.acm_record_delay_seconds,
            acm_validation_seconds=timing.acm_validation_seconds,
            apigw_edge_pending_seconds=timing.apigw_edge_pending_seconds,
            apigw_regional_pending_seconds=timing.apigw_regional_pending_seconds,
            apigw_edge_update_seconds=timing.apigw_edge_update_seconds,
            apigw_regional_update_seconds=timing.apigw_regional_update_seconds,
            acm_in_use_release_seconds=timing.acm_in_use_release_seconds,
            account_closure_seconds=timing.account_closure_seconds,
            require_existing_roles=True,
            dead_letter_queues={
                f"orgdns-{logical}": spec.dead_letter_queue
                for logical, spec in self.wiring.functions.items()
                if spec.dead_letter_queue
            },
        )
        self._stack.callback(glue.install(ctx))
        # orgdns paces its Route 53 requests per account (orgdns.aws.ratelimit): on the
        # simulated clock, so a run that waits for the next second's budget costs no real time,
        # and through the runtime, so a wait past the function's Timeout stops it as Lambda would.
        sim_time = SimpleNamespace(time=lambda: self.clock.now().timestamp(), sleep=self.runtime.sleep)
        self._stack.enter_context(patch.object(ratelimit, "time", sim_time))
        # So does the shared Route 53 change status (how long ago a run asked GetChange).
        self._stack.enter_context(patch.object(changes, "time", sim_time))
        # And the lease on looking up a root zone's id.
        self._stack.enter_context(patch.object(registry, "time", sim_time))
        # Status documents carry the simulated time, like everything else a run reports.
        self._stack.enter_context(
            patch.object(status, "datetime", SimpleNamespace(now=lambda tz=None: self.clock.now()))
        )
        with self.calls.ignored():
            self._build_control_plane()
            self._build_organization()
        for mapping in self._event_sources:
            poller = SqsPoller(ctx, mapping)
            poller.start()
            self.pollers.append(poller)
            self._stack.callback(poller.stop)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                glue.wait_for_executions()
        finally:
            self._stack.close()

    def client(self, service: str, account_id: str = MANAGEMENT, region: str = HOME) -> Any:
        """A boto3 client in any account of the organization (the emulator's own, not recorded)."""
        key = (service, account_id, region)
        if key not in self._clients:
            self._clients[key] = self._new_client(service, account_id, region)
        return self._clients[key]

    def _new_client(self, service: str, account_id: str, region: str) -> Any:
        session: Any = self._session
        if account_id == MANAGEMENT:
            return session.client(service, region_name=region)
        creds = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="local"
        )["Credentials"]
        return session.client(
            service,
            region_name=region,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    def _invoke_handler(self, function: Any, event: Any) -> Any:
        """Run a function's handler; the calls it makes are recorded as its step's."""
        step = function.function_name.removeprefix("orgdns-").removesuffix("Function")
        with self.calls.made_by(step):
            return self.runtime.invoke(function.function_name, event)

    def _build_control_plane(self) -> None:
        wiring = self.wiring
        iam = self.client("iam")
        role = iam.create_role(
            RoleName="orgdns-local-execution",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
        dynamodb = self.client("dynamodb")
        for name, props in wiring.tables.items():
            dynamodb.create_table(TableName=name, **table_arguments(props))
        s3 = self.client("s3")
        for bucket, props in wiring.buckets.items():
            s3.create_bucket(Bucket=bucket)
            if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
                s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        sns = self.client("sns")
        for arn in wiring.topics:
            sns.create_topic(Name=arn.rsplit(":", 1)[1])
        sqs = self.client("sqs")
        # Dead-letter queues first: a redrive policy names an existing queue.
        for url in sorted(wiring.queues, key=lambda url: "RedrivePolicy" in wiring.queue_properties.get(url, {})):
            attributes = queue_attributes(wiring.queue_properties.get(url, {}))
            sqs.create_queue(QueueName=url.rsplit("/", 1)[1], Attributes=attributes)
        lambda_ = self.client("lambda")
        events = self.client("events")
        for bus in wiring.buses:
            events.create_event_bus(Name=bus)
        for logical, spec in wiring.functions.items():
            name = f"orgdns-{logical}"
            lambda_.create_function(
                FunctionName=name,
                Runtime="python3.13",
                Role=role,
                Handler=spec.handler,
                Code={"ZipFile": _placeholder_zip()},
                Timeout=spec.timeout,
                MemorySize=spec.memory,
                Environment={"Variables": spec.environment},
            )
            self.runtime.register(name, logical)
            for event_name, event in spec.events.items():
                if event.get("Type") == "SQS":
                    props = event["Properties"]
                    self._event_sources.append(
                        EventSourceMapping(
                            queue_arn=props["Queue"],
                            function_arn=f"arn:aws:lambda:{HOME}:{MANAGEMENT}:function:{name}",
                            batch_size=int(props.get("BatchSize", 10)),
                            batching_window_seconds=float(props.get("MaximumBatchingWindowInSeconds", 0)),
                            report_batch_item_failures="ReportBatchItemFailures"
                            in props.get("FunctionResponseTypes", []),
                        )
                    )
                if event.get("Type") != "EventBridgeRule":
                    continue
                rule = f"{name}-{event_name}"[:64]
                bus = event["Properties"].get("EventBusName", "default")
                events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(event["Properties"]["Pattern"]))
                events.put_targets(
                    Rule=rule,
                    EventBusName=bus,
                    Targets=[{"Id": "1", "Arn": f"arn:aws:lambda:{HOME}:{MANAGEMENT}:function:{name}"}],
                )
        for plain in wiring.rules:
            events.put_rule(Name=plain["name"], EventBusName=plain["bus"], EventPattern=json.dumps(plain["pattern"]))
            events.put_targets(
                Rule=plain["name"],
                EventBusName=plain["bus"],
                Targets=[{"Id": str(i), "Arn": arn} for i, arn in enumerate(plain["targets"])],
            )
        stepfunctions = self.client("stepfunctions")
        for logical, machine in wiring.state_machines.items():
            stepfunctions.create_state_machine(
                name=f"orgdns-{logical}", definition=machine.definition, roleArn=role, type=machine.state_machine_type
            )

    def _build_organization(self) -> None:
        # The emulator enters the outside provider's account the way it enters members.
        _create_role(OUTSIDE, "OrganizationAccountAccessRole")
        organizations = self.client("organizations")
        organizations.create_organization(FeatureSet="ALL")
        roots = set(_roots(self.scenario).split())
        # Every zone first, then their records: a hand-made delegation in one zone may name another
        # zone's name servers (${nameservers:ACCOUNT:ZONE}), whichever account it is in.
        records: list[tuple[str, str, list[RecordInput]]] = []
        for zone in self.scenario.management_zones:
            zone_id = self._create_zone(MANAGEMENT, zone.model_copy(update={"records": []}))
            records.append((MANAGEMENT, zone_id, zone.records))
            if zone.name in roots or zone.top_level:
                self.top_level.append((MANAGEMENT, zone_id))
        for zone in self.scenario.outside_zones:
            zone_id = self._create_zone(OUTSIDE, zone.model_copy(update={"records": []}))
            records.append((OUTSIDE, zone_id, zone.records))
            self.top_level.append((OUTSIDE, zone_id))
        for account in self.scenario.accounts:
            account_id = self._new_account(account.name, None, account.tags, account.id)
            self._deploy_baseline(account_id)
            for zone in account.zones:
                zone_id = self._create_zone(account_id, zone.model_copy(update={"records": []}))
                records.append((account_id, zone_id, zone.records))
                if zone.top_level:
                    self.top_level.append((account_id, zone_id))
            for certificate in account.certificates:
                self.client("acm", account_id, certificate.region).request_certificate(
                    DomainName=certificate.names[0],
                    SubjectAlternativeNames=certificate.names,
                    ValidationMethod="DNS",
                )
        for account_id, zone_id, zone_records in records:
            if zone_records:
                self._write_records(account_id, zone_id, zone_records)
        for fault in self.scenario.faults:
            rule = self._fault_rule(fault)
            self._fault_names.append((rule, fault.account, fault.target_account))
            self.faults.add(rule)

    def _create_zone(self, account_id: str, zone: ZoneInput) -> str:
        route53 = self.client("route53", account_id)
        zone_id: str = route53.create_hosted_zone(Name=zone.name, CallerReference=f"local-{uuid.uuid4()}")[
            "HostedZone"
        ]["Id"].rsplit("/", 1)[1]
        if zone.records:
            self._write_records(account_id, zone_id, zone.records)
        return zone_id

    def _write_records(self, account_id: str, zone_id: str, records: list[RecordInput]) -> None:
        """UPSERT the records, 100 record sets a batch (Route 53 takes at most 1,000 values a batch,
        an UPSERT counting twice)."""
        route53 = self.client("route53", account_id)
        for start in range(0, len(records), 100):
            changes = [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": r.name,
                        "Type": r.type,
                        "TTL": r.ttl,
                        "ResourceRecords": [{"Value": v} for v in self._values(r.values)],
                    },
                }
                for r in records[start : start + 100]
            ]
            route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})

    def _values(self, values: list[str]) -> list[str]:
        """Record values with ``${nameservers:ACCOUNT:ZONE}`` expanded to that zone's name servers."""
        out: list[str] = []
        for value in values:
            match = re.fullmatch(r"\$\{nameservers:([^:}]+):([^}]+)\}", value)
            if match is None:
                out.append(value)
                continue
            account, zone = match.groups()
            account_id = self.accounts[account]
            route53 = self.client("route53", account_id)
            zone_id = self._zone_id(account_id, zone)
            out.extend(route53.get_hosted_zone(Id=zone_id)["DelegationSet"]["NameServers"])
        return out

    def _new_account(self, name: str, email: str | None, tags: dict[str, str], wanted_id: str | None = None) -> str:
        organizations = self.client("organizations")
        if wanted_id is not None and wanted_id in {*self.accounts.values(), MANAGEMENT}:
            raise ValueError(f"account id {wanted_id} of {name} is already taken")
        # Organizations picks the id; a scenario may fix it (to name the account in Grants, say).
        chosen = patch.object(organizations_utils, "make_random_account_id", lambda: wanted_id) if wanted_id else None
        with chosen or contextlib.nullcontext():
            status = organizations.create_account(
                Email=email or f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}@example.org", AccountName=name
            )["CreateAccountStatus"]
        account_id = str(status["AccountId"])
        if tags:
            organizations.tag_resource(ResourceId=account_id, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        self.accounts[name] = account_id
        self.progress.names[account_id] = name
        for rule, account, target in self._fault_names:  # faults may name accounts created later
            if account == name:
                rule.account_id = account_id
            if target == name:
                rule.target_account_id = account_id
        self.faults.account_created(account_id, self.clock.elapsed())
        return account_id

    def _deploy_baseline(self, account_id: str) -> None:
        """What the StackSet's auto-deployment puts in a member account (baseline.yaml): orgdns's
        execution role and the rules forwarding Route 53 events (us-east-1) and ACM's events (each
        of the scenario's `baseline_regions`) to the management member bus."""
        if not self.scenario.baseline:
            return
        if self._baseline is None:
            self._baseline = load_yaml(self.template.parent / "baseline.yaml")
        baseline = self._baseline
        defaults = {name: spec.get("Default") for name, spec in baseline["Parameters"].items()}
        bus_arn = f"arn:aws:events:{HOME}:{MANAGEMENT}:event-bus/{self.wiring.buses[0]}"
        # Straight into moto's backends, as _create_role does: a boto3 client per new account
        # (AssumeRole, client set-up) cost a burst of a thousand accounts a tenth of its time.
        from moto.events.models import events_backends

        for logical, resource in baseline["Resources"].items():
            props = resource.get("Properties", {})
            # InHomeRegion: once, in us-east-1; the rest in every Region of the StackSet
            regions = [HOME] if resource.get("Condition") == "InHomeRegion" else self.scenario.baseline_regions
            if resource["Type"] == "AWS::IAM::Role" and isinstance(props.get("RoleName"), dict):
                _create_role(account_id, str(defaults[props["RoleName"]["Ref"]]))
            elif resource["Type"] == "AWS::Events::Rule":
                for region in regions:
                    events = events_backends[account_id][region]
                    events.put_rule(logical, event_pattern=json.dumps(props["EventPattern"]))
                    events.put_targets(logical, None, [{"Id": "orgdns-member-bus", "Arn": bus_arn}])
        self.progress(self.clock.elapsed(), self.progress.names.get(account_id, account_id), "member baseline deployed")

    def _account_ref(self, name: str | None) -> str | None:
        """An account name's id; until that account exists, a value no call carries."""
        if name is None:
            return None
        return self.accounts.get(name, name if re.fullmatch(r"\d{12}", name) else f"(not yet created: {name})")

    def _fault_rule(self, fault: FaultInput) -> FaultRule:
        return FaultRule(
            service=fault.service,
            operation=fault.operation,
            account_id=self._account_ref(fault.account),
            target_account_id=self._account_ref(fault.target_account),
            domain=fault.domain,
            error_code=fault.error,
            message=fault.message or FAULT_MESSAGES.get(fault.error, fault.error),
            http_status=fault.http_status,
            count=fault.count,
            during_seconds=fault.between_seconds,
            after_account_created=fault.new_account_seconds,
        )

    # -- the story ---------------------------------------------------------------------------

    def play(self) -> None:
        """Run the steps in order on the simulated clock, then let every run finish."""
        reactions = [step for step in self.scenario.steps if step.answer_action_required]
        with self.clock.participant("driver"):
            for step in self.scenario.steps:
                if step.answer_action_required:
                    continue  # a standing reaction, not a step in the story's order
                self._wait_for(step, reactions)
                self._run(step)
            while self._runs_in_progress() or self._pending or self._react(reactions):
                self.clock.sleep(DRIVER_TICK)
                self._react(reactions)
        glue.wait_for_executions()

    def _wait_for(self, step: Step, reactions: list[Step]) -> None:
        while (step.at is not None and self.clock.elapsed() < step.at) or (
            step.after_runs and self._runs_in_progress()
        ):
            delay = DRIVER_TICK if step.at is None else min(DRIVER_TICK, step.at - self.clock.elapsed())
            if step.at is not None and not self._runs_in_progress():
                # Nothing runs: sleep to the next thing that happens (a step, a baseline
                # deployment, a certificate's renewal or expiry), however far: months in one go.
                moments = [step.at, *(due for due, _, _ in self._pending)]
                lifecycle = glue.acm_lifecycle().next_moment()
                if lifecycle is not None:
                    moments.append(lifecycle)
                delay = max(min(moments) - self.clock.elapsed(), DRIVER_TICK)
                delay = min(delay, step.at - self.clock.elapsed())
            self.clock.sleep(max(delay, 0.001))
            self._react(reactions)

    def _runs_in_progress(self) -> bool:
        return any(is_work(key) for key in self.clock.participants())

    def _react(self, reactions: list[Step]) -> bool:
        """Deploy the baseline where it is due; answer ActionRequired statuses as the scenario says.
        True if something was done now."""
        answered = False
        with self.calls.ignored():
            glue.acm_lifecycle().advance()  # ACM's own doing: renewals, expiries, its events
        for due in sorted((item for item in self._pending if item[0] <= self.clock.elapsed()), key=lambda i: i[0]):
            self._pending.remove(due)
            due[2]()
            answered = True
        messages = self.status_messages()
        new, self._reacted = messages[self._reacted :], len(messages)
        for message in new:
            if message.document.get("outcome") != "ActionRequired" or message.message_id in self._answered:
                continue
            account = self.progress.names.get(str(message.document.get("accountId")), "")
            for step in reactions:
                if step.answer_action_required and step.answer_action_required.account == account:
                    self._answered.add(message.message_id)
                    self._answer(message)
                    answered = True
        return answered

    def _answer(self, message: StatusMessage) -> None:
        for record in message.document.get("actionRequired", []):
            with self.calls.ignored():
                found = self._outside_zone(record["name"])
            if found is None:
                self.progress(self.clock.elapsed(), "human", f"cannot add {record['name']}: no outside zone holds it")
                continue
            account_id, zone_id, zone_name = found
            with self.calls.ignored():
                self._write_records(
                    account_id,
                    zone_id,
                    [RecordInput(name=record["name"], type=record["type"], values=[record["value"]])],
                )
            self.progress(
                self.clock.elapsed(),
                "human",
                f"adds {record['type']} {record['name']} -> {record['value']} at the DNS provider of {zone_name}",
            )

    def _outside_zone(self, name: str) -> tuple[str, str, str] | None:
        best = None
        for account_id, zone_id in self.top_level:
            if account_id != OUTSIDE:
                continue
            zone_name = self.client("route53", OUTSIDE).get_hosted_zone(Id=zone_id)["HostedZone"]["Name"].rstrip(".")
            if (name == zone_name or name.endswith("." + zone_name)) and (
                best is None or len(zone_name) > len(best[2])
            ):
                best = (account_id, zone_id, zone_name)
        return best

    def _run(self, step: Step) -> None:
        with self.calls.ignored():
            if step.create_account:
                self._create_account(step.create_account)
            elif step.start_execution:
                start = step.start_execution
                arn = self._workflow_arn()
                args: dict[str, Any] = {"stateMachineArn": arn, "input": json.dumps(self.expand(start.input))}
                if start.name:
                    args["name"] = start.name
                self.client("stepfunctions").start_execution(**args)
                self.progress(self.clock.elapsed(), "operator", f"starts the workflow by hand: {args['input']}")
            elif step.send_event:
                event = self.expand(step.send_event.event)
                bus = self.wiring.buses[0] if step.send_event.bus == "member" else "default"
                for _ in range(step.send_event.deliveries):
                    glue.put_event(MANAGEMENT, HOME, event, bus_name=bus)
                self.progress(
                    self.clock.elapsed(),
                    "eventbridge",
                    f"delivers {event.get('source')} event x{step.send_event.deliveries}",
                )
            elif step.add_records:
                add = step.add_records
                account_id = self.accounts[add.account]
                zone_id = self._zone_id(account_id, add.zone)
                self._write_records(account_id, zone_id, add.records)
                self.progress(self.clock.elapsed(), add.account, f"adds {len(add.records)} record(s) to {add.zone}")
            elif step.delete_records:
                self._delete_records(step.delete_records)
            elif step.create_zone:
                create = step.create_zone
                account_id = self.accounts[create.account]
                zone_id = self._create_zone(account_id, ZoneInput(name=create.name, records=create.records))
                self.progress(self.clock.elapsed(), create.account, f"creates hosted zone {create.name} ({zone_id})")
            elif step.tag_zone:
                self._tag_zone(step.tag_zone)
            elif step.delete_zone:
                self._delete_zone(step.delete_zone)
            elif step.delete_custom_domain:
                self._delete_custom_domain(step.delete_custom_domain)
            elif step.close_account:
                self._close_account(step.close_account.account)
            elif step.tag_account:
                self._tag_account(step.tag_account)
            elif step.reconcile:
                self._reconcile(step.reconcile)
            elif step.note is not None:
                self.progress(self.clock.elapsed(), "story", step.note)

    def _reconcile(self, reconcile: Reconcile) -> None:
        document = reconcile.input if reconcile.input is not None else {"mode": reconcile.mode}
        arn = f"arn:aws:states:{HOME}:{MANAGEMENT}:stateMachine:orgdns-ReconcileWorkflow"
        response = self.client("stepfunctions").start_execution(stateMachineArn=arn, input=json.dumps(document))
        self.reconcile_runs.append(response["executionArn"])
        self.progress(self.clock.elapsed(), "operator", f"starts a reconcile: {json.dumps(document)}")

    def _later(self, delay: float, what: str, action: Callable[[], None]) -> None:
        self._pending.append((self.clock.elapsed() + delay, what, action))

    def _close_account(self, name: str) -> None:
        """CloseAccount: the account is PENDING_CLOSURE, and SUSPENDED once closure completes, when
        Organizations emits CloseAccountResult (us-east-1, default bus)."""
        account_id = self.accounts[name]
        self.client("organizations").close_account(AccountId=account_id)
        self.progress(self.clock.elapsed(), name, f"account {account_id} closing (PENDING_CLOSURE)")

        def closed() -> None:
            with self.calls.ignored():
                glue.put_event(MANAGEMENT, HOME, _close_account_result(account_id))
            self.progress(self.clock.elapsed(), name, f"account {account_id} closed (SUSPENDED)")

        self._later(self.scenario.timing.account_closure_seconds, "closure", closed)

    def _delete_records(self, delete: DeleteRecords) -> None:
        account_id = self.accounts[delete.account]
        zone_id = self._zone_id(account_id, delete.zone)
        route53 = self.client("route53", account_id)
        pattern = re.compile("^" + re.escape(delete.name.rstrip(".")).replace(r"\*", "[^.]+") + "$")
        pages = route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id)
        records = [record for page in pages for record in page["ResourceRecordSets"]]
        doomed = [r for r in records if r["Type"] in delete.types and pattern.match(r["Name"].rstrip("."))]
        if doomed:
            route53.change_resource_record_sets(
                HostedZoneId=zone_id,
                ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": r} for r in doomed]},
            )
        names = ", ".join(f"{r['Type']} {r['Name'].rstrip('.')}" for r in doomed) or "nothing"
        self.progress(self.clock.elapsed(), delete.account, f"deletes by hand from {delete.zone}: {names}")

    def _tag_account(self, tag: TagAccount) -> None:
        """Tag or untag an account as an administrator would, in the management account: one
        TagResource and/or one UntagResource call, each recorded by CloudTrail on the management
        account's default bus in us-east-1 (where orgdns's rule reads it)."""
        account_id = self.accounts[tag.account]
        organizations = self.client("organizations")
        events = []
        if tag.tags:
            tags = [{"key": k, "value": v} for k, v in tag.tags.items()]
            organizations.tag_resource(
                ResourceId=account_id, Tags=[{"Key": t["key"], "Value": t["value"]} for t in tags]
            )
            events.append(_organizations_call("TagResource", {"resourceId": account_id, "tags": tags}))
        if tag.remove:
            organizations.untag_resource(ResourceId=account_id, TagKeys=tag.remove)
            events.append(_organizations_call("UntagResource", {"resourceId": account_id, "tagKeys": tag.remove}))
        for event in events:
            for _ in range(tag.deliveries):
                glue.put_event(MANAGEMENT, HOME, event)
        change = " ".join([f"{k}={v}" for k, v in tag.tags.items()] + [f"-{k}" for k in tag.remove])
        self.progress(self.clock.elapsed(), "admin", f"tags account {tag.account}: {change}")

    def _tag_zone(self, tag: TagZone) -> None:
        """Tag a member's zone as its owner would; CloudTrail's event goes to the member's default bus,
        where the baseline's rule (once deployed) forwards it to orgdns's member bus."""
        account_id = self.accounts[tag.account]
        zone_id = self._zone_id(account_id, tag.zone)
        route53 = self.client("route53", account_id)
        args: dict[str, Any] = {"ResourceType": "hostedzone", "ResourceId": zone_id}
        if tag.tags:
            args["AddTags"] = [{"Key": k, "Value": v} for k, v in tag.tags.items()]
        if tag.remove:
            args["RemoveTagKeys"] = tag.remove
        route53.change_tags_for_resource(**args)
        parameters: dict[str, Any] = {"resourceType": "hostedzone", "resourceId": zone_id}
        if tag.tags:
            parameters["addTags"] = [{"key": k, "value": v} for k, v in tag.tags.items()]
        if tag.remove:
            parameters["removeTagKeys"] = tag.remove
        # CloudTrail, in the member account: its rules forward it
        glue.put_event(account_id, HOME, _route53_call(account_id, "ChangeTagsForResource", parameters))
        change = " ".join([f"{k}={v}" for k, v in tag.tags.items()] + [f"-{k}" for k in tag.remove])
        self.progress(self.clock.elapsed(), tag.account, f"tags {tag.zone}: {change}")

    def _delete_custom_domain(self, delete: DeleteCustomDomain) -> None:
        apigateway = self.client("apigateway", self.accounts[delete.account], delete.region)
        try:
            apigateway.delete_domain_name(domainName=delete.domain)
        except apigateway.exceptions.NotFoundException:
            raise KeyError(f"no custom domain {delete.domain} in account {delete.account} ({delete.region})") from None
        self.progress(self.clock.elapsed(), delete.account, f"deletes custom domain {delete.domain} by hand")

    def _delete_zone(self, delete: DeleteZone) -> None:
        account_id = self.accounts[delete.account]
        zone_id = self._zone_id(account_id, delete.zone)
        route53 = self.client("route53", account_id)
        records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        extra = [r for r in records if not (r["Type"] in {"NS", "SOA"} and r["Name"].rstrip(".") == delete.zone)]
        if extra:
            route53.change_resource_record_sets(
                HostedZoneId=zone_id,
                ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": r} for r in extra]},
            )
        route53.delete_hosted_zone(Id=zone_id)
        for _ in range(delete.deliveries):
            glue.put_event(account_id, HOME, _route53_call(account_id, "DeleteHostedZone", {"id": zone_id}))
        lost = "" if delete.deliveries else " (its event is lost)"
        self.progress(self.clock.elapsed(), delete.account, f"deletes hosted zone {delete.zone} ({zone_id}){lost}")

    def _create_account(self, create: CreateAccount) -> None:
        if create.fail:
            event = _create_account_result(None, create.fail)
            self.progress(self.clock.elapsed(), create.name, f"account creation fails: {create.fail}")
        else:
            account_id = self._new_account(create.name, create.email, create.tags, create.id)
            tags = " ".join(f"{k}={v}" for k, v in create.tags.items())
            self.progress(self.clock.elapsed(), create.name, f"account {account_id} created ({tags or 'no tags'})")
            self._later(self.scenario.timing.baseline_seconds, "baseline", lambda: self._deploy_baseline(account_id))
            if create.via == "controltower":
                event = _create_managed_account(account_id, create.name)
            else:
                event = _create_account_result(account_id, None)
        for _ in range(create.deliveries):
            glue.put_event(MANAGEMENT, HOME, event)

    def _zone_id(self, account_id: str, name: str) -> str:
        zones = self.client("route53", account_id).list_hosted_zones_by_name(DNSName=name)["HostedZones"]
        for zone in zones:
            if zone["Name"].rstrip(".") == name:
                return str(zone["Id"]).rsplit("/", 1)[1]
        raise KeyError(f"no hosted zone {name} in account {account_id}")

    def _workflow_arn(self) -> str:
        return f"arn:aws:states:{HOME}:{MANAGEMENT}:stateMachine:orgdns-SubdomainWorkflow"

    def expand(self, value: Any) -> Any:
        """``${account:NAME}`` -> that account's id and ``${zone:ACCOUNT:NAME}`` -> the id of that
        account's hosted zone, anywhere in a JSON value."""
        if isinstance(value, str):
            value = re.sub(r"\$\{account:([^}]+)\}", lambda m: self.accounts[m.group(1)], value)
            with self.calls.ignored():
                return re.sub(
                    r"\$\{zone:([^:}]+):([^}]+)\}",
                    lambda m: self._zone_id(self.accounts[m.group(1)], m.group(2)),
                    value,
                )
        if isinstance(value, list):
            return [self.expand(item) for item in value]
        if isinstance(value, dict):
            return {key: self.expand(item) for key, item in value.items()}
        return value

    # -- observation -------------------------------------------------------------------------

    def _on_invocation(self, invocation: Invocation) -> None:
        from orgdns_local.progress import describe

        self.invocation_counts[invocation.step] += 1
        who, text = describe(invocation, self.progress.names)
        if invocation.step in {"PublishStatus", "ReportReconcile"} and isinstance(invocation.result, dict):
            for message_id in [invocation.result.get("messageId", ""), *invocation.result.get("findingMessageIds", [])]:
                self.status_times[message_id] = invocation.sim_time
        if text:
            self.progress(invocation.sim_time, who, text)

    def kept_statuses(self) -> list[dict[str, Any]]:
        """Statuses SNS would not take, as KeepStatus left them in the status dead-letter queue
        (read in place: nothing is received, nothing hidden)."""
        from moto.sqs.models import sqs_backends

        queue_url = self.wiring.environment_value("ORGDNS_STATUS_DEAD_LETTER_QUEUE_URL")
        if not queue_url:
            return []
        queue = sqs_backends[MANAGEMENT][HOME].queues.get(queue_url.rsplit("/", 1)[1])
        return [json.loads(message.body) for message in list(queue.messages if queue else [])]

    def status_messages(self) -> list[StatusMessage]:
        from moto.sns.models import sns_backends

        topic = sns_backends[MANAGEMENT][HOME].topics.get(self.wiring.topics[0])
        sent = list(topic.sent_notifications if topic else [])
        # The topic's list only grows: each message is decoded once (the driver reads it every tick).
        for message_id, body, subject, attributes, _ in sent[len(self._decoded) :]:
            self._decoded.append(
                (
                    message_id,
                    subject or "",
                    json.loads(body),
                    {k: v.get("Value", v.get("StringValue", "")) for k, v in (attributes or {}).items()},
                )
            )
        return [
            StatusMessage(message_id, self.status_times.get(message_id, 0.0), subject, document, attributes)
            for message_id, subject, document, attributes in self._decoded[: len(sent)]
        ]

    @contextmanager
    def quiet(self) -> Iterator[None]:
        with self.calls.ignored():
            yield


def _create_role(account_id: str, name: str) -> None:
    """A role in an account, straight in moto's IAM (the emulator's own doing, not recorded)."""
    from moto.iam.models import iam_backends

    backend = iam_backends[account_id]["global"]
    if not any(role.name == name for role in backend.roles.values()):
        backend.create_role(
            role_name=name,
            assume_role_policy_document="{}",
            path="/",
            permissions_boundary=None,
            description="",
            tags=[],
            max_session_duration="3600",
            linked_service=None,
        )


def _roots(scenario: Scenario) -> str:
    return str(scenario.parameters.get("RootZones") or " ".join(z.name for z in scenario.management_zones))


def _restore_env(key: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "orgdns local: the handler runs in-process from functions/")
    return buffer.getvalue()


def _create_account_result(account_id: str | None, failure: str | None) -> dict[str, Any]:
    status: dict[str, Any] = {
        "id": f"car-{uuid.uuid4().hex}",
        "state": "FAILED" if failure else "SUCCEEDED",
        "accountName": "****",
        "requestedTimestamp": "Jan 5, 2026 9:00:00 AM",
        "completedTimestamp": "Jan 5, 2026 9:00:03 AM",
    }
    if failure:
        status["failureReason"] = failure
    else:
        status["accountId"] = account_id
    return _organizations_event("CreateAccountResult", {"createAccountStatus": status})


def _route53_call(account_id: str, name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge event CloudTrail makes of a Route 53 API call in ``account_id``."""
    return {
        "id": str(uuid.uuid4()),
        "source": "aws.route53",
        "detail-type": "AWS API Call via CloudTrail",
        "account": account_id,
        "detail": {
            "eventSource": "route53.amazonaws.com",
            "eventName": name,
            "eventType": "AwsApiCall",
            "awsRegion": HOME,
            "recipientAccountId": account_id,
            "requestParameters": parameters,
        },
    }


def _close_account_result(account_id: str) -> dict[str, Any]:
    return _organizations_event(
        "CloseAccountResult", {"closeAccountStatus": {"accountId": account_id, "state": "SUCCEEDED"}}
    )


def _organizations_call(name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge event CloudTrail makes of an Organizations API call by the management
    account's administrator (us-east-1, default bus)."""
    return {
        "id": str(uuid.uuid4()),
        "source": "aws.organizations",
        "detail-type": "AWS API Call via CloudTrail",
        "account": MANAGEMENT,
        "detail": {
            "eventVersion": "1.09",
            "eventSource": "organizations.amazonaws.com",
            "eventName": name,
            "eventType": "AwsApiCall",
            "awsRegion": HOME,
            "recipientAccountId": MANAGEMENT,
            "requestParameters": parameters,
            "responseElements": None,
        },
    }


def _organizations_event(name: str, details: dict[str, Any]) -> dict[str, Any]:
    """An Organizations service event, as EventBridge delivers it in us-east-1."""
    return {
        "id": str(uuid.uuid4()),
        "source": "aws.organizations",
        "detail-type": "AWS Service Event via CloudTrail",
        "detail": {
            "eventSource": "organizations.amazonaws.com",
            "eventName": name,
            "eventType": "AwsServiceEvent",
            "awsRegion": HOME,
            "requestParameters": None,
            "responseElements": None,
            "serviceEventDetails": details,
        },
    }


def _create_managed_account(account_id: str, name: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "source": "aws.controltower",
        "detail-type": "AWS Service Event via CloudTrail",
        "detail": {
            "eventSource": "controltower.amazonaws.com",
            "eventName": "CreateManagedAccount",
            "serviceEventDetails": {
                "createManagedAccountStatus": {
                    "organizationalUnit": {"organizationalUnitName": "Workloads", "organizationalUnitId": "ou-loc-1"},
                    "account": {"accountName": name, "accountId": account_id},
                    "state": "SUCCEEDED",
                    "message": "AWS Control Tower successfully created a managed account.",
                }
            },
        },
    }
