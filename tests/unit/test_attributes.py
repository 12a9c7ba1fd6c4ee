"""DynamoDB attribute values without boto3: what boto3's TypeSerializer/TypeDeserializer wrote and
read for the registry's items, so items written before read the same."""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from orgdns.aws.attributes import deserialize, serialize

VALUES = [
    "dev.example.org",
    "",
    60,
    0,
    True,
    False,
    None,
    ["a", 1, None],
    {"records": [{"name": "x", "ttl": 300, "values": ["ns-1.awsdns-01.org"]}], "selfService": False},
]


@pytest.mark.parametrize("value", VALUES)
def test_written_as_boto3_writes_it(value):
    assert serialize(value) == TypeSerializer().serialize(value)


@pytest.mark.parametrize("value", VALUES)
def test_read_back_as_it_was_written(value):
    assert deserialize(TypeSerializer().serialize(value)) == value


def test_a_number_comes_back_whole_or_fractional():
    assert deserialize({"N": "172800"}) == 172800 and isinstance(deserialize({"N": "172800"}), int)
    assert deserialize({"N": "1.5"}) == 1.5
    assert TypeDeserializer().deserialize({"N": "1.5"}) == Decimal("1.5")  # boto3 kept a Decimal


def test_a_float_is_refused_as_boto3_refuses_it():
    with pytest.raises(TypeError):
        serialize(1.5)
