"""Writes the JSON Schemas of the workflows' manual inputs (``make schema``): the subdomain
workflow's and the reconcile's; a test keeps the files in step."""

import json
import sys
from pathlib import Path
from typing import Any

from orgdns.reconcile.models import ReconcileInput
from orgdns.request import ManualInput


def manual_input_schema() -> dict[str, Any]:
    schema = ManualInput.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:orgdns:manual-input:1"
    schema["title"] = "orgdns manual input"
    return schema


def reconcile_input_schema() -> dict[str, Any]:
    schema = ReconcileInput.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:orgdns:reconcile-input:1"
    schema["title"] = "orgdns reconcile input"
    schema["description"] = (
        "Start the ReconcileWorkflow with it: plan reads only and reports what apply would do; audit (the "
        "schedule's mode) makes safe, additive repairs; apply also changes and deletes what orgdns owns and "
        "no longer needs."
    )
    return schema


def render() -> str:
    return json.dumps(manual_input_schema(), indent=2, sort_keys=True) + "\n"


def render_reconcile() -> str:
    return json.dumps(reconcile_input_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "events/manual-input.schema.json")
    target.write_text(render())
    print(f"wrote {target}")
    reconcile = target.parent / "reconcile-input.schema.json"
    reconcile.write_text(render_reconcile())
    print(f"wrote {reconcile}")
