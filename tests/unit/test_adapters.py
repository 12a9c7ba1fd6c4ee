"""The boto3 adapters against moto: what each one promises the steps that call it."""

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.stub import Stubber
from moto import mock_aws
from moto.sts.models import sts_backends

from orgdns.aws.acm import Acm
from orgdns.aws.apigateway import ApiGateway
from orgdns.aws.clients import CLIENT_CONFIG, Sessions, translate
from orgdns.aws.organizations import Account, Organizations
from orgdns.aws.registry import Registry
from orgdns.aws.route53 import HostedZone, Route53
from orgdns.aws.sns import StatusTopic
from orgdns.errors import (
    ApiThrottling,
    HostedZoneNotFound,
    PriorRequestNotComplete,
    Route53Throttling,
    TransientAwsError,
    UnexpectedAwsAnswer,
    ZoneConflict,
)
from orgdns.models import RecordSpec
from orgdns.settings import Settings
from orgdns_local.moto_glue.route53 import change_batch_rules

MANAGEMENT = "123456789012"  # moto's default account: the credentials below land there
MEMBER = "444455556666"
ZONE = "demo.example.org"
EDGE_ZONE_ID = "Z2FDTNDATAQYW2"


@pytest.fixture
def aws(monkeypatch):
    """moto for every service, with fake credentials so nothing can reach a real account."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    with mock_aws(), change_batch_rules():  # Route 53's rules for a change batch, as the emulator has them
        yield


@pytest.fixture(scope="session")
def client_cache():
    return {}


@pytest.fixture
def client(aws, client_cache):
    """Plain boto3 clients into the management account, made once per session (creating a client
    costs more than most tests); moto intercepts them whenever a mock is active."""

    def make(service, region="us-east-1"):
        key = (service, region)
        if key not in client_cache:
            client_cache[key] = boto3.client(
                service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
        return client_cache[key]

    return make


class CallerReferenceRoute53:
    """moto's Route 53 client with Route 53's CallerReference contract.

    moto 5.2.5 accepts a repeated CallerReference and makes a second zone; Route 53 refuses it
    with HostedZoneAlreadyExists, which is what ``Route53.create_zone`` relies on.
    """

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    def create_hosted_zone(self, **kwargs):
        for zone in self._client.list_hosted_zones()["HostedZones"]:
            if zone["CallerReference"] == kwargs["CallerReference"]:
                raise ClientError(
                    {"Error": {"Code": "HostedZoneAlreadyExists", "Message": "caller reference already used"}},
                    "CreateHostedZone",
                )
        return self._client.create_hosted_zone(**kwargs)


def client_error(code, message="denied", operation="ChangeResourceRecordSets"):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def record(name, rtype, values, ttl=300):
    return RecordSpec(name=name, type=rtype, ttl=ttl, values=values)


@pytest.fixture
def route53_client(client):
    return client("route53")


@pytest.fixture
def zone_id(route53_client):
    response = route53_client.create_hosted_zone(Name=ZONE, CallerReference="setup-demo")
    return response["HostedZone"]["Id"].rsplit("/", 1)[-1]


# --- Route 53 ------------------------------------------------------------------------------------


def test_create_zone_twice_with_one_caller_reference_returns_the_first_zone(route53_client):
    client = CallerReferenceRoute53(route53_client)
    route53 = Route53(client)

    first = route53.create_zone(ZONE, "orgdns-ref-1", "orgdns: request 1")
    second = route53.create_zone(ZONE, "orgdns-ref-1", "orgdns: request 1")

    assert second == first
    assert first == HostedZone(first.hosted_zone_id, ZONE, "orgdns-ref-1", False)
    assert "/" not in first.hosted_zone_id
    zones = client.list_hosted_zones()["HostedZones"]
    assert [z["Id"].rsplit("/", 1)[-1] for z in zones] == [first.hosted_zone_id]


def test_create_zone_refuses_to_guess_when_the_reference_belongs_to_another_name(route53_client):
    client = CallerReferenceRoute53(route53_client)
    route53 = Route53(client)
    route53.create_zone("other.example.org", "orgdns-ref-1", "orgdns: request 1")

    with pytest.raises(ZoneConflict, match="orgdns-ref-1"):
        route53.create_zone(ZONE, "orgdns-ref-1", "orgdns: request 1")
    assert len(client.list_hosted_zones()["HostedZones"]) == 1


def test_find_zones_returns_public_zones_of_exactly_that_name(route53_client):
    public = route53_client.create_hosted_zone(Name=ZONE, CallerReference="public")["HostedZone"]
    route53_client.create_hosted_zone(
        Name=ZONE,
        CallerReference="private",
        HostedZoneConfig={"Comment": "split horizon", "PrivateZone": True},
        VPC={"VPCRegion": "us-east-1", "VPCId": "vpc-12345678"},
    )
    route53_client.create_hosted_zone(Name="example.org", CallerReference="root")
    route53_client.create_hosted_zone(Name=f"staging.{ZONE}", CallerReference="child")

    found = Route53(route53_client).find_zones(ZONE)

    assert found == [HostedZone(public["Id"].rsplit("/", 1)[-1], ZONE, "public", False)]


def test_find_zones_stops_at_the_first_other_name_in_route53_order(aws):
    # Route 53 lists zones from DNSName onwards (moto filters by name instead), so children and
    # later names follow the requested one in the same page.
    client = boto3.client("route53", region_name="us-east-1")
    page = {
        "HostedZones": [
            {"Id": "/hostedzone/ZPUBLIC", "Name": f"{ZONE}.", "CallerReference": "a", "Config": {"PrivateZone": False}},
            {"Id": "/hostedzone/ZPRIVATE", "Name": f"{ZONE}.", "CallerReference": "b", "Config": {"PrivateZone": True}},
            {
                "Id": "/hostedzone/ZCHILD",
                "Name": f"x.{ZONE}.",
                "CallerReference": "c",
                "Config": {"PrivateZone": False},
            },
            {"Id": "/hostedzone/ZLATER", "Name": f"{ZONE}.", "CallerReference": "d", "Config": {"PrivateZone": False}},
        ],
        "IsTruncated": False,
        "MaxItems": "100",
    }
    with Stubber(client) as stub:
        stub.add_response("list_hosted_zones_by_name", page, {"DNSName": f"{ZONE}.", "MaxItems": "100"})
        found = Route53(client).find_zones(ZONE)

    assert [z.hosted_zone_id for z in found] == ["ZPUBLIC"]


def test_name_servers_of_a_zone_without_trailing_dots(route53_client, zone_id):
    servers = Route53(route53_client).name_servers(zone_id)

    assert servers
    assert all(not ns.endswith(".") for ns in servers)
    listed = route53_client.get_hosted_zone(Id=zone_id)["DelegationSet"]["NameServers"]
    assert servers == [ns.rstrip(".").lower() for ns in listed]


def test_name_servers_of_a_missing_zone_is_none(route53_client, zone_id):
    assert Route53(route53_client).name_servers("Z0000000000000000MISSING") is None


def test_records_at_a_missing_zone_is_hosted_zone_not_found(route53_client, zone_id):
    with pytest.raises(HostedZoneNotFound):
        Route53(route53_client).records_at("Z0000000000000000MISSING", "x.example.org")


def test_records_at_returns_every_type_at_that_name_and_nothing_else(route53_client, zone_id):
    route53 = Route53(route53_client)
    route53.change(
        zone_id,
        [
            ("UPSERT", record(f"www.{ZONE}", "A", ["192.0.2.10"])),
            ("UPSERT", record(f"www.{ZONE}", "TXT", ['"hello"'])),
            ("UPSERT", record(f"www-2.{ZONE}", "A", ["192.0.2.20"])),  # sibling, sorts right after
            ("UPSERT", record(f"api.{ZONE}", "A", ["192.0.2.30"])),  # sibling, sorts before
            ("UPSERT", record(f"x.www.{ZONE}", "A", ["192.0.2.40"])),  # child
        ],
        "test records",
    )

    found = route53.records_at(zone_id, f"www.{ZONE}")

    assert sorted((r.name, r.type, tuple(r.values)) for r in found) == [
        (f"www.{ZONE}", "A", ("192.0.2.10",)),
        (f"www.{ZONE}", "TXT", ('"hello"',)),
    ]


def test_records_at_a_name_without_records_is_empty(route53_client, zone_id):
    assert Route53(route53_client).records_at(zone_id, f"nothing.{ZONE}") == []


def test_change_upsert_then_delete_round_trip(route53_client, zone_id):
    route53 = Route53(route53_client)
    delegation = record(f"staging.{ZONE}", "NS", ["ns-1.example.net", "ns-2.example.net"], ttl=60)

    change_id = route53.change(zone_id, [("UPSERT", delegation)], "delegate staging")
    read = route53.records_at(zone_id, f"staging.{ZONE}")

    assert change_id
    assert "/" not in change_id
    assert [(r.type, r.ttl, sorted(r.values), r.alias_target) for r in read] == [
        ("NS", 60, ["ns-1.example.net", "ns-2.example.net"], None)
    ]
    raw = route53_client.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=f"staging.{ZONE}.")
    written = raw["ResourceRecordSets"][0]
    assert sorted(v["Value"] for v in written["ResourceRecords"]) == ["ns-1.example.net.", "ns-2.example.net."]

    route53.change(zone_id, [("DELETE", read[0])], "release staging")

    assert route53.records_at(zone_id, f"staging.{ZONE}") == []


def test_values_are_read_without_trailing_dots_for_ns_and_cname_only(route53_client, zone_id):
    route53_client.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": f"_abc.{ZONE}.",
                        "Type": "CNAME",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": "_XYZ.Acm-Validations.aws."}],
                    },
                },
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": f"txt.{ZONE}.",
                        "Type": "TXT",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": '"ends with a dot."'}],
                    },
                },
            ]
        },
    )
    route53 = Route53(route53_client)

    assert [r.values for r in route53.records_at(zone_id, f"_abc.{ZONE}")] == [["_xyz.acm-validations.aws"]]
    assert [r.values for r in route53.records_at(zone_id, f"txt.{ZONE}")] == [['"ends with a dot."']]


def test_alias_records_round_trip_as_zone_id_and_dns_name(route53_client, zone_id):
    route53 = Route53(route53_client)
    alias = RecordSpec(name=ZONE, type="A", alias_target=f"{EDGE_ZONE_ID}/d111111abcdef8.cloudfront.net")

    route53.change(zone_id, [("UPSERT", alias)], "custom domain")
    read = [r for r in route53.records_at(zone_id, ZONE) if r.type == "A"]

    assert [(r.alias_target, r.values, r.ttl) for r in read] == [
        (f"{EDGE_ZONE_ID}/d111111abcdef8.cloudfront.net", [], None)
    ]
    raw = route53_client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    target = next(r["AliasTarget"] for r in raw if r["Type"] == "A")
    assert target["HostedZoneId"] == EDGE_ZONE_ID
    assert target["DNSName"].rstrip(".") == "d111111abcdef8.cloudfront.net"


def test_change_in_sync_reports_route53_status(route53_client, zone_id):
    route53 = Route53(route53_client)
    change_id = route53.change(zone_id, [("UPSERT", record(f"a.{ZONE}", "A", ["192.0.2.1"]))], "a record")
    # moto applies changes at once: INSYNC
    assert route53.change_in_sync(change_id) is True


# --- errors --------------------------------------------------------------------------------------


def test_route53_throttling_becomes_route53_throttling():
    assert isinstance(translate(client_error("Throttling", "Rate exceeded"), "route53"), Route53Throttling)


def test_other_services_throttling_becomes_api_throttling():
    translated = translate(client_error("ThrottlingException", "slow down", "RequestCertificate"), "acm")
    assert isinstance(translated, ApiThrottling)
    assert "acm" in str(translated)


def test_rate_exceeded_message_is_throttling_whatever_the_code():
    assert isinstance(translate(client_error("SomethingElse", "Rate exceeded"), "route53"), Route53Throttling)


def test_prior_request_not_complete_keeps_its_name():
    translated = translate(client_error("PriorRequestNotComplete", "still applying"), "route53")
    assert isinstance(translated, PriorRequestNotComplete)
    assert "still applying" in str(translated)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("InternalFailure", 500),
        ("InternalError", 500),
        ("InternalServerError", 500),
        ("ServiceUnavailable", 503),
        ("TransactionConflict", 400),
        ("TransactionConflictException", 400),
        ("SomethingNew", 502),  # any HTTP 5xx, whatever its code
    ],
)
def test_server_side_failures_become_one_transient_error(code, status):
    error = ClientError(
        {"Error": {"Code": code, "Message": "try later"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutItem"
    )
    translated = translate(error, "dynamodb")
    assert type(translated) is TransientAwsError
    assert code in str(translated) or str(status) in str(translated)


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "RequestLimitExceeded", "ThrottlingException"]
)
def test_dynamodb_capacity_errors_are_throttling(code):
    assert type(translate(client_error(code, "capacity", "PutItem"), "dynamodb")) is ApiThrottling


@pytest.mark.parametrize(
    "failure",
    [
        ConnectTimeoutError(endpoint_url="https://route53.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://route53.amazonaws.com"),
        EndpointConnectionError(endpoint_url="https://route53.amazonaws.com"),
        ConnectionClosedError(endpoint_url="https://route53.amazonaws.com"),
    ],
    ids=type,
)
def test_connection_and_read_timeouts_are_transient_in_every_adapter(aws, failure):
    def fail(**_):
        raise failure

    calls = {
        "route53": lambda c: Route53(c).find_zones(ZONE),
        "acm": lambda c: Acm(c).live_certificates(),
        "organizations": lambda c: Organizations(c).account(MEMBER),
        "dynamodb": lambda c: Registry(c, "orgdns-registry").all(),
        "sns": lambda c: StatusTopic(c, "arn:aws:sns:us-east-1:123456789012:t").publish({}, {}, "s"),
        "apigateway": lambda c: ApiGateway(c).get(ZONE),
    }
    for service, call in calls.items():
        service_client = boto3.client(service, region_name="us-east-1", config=CLIENT_CONFIG)
        service_client.meta.events.register("before-send", fail)
        with pytest.raises(TransientAwsError, match=type(failure).__name__):
            call(service_client)


def test_access_denied_stays_the_client_error():
    original = client_error("AccessDenied", "not allowed")
    assert translate(original, "route53") is original


@pytest.mark.parametrize(
    ("code", "raised"),
    [
        ("Throttling", Route53Throttling),
        ("PriorRequestNotComplete", PriorRequestNotComplete),
        ("AccessDenied", ClientError),
    ],
)
def test_route53_adapter_raises_translated_errors(aws, code, raised):
    client = boto3.client("route53", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("change_resource_record_sets", service_error_code=code, service_message="no")
        with pytest.raises(raised) as caught:
            Route53(client).change("ZONE1", [("UPSERT", record(f"a.{ZONE}", "A", ["192.0.2.1"]))], "x")
    assert type(caught.value) is raised


# --- ACM -----------------------------------------------------------------------------------------


@pytest.fixture
def acm_client(client):
    return client("acm", "eu-west-1")


def test_request_with_one_idempotency_token_returns_one_certificate(acm_client):
    acm = Acm(acm_client)

    first = acm.request(ZONE, [f"*.{ZONE}"], "token-1")
    second = acm.request(ZONE, [f"*.{ZONE}"], "token-1")
    other = acm.request(ZONE, [f"*.{ZONE}"], "token-2")

    assert second == first
    assert other != first
    assert sorted(arn for arn, _, _ in acm.live_certificates()) == sorted([first, other])


def test_request_asks_for_dns_validation_and_tags_the_certificate(acm_client):
    arn = Acm(acm_client).request(ZONE, [f"*.{ZONE}"], "token-1")

    tags = acm_client.list_tags_for_certificate(CertificateArn=arn)["Tags"]
    assert {"Key": "orgdns:managed", "Value": "true"} in tags
    options = acm_client.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]
    assert {o["ValidationMethod"] for o in options} == {"DNS"}


def test_live_certificates_lists_pending_validation_ones(acm_client):
    acm = Acm(acm_client)
    arn = acm.request(ZONE, [f"*.{ZONE}"], "token-1")

    assert acm.live_certificates() == [(arn, ZONE, "PENDING_VALIDATION")]


def test_request_without_alternative_names_requests_a_single_name_certificate(acm_client):
    acm = Acm(acm_client)
    arn = acm.request(ZONE, [], "token-1")

    assert acm.describe(arn).names == {ZONE}


def test_live_certificates_of_an_empty_region_is_empty(acm_client):
    assert Acm(acm_client).live_certificates() == []


def test_describe_returns_names_status_and_validation_records(acm_client):
    acm = Acm(acm_client)
    arn = acm.request(ZONE, [f"*.{ZONE}", "api.example.net"], "token-1")

    certificate = acm.describe(arn)

    assert certificate.arn == arn
    assert certificate.status == "PENDING_VALIDATION"
    assert certificate.names == {ZONE, f"*.{ZONE}", "api.example.net"}
    assert certificate.failure_reason is None
    assert {o.domain_name for o in certificate.options} == {ZONE, f"*.{ZONE}", "api.example.net"}
    for option in certificate.options:
        assert option.status == "PENDING_VALIDATION"
        assert option.record_name and not option.record_name.endswith(".")
        assert option.record_value and not option.record_value.endswith(".")
        assert option.record_name.endswith(option.domain_name.removeprefix("*."))


def test_describe_before_acm_has_made_the_record_gives_no_record(aws):
    client = boto3.client("acm", region_name="us-east-1")
    detail = {
        "Certificate": {
            "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1",
            "DomainName": ZONE,
            "Status": "PENDING_VALIDATION",
            "DomainValidationOptions": [{"DomainName": ZONE, "ValidationStatus": "PENDING_VALIDATION"}],
        }
    }
    with Stubber(client) as stub:
        stub.add_response("describe_certificate", detail)
        certificate = Acm(client).describe("arn:aws:acm:us-east-1:123456789012:certificate/1")

    assert [(o.record_name, o.record_value) for o in certificate.options] == [(None, None)]


# --- Organizations -------------------------------------------------------------------------------


def test_account_returns_name_status_and_tags(client):
    organizations = client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    created = organizations.create_account(
        AccountName="staging",
        Email="staging@example.org",
        Tags=[{"Key": "orgdns:subdomain", "Value": f"staging.{ZONE}"}, {"Key": "team", "Value": "web"}],
    )
    account_id = created["CreateAccountStatus"]["AccountId"]

    assert Organizations(organizations).account(account_id) == Account(
        account_id, "staging", "ACTIVE", {"orgdns:subdomain": f"staging.{ZONE}", "team": "web"}
    )


def test_account_not_in_the_organization_is_none(client):
    organizations = client("organizations")
    organizations.create_organization(FeatureSet="ALL")

    assert Organizations(organizations).account("999999999999") is None


def _described(client, account):
    """An Organizations client that answers DescribeAccount with ``account`` and no tags."""
    stub = Stubber(client)
    stub.add_response("describe_account", {"Account": {"Id": MEMBER, "Name": "staging", **account}})
    stub.add_response("list_tags_for_resource", {"Tags": []})
    return stub


@pytest.mark.parametrize(
    ("answer", "state"),
    [
        ({"State": "ACTIVE"}, "ACTIVE"),
        ({"State": "PENDING_ACTIVATION"}, "PENDING_ACTIVATION"),
        ({"State": "PENDING_CLOSURE"}, "PENDING_CLOSURE"),
        ({"State": "CLOSED"}, "CLOSED"),
        # State is what AWS answers today: an older Status beside it is ignored
        ({"State": "SUSPENDED", "Status": "ACTIVE"}, "SUSPENDED"),
        ({"Status": "SUSPENDED"}, "SUSPENDED"),  # an older answer without State
    ],
)
def test_account_state_comes_from_state_then_from_the_retired_status(aws, answer, state):
    client = boto3.client("organizations", region_name="us-east-1")
    with _described(client, answer):
        assert Organizations(client).account(MEMBER).state == state


@pytest.mark.parametrize("answer", [{}, {"State": "ARCHIVED"}, {"Status": ""}])
def test_an_account_without_a_known_state_is_an_error_never_active(aws, answer):
    client = boto3.client("organizations", region_name="us-east-1")
    with _described(client, answer), pytest.raises(UnexpectedAwsAnswer, match="will not guess"):
        Organizations(client).account(MEMBER)


def test_account_lookup_throttled_is_api_throttling(aws):
    client = boto3.client("organizations", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("describe_account", service_error_code="TooManyRequestsException")
        with pytest.raises(ApiThrottling):
            Organizations(client).account(MEMBER)


def test_accounts_pages_to_the_end_through_empty_pages(aws):
    """ListAccounts pages hold at most 20 accounts and may come back empty with a NextToken."""
    client = boto3.client("organizations", region_name="us-east-1")
    entry = {"Arn": "arn", "Email": "a@example.org", "JoinedMethod": "CREATED"}
    with Stubber(client) as stub:
        stub.add_response(
            "list_accounts", {"Accounts": [{**entry, "Id": MEMBER, "Name": "a", "State": "ACTIVE"}], "NextToken": "t1"}
        )
        stub.add_response("list_accounts", {"Accounts": [], "NextToken": "t2"}, {"NextToken": "t1"})
        stub.add_response(
            "list_accounts",
            {"Accounts": [{**entry, "Id": "777788889999", "Name": "b", "State": "SUSPENDED"}]},
            {"NextToken": "t2"},
        )
        assert Organizations(client).accounts() == [(MEMBER, "a", "ACTIVE"), ("777788889999", "b", "SUSPENDED")]


def test_public_zones_lists_every_page_and_leaves_private_zones_out(route53_client):
    for i in range(230):
        route53_client.create_hosted_zone(Name=f"z{i:03d}.example.org", CallerReference=f"z{i}")
    route53_client.create_hosted_zone(
        Name="private.example.org",
        CallerReference="p",
        VPC={"VPCRegion": "us-east-1", "VPCId": "vpc-1"},
        HostedZoneConfig={"PrivateZone": True},
    )
    zones = Route53(route53_client).public_zones()
    assert len(zones) == 230 and "private.example.org" not in {z.name for z in zones}
    assert {z.name for z in zones} == {f"z{i:03d}.example.org" for i in range(230)}


def test_all_records_reads_every_page_of_a_large_zone(route53_client, zone_id):
    route53 = Route53(route53_client)
    names = [f"n{i:04d}.{ZONE}" for i in range(700)]
    for start in range(0, 700, 100):
        route53.change(zone_id, [("UPSERT", record(n, "A", ["192.0.2.1"])) for n in names[start : start + 100]], "x")
    found = route53.all_records(zone_id)
    assert {r.name for r in found if r.type == "A"} == set(names)
    assert {r.type for r in found if r.name == ZONE} == {"NS", "SOA"}
    with pytest.raises(HostedZoneNotFound):
        route53.all_records("ZNOSUCHZONE")


# --- Sessions ------------------------------------------------------------------------------------


@pytest.fixture
def sessions(aws):
    settings = Settings(
        management_account_id=MANAGEMENT,
        home_region="us-east-1",
        registry_table="orgdns-registry",
        rate_limit_table="orgdns-rate-limit",
        status_topic_arn=f"arn:aws:sns:us-east-1:{MANAGEMENT}:orgdns-status",
        member_role_name="OrgDnsMemberRole",
    )
    return Sessions(settings)


def assumed_client(sts, service, account_id):
    """A client into ``account_id`` made without orgdns, to look at what orgdns did there."""
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/Inspector", RoleSessionName="test")["Credentials"]
    return boto3.client(
        service,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def assume_role_calls(account_id):
    """(role, session name) of every AssumeRole into ``account_id``, as moto's STS recorded them."""
    return [(a.role_arn.rsplit("/", 1)[-1], a.session_name) for a in sts_backends[account_id]["aws"].assumed_roles]


def test_management_account_uses_the_functions_own_credentials(sessions):
    identity = sessions.client("sts", MANAGEMENT).get_caller_identity()
    sessions.home_client("dynamodb").list_tables()

    assert identity["Account"] == MANAGEMENT
    assert ":assumed-role/" not in identity["Arn"]
    assert assume_role_calls(MANAGEMENT) == []


def test_member_account_is_entered_through_the_member_role(sessions):
    identity = sessions.client("sts", MEMBER).get_caller_identity()

    assert identity["Account"] == MEMBER
    assert identity["Arn"] == f"arn:aws:sts::{MEMBER}:assumed-role/OrgDnsMemberRole/orgdns"
    assert assume_role_calls(MEMBER) == [("OrgDnsMemberRole", "orgdns")]


def test_member_session_is_named_after_the_execution(sessions):
    sessions.set_session_name("evt-6f2a1c9e/run 1")

    identity = sessions.client("sts", MEMBER).get_caller_identity()

    assert identity["Arn"].endswith("/OrgDnsMemberRole/evt-6f2a1c9e-run-1")


def test_member_role_is_assumed_once_for_many_clients(sessions):
    sessions.client("route53", MEMBER, "us-east-1").list_hosted_zones()
    sessions.client("acm", MEMBER, "eu-west-1").list_certificates()
    sessions.client("route53", MEMBER, "us-east-1").list_hosted_zones()

    assert assume_role_calls(MEMBER) == [("OrgDnsMemberRole", "orgdns")]


def test_a_new_execution_name_assumes_the_role_again_under_that_name(sessions):
    sessions.client("route53", MEMBER).list_hosted_zones()
    sessions.set_session_name("run-2")

    identity = sessions.client("sts", MEMBER).get_caller_identity()

    assert identity["Arn"].endswith("/OrgDnsMemberRole/run-2")
    assert assume_role_calls(MEMBER) == [("OrgDnsMemberRole", "orgdns"), ("OrgDnsMemberRole", "run-2")]


def test_calls_through_a_member_session_land_in_the_member_account(sessions, client):
    member_route53 = Route53(sessions.client("route53", MEMBER, "us-east-1"))
    zone = member_route53.create_zone(ZONE, "orgdns-ref-member", "orgdns: member")

    in_member = assumed_client(client("sts"), "route53", MEMBER).list_hosted_zones()["HostedZones"]
    in_management = client("route53").list_hosted_zones()["HostedZones"]
    assert [z["Id"].rsplit("/", 1)[-1] for z in in_member] == [zone.hosted_zone_id]
    assert in_management == []


def test_a_one_character_execution_name_still_enters_the_member_account(sessions):
    sessions.set_session_name("x")

    identity = sessions.client("sts", MEMBER).get_caller_identity()

    assert identity["Account"] == MEMBER


def test_acm_certificates_lists_every_key_type_and_describes_one_with_more_names_than_its_summary():
    """ListCertificates answers only RSA_1024 and RSA_2048 certificates unless asked for the others,
    and a summary holds at most 100 names: a certificate that names more is described."""
    from orgdns.aws.acm import KEY_TYPES

    client = boto3.client("acm", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    many = [f"n{i}.example.org" for i in range(120)]
    with Stubber(client) as stub:
        stub.add_response(
            "list_certificates",
            {
                "CertificateSummaryList": [
                    {"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/ec", "DomainName": "EC.example.org",
                     "SubjectAlternativeNameSummaries": ["ec.example.org"], "Status": "ISSUED", "InUse": True},
                    {"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/big", "DomainName": "n0.example.org",
                     "SubjectAlternativeNameSummaries": many[:100], "HasAdditionalSubjectAlternativeNames": True,
                     "Status": "ISSUED"},
                ]
            },
            {"Includes": {"keyTypes": KEY_TYPES}},
        )  # fmt: skip
        stub.add_response(
            "describe_certificate",
            {"Certificate": {"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/big", "DomainName": "n0.example.org",
                             "SubjectAlternativeNames": many, "Status": "ISSUED"}},
            {"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/big"},
        )  # fmt: skip
        listed = {summary.arn.rsplit("/", 1)[1]: summary for summary in Acm(client).certificates()}
    assert listed["ec"].names == {"ec.example.org"} and listed["ec"].in_use
    assert listed["big"].names == set(many) and listed["big"].complete


def test_acm_in_a_region_the_account_has_not_enabled_holds_no_certificates_and_other_errors_pass():
    client = boto3.client("acm", region_name="af-south-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("list_certificates", "UnrecognizedClientException", "The security token is invalid")
        stub.add_client_error("list_certificates", "AccessDeniedException", "not allowed")
        assert Acm(client).certificates_if_enabled() is None
        with pytest.raises(ClientError):
            Acm(client).certificates_if_enabled()
