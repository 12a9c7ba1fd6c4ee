"""Checks the state machines behind a SAM template, which `sam validate` and cfn-lint do not read.

For every AWS::Serverless::StateMachine with a DefinitionUri:
- every ${Name} in the ASL has a DefinitionSubstitutions key, and every key is used;
- the rendered definition passes cfn-lint's Step Functions schema (rule E3601);
- every Next/Default/Catch target exists and every state is reachable from StartAt.

Usage: python scripts/check_asl.py template.yaml   (exit 1 with one line per problem)
"""

import json
import re
import sys
from pathlib import Path
from typing import Any

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def load_template(path: Path) -> dict[str, Any]:
    from cfnlint.decode import decode

    template, matches = decode(str(path))
    if matches:
        raise SystemExit("\n".join(str(m) for m in matches))
    return dict(template)


def state_machines(template: dict[str, Any], base: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(resource name, ASL text, DefinitionSubstitutions) for each SAM state machine."""
    found = []
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::StateMachine":
            continue
        props = resource.get("Properties", {})
        uri = props.get("DefinitionUri")
        if isinstance(uri, str):
            found.append((name, (base / uri).read_text(), dict(props.get("DefinitionSubstitutions", {}))))
    return found


def substitution_problems(name: str, text: str, substitutions: dict[str, Any]) -> list[str]:
    used = set(PLACEHOLDER.findall(text))
    keys = set(substitutions)
    return [f"{name}: ${{{k}}} has no DefinitionSubstitutions key" for k in sorted(used - keys)] + [
        f"{name}: DefinitionSubstitutions key {k} is not used in the ASL" for k in sorted(keys - used)
    ]


def render(text: str, substitutions: dict[str, Any]) -> dict[str, Any]:
    """Placeholders become plausible ARNs: the schema check needs strings of the right shape."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        return f"arn:aws:lambda:us-east-1:123456789012:function:{key}"

    return dict(json.loads(PLACEHOLDER.sub(value, text)))


def graph_problems(name: str, definition: dict[str, Any]) -> list[str]:
    problems: list[str] = []

    def walk(states: dict[str, Any], start: str, where: str) -> None:
        if start not in states:
            problems.append(f"{name}{where}: StartAt {start} is not a state")
        edges: dict[str, set[str]] = {}
        for state_name, state in states.items():
            targets = set()
            if "Next" in state:
                targets.add(state["Next"])
            if "Default" in state:
                targets.add(state["Default"])
            for rule in state.get("Choices", []):
                targets.add(rule["Next"])
            for catch in state.get("Catch", []):
                targets.add(catch["Next"])
            for target in targets - set(states):
                problems.append(f"{name}{where}: {state_name} goes to {target}, which is not a state")
            edges[state_name] = targets & set(states)
            ends = state.get("End") or state.get("Type") in {"Succeed", "Fail"}
            if not ends and "Next" not in state and state.get("Type") != "Choice":
                problems.append(f"{name}{where}: {state_name} has neither Next nor End")
            for branch in state.get("Branches", []):
                walk(branch["States"], branch["StartAt"], f"{where}/{state_name}")
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if processor:
                walk(processor["States"], processor["StartAt"], f"{where}/{state_name}")
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current in seen or current not in states:
                continue
            seen.add(current)
            todo.extend(edges.get(current, ()))
        for unreachable in sorted(set(states) - seen):
            problems.append(f"{name}{where}: {unreachable} is unreachable from {start}")

    walk(definition["States"], definition["StartAt"], "")
    return problems


def schema_problems(name: str, definition: dict[str, Any]) -> list[str]:
    from cfnlint.api import lint_all

    synthetic = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            name: {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"RoleArn": "arn:aws:iam::123456789012:role/x", "Definition": definition},
            }
        },
    }
    return [f"{name}: {m.rule.id} {m.message}" for m in lint_all(json.dumps(synthetic)) if m.rule.id.startswith("E")]


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "template.yaml")
    problems: list[str] = []
    machines = state_machines(load_template(path), path.parent)
    for name, text, substitutions in machines:
        problems += substitution_problems(name, text, substitutions)
        definition = render(text, substitutions)
        problems += graph_problems(name, definition)
        problems += schema_problems(name, definition)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"ASL check: {len(machines)} state machine(s), no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
