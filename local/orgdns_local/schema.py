"""Writes the manual input's JSON Schema (``make schema``); a test keeps the file in step."""

import json
import sys
from pathlib import Path
from typing import Any

from orgdns.request import ManualInput


def manual_input_schema() -> dict[str, Any]:
    schema = ManualInput.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:orgdns:manual-input:1"
    schema["title"] = "orgdns manual input"
    return schema


def render() -> str:
    return json.dumps(manual_input_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "events/manual-input.schema.json")
    target.write_text(render())
    print(f"wrote {target}")
