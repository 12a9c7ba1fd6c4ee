"""template.yaml -> the wiring the emulator builds: functions, state machines, rules, topic, table.

Intrinsic functions are resolved against the scenario's parameter values and the emulator's
resource identities, so the emulated control plane cannot drift from what SAM deploys.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_yaml(path: Path) -> dict[str, Any]:
    return dict(yaml.load(path.read_text(), Loader=_CfnLoader))  # noqa: S506 - SafeLoader subclass


@dataclass
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, str]
    timeout: int
    memory: int
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    reserved_concurrency: int | None = None  # ReservedConcurrentExecutions
    dead_letter_queue: str | None = None  # DeadLetterQueue.TargetArn: asynchronous invocations that failed


@dataclass
class StateMachineSpec:
    logical_id: str
    definition: str
    state_machine_type: str


@dataclass
class Wiring:
    root: Path
    parameters: dict[str, str]
    functions: dict[str, FunctionSpec]
    state_machines: dict[str, StateMachineSpec]
    tables: dict[str, dict[str, Any]]
    topics: list[str]
    queues: list[str]
    buses: list[str] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)  # plain AWS::Events::Rule resources
    queue_properties: dict[str, dict[str, Any]] = field(default_factory=dict)  # queue URL -> resolved Properties
    buckets: dict[str, dict[str, Any]] = field(default_factory=dict)  # bucket name -> resolved Properties

    def environment_value(self, name: str) -> str | None:
        """A variable every function gets (Globals), e.g. the status dead-letter queue's URL."""
        values = {spec.environment.get(name) for spec in self.functions.values()}
        return values.pop() if len(values) == 1 else None


class Resolver:
    """Resolves Ref / GetAtt / Sub given parameters and each resource's name and ARN."""

    def __init__(self, parameters: dict[str, str], pseudo: dict[str, str], names: dict[str, str], arns: dict[str, str]):
        self.parameters, self.pseudo, self.names, self.arns = parameters, pseudo, names, arns

    def ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.names:
            return self.names[name]
        raise KeyError(f"template: cannot resolve Ref {name}")

    def get_att(self, resource: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arns[resource]
        if attribute == "Name":
            return self.names.get(resource + ".Name", self.names[resource])
        raise KeyError(f"template: unsupported GetAtt {resource}.{attribute}")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Ref"}:
                return self.ref(value["Ref"])
            if set(value) == {"Fn::GetAtt"}:
                resource, attribute = value["Fn::GetAtt"]
                return self.get_att(resource, attribute)
            if set(value) == {"Fn::Sub"}:
                return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1)), value["Fn::Sub"])
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def _sub(self, expression: str) -> str:
        if "." in expression and not expression.startswith("AWS::"):
            resource, attribute = expression.split(".", 1)
            return self.get_att(resource, attribute)
        return str(self.ref(expression))


def parameter_values(template: dict[str, Any], overrides: dict[str, Any]) -> dict[str, str]:
    values = {}
    for name, spec in template.get("Parameters", {}).items():
        if name in overrides:
            values[name] = str(overrides[name])
        elif "Default" in spec:
            values[name] = str(spec["Default"])
        else:
            raise ValueError(f"template parameter {name} has no default: give it in the scenario's parameters")
    unknown = set(overrides) - set(values)
    if unknown:
        raise ValueError(f"unknown template parameter(s): {', '.join(sorted(unknown))}")
    return values


def resource_identities(
    template: dict[str, Any], account_id: str, region: str, stack: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The physical name and ARN each resource gets in the emulated management account."""
    names, arns = {}, {}
    for logical, resource in template["Resources"].items():
        kind = resource["Type"]
        name = f"{stack}-{logical}"
        if kind == "AWS::Serverless::Function":
            names[logical], arns[logical] = name, f"arn:aws:lambda:{region}:{account_id}:function:{name}"
        elif kind == "AWS::Serverless::StateMachine":
            arn = f"arn:aws:states:{region}:{account_id}:stateMachine:{name}"
            names[logical], arns[logical] = arn, arn
            names[logical + ".Name"] = name
        elif kind == "AWS::DynamoDB::Table":
            names[logical], arns[logical] = name, f"arn:aws:dynamodb:{region}:{account_id}:table/{name}"
        elif kind == "AWS::SNS::Topic":
            arn = f"arn:aws:sns:{region}:{account_id}:{name}"
            names[logical], arns[logical] = arn, arn
        elif kind == "AWS::SQS::Queue":
            names[logical] = f"https://sqs.{region}.amazonaws.com/{account_id}/{name}"
            arns[logical] = f"arn:aws:sqs:{region}:{account_id}:{name}"
        elif kind == "AWS::S3::Bucket":  # bucket names are lowercase, and global
            names[logical] = f"{name.lower()}-{account_id}"
            arns[logical] = f"arn:aws:s3:::{names[logical]}"
        else:
            names[logical], arns[logical] = name, f"arn:aws:{kind.split('::')[1].lower()}:{region}:{account_id}:{name}"
    return names, arns


def load_wiring(template_path: Path, overrides: dict[str, Any], account_id: str, region: str) -> Wiring:
    template = load_yaml(template_path)
    root = template_path.parent
    stack = "orgdns"
    parameters = parameter_values(template, overrides)
    names, arns = resource_identities(template, account_id, region, stack)
    pseudo = {
        "AWS::AccountId": account_id,
        "AWS::Region": region,
        "AWS::Partition": "aws",
        "AWS::StackName": stack,
        "AWS::URLSuffix": "amazonaws.com",
    }
    resolver = Resolver(parameters, pseudo, names, arns)
    for logical, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Events::EventBus":  # named by its own Name property
            names[logical] = str(resolver.resolve(resource["Properties"]["Name"]))
            arns[logical] = f"arn:aws:events:{region}:{account_id}:event-bus/{names[logical]}"
    buses: list[str] = []
    rules: list[dict[str, Any]] = []
    globals_fn = template.get("Globals", {}).get("Function", {})
    functions, machines, tables, topics, queues = {}, {}, {}, [], []
    queue_properties: dict[str, dict[str, Any]] = {}
    buckets: dict[str, dict[str, Any]] = {}
    for logical, resource in template["Resources"].items():
        kind, props = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::Serverless::Function":
            env = dict(resolver.resolve(globals_fn.get("Environment", {}).get("Variables", {})))
            env.update(resolver.resolve(props.get("Environment", {}).get("Variables", {})))
            functions[logical] = FunctionSpec(
                logical_id=logical,
                code_uri=root / props["CodeUri"],
                handler=props.get("Handler", globals_fn.get("Handler", "")),
                environment={key: str(value) for key, value in env.items()},
                timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
                memory=int(props.get("MemorySize", globals_fn.get("MemorySize", 128))),
                events=resolver.resolve(props.get("Events", {})),
                reserved_concurrency=_optional_int(
                    resolver.resolve(
                        props.get("ReservedConcurrentExecutions", globals_fn.get("ReservedConcurrentExecutions"))
                    )
                ),
                dead_letter_queue=resolver.resolve((props.get("DeadLetterQueue") or {}).get("TargetArn")),
            )
        elif kind == "AWS::Serverless::StateMachine":
            text = (root / props["DefinitionUri"]).read_text()
            substitutions = resolver.resolve(props.get("DefinitionSubstitutions", {}))
            for key, value in substitutions.items():
                text = text.replace("${" + key + "}", str(value))
            machines[logical] = StateMachineSpec(logical, text, props.get("Type", "STANDARD"))
        elif kind == "AWS::DynamoDB::Table":
            tables[names[logical]] = props
        elif kind == "AWS::SNS::Topic":
            topics.append(names[logical])
        elif kind == "AWS::SQS::Queue":
            queues.append(names[logical])
            queue_properties[names[logical]] = resolver.resolve(props)
        elif kind == "AWS::Events::EventBus":
            buses.append(names[logical])
        elif kind == "AWS::S3::Bucket":
            buckets[names[logical]] = resolver.resolve(props)
        elif kind == "AWS::Events::Rule":
            rules.append(
                {
                    "name": names[logical],
                    "bus": props.get("EventBusName", "default"),
                    "pattern": props["EventPattern"],
                    "targets": [resolver.resolve(target["Arn"]) for target in props.get("Targets", [])],
                }
            )
    return Wiring(
        root, parameters, functions, machines, tables, topics, queues, buses, rules, queue_properties, buckets
    )


def queue_attributes(props: dict[str, Any]) -> dict[str, str]:
    """CreateQueue's Attributes for an AWS::SQS::Queue's (resolved) properties."""
    attributes: dict[str, str] = {}
    for name in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
        if name in props:
            attributes[name] = str(props[name])
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
    return attributes


def table_arguments(props: dict[str, Any]) -> dict[str, Any]:
    """CreateTable's arguments for an AWS::DynamoDB::Table's properties (keys and indexes)."""
    arguments: dict[str, Any] = {
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        arguments["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return arguments


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
