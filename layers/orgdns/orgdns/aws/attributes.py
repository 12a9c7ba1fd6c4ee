"""DynamoDB's typed attribute values ({"S": ...}, {"N": ...}, {"L": [...]}, {"M": {...}}), written
and read here rather than with boto3's TypeSerializer: the adapters need only botocore, and
importing boto3 (which brings s3transfer) cost every Lambda cold start about a tenth of a second."""

from decimal import Decimal
from typing import Any


def serialize(value: Any) -> dict[str, Any]:
    """The typed value of a str, bool, int, Decimal, None, list or dict (as boto3's TypeSerializer
    writes them; a float is refused, as there)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, Decimal)):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (list, tuple)):
        return {"L": [serialize(item) for item in value]}
    if isinstance(value, dict):
        return {"M": {str(key): serialize(item) for key, item in value.items()}}
    raise TypeError(f"unsupported type for a DynamoDB attribute: {type(value).__name__} ({value!r:.40})")


def deserialize(attribute: dict[str, Any]) -> Any:
    """The plain value of a typed one; a number as an int when it is whole, else a float."""
    ((kind, inner),) = attribute.items()
    if kind == "S":
        return inner
    if kind == "N":
        number = Decimal(inner)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "BOOL":
        return bool(inner)
    if kind == "NULL":
        return None
    if kind == "L":
        return [deserialize(item) for item in inner]
    if kind == "M":
        return {key: deserialize(item) for key, item in inner.items()}
    if kind == "SS":
        return set(inner)
    raise ValueError(f"unsupported DynamoDB attribute type {kind}")
