"""Patch 7: every API call is recorded by account; planned faults are raised instead."""

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from glue_support import ACCOUNT, Glue, client

from orgdns_local.moto_glue import FaultRule

MEMBER = "222222222222"
ROLE = f"arn:aws:iam::{MEMBER}:role/OrganizationAccountAccessRole"


def test_route53_throttling_hits_only_the_first_two_calls(glue: Glue) -> None:
    glue.ctx.faults.add(FaultRule(service="route53", error_code="Throttling", message="Rate exceeded", count=2))
    route53 = client("route53")
    for _ in range(2):
        with pytest.raises(ClientError) as raised:
            route53.list_hosted_zones()
        assert raised.value.response["Error"] == {
            "Code": "Throttling",
            "Message": "Rate exceeded",
            "Type": "Sender",
        }
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    route53.list_hosted_zones()
    assert [c.error_code for c in glue.ctx.calls.calls] == ["Throttling", "Throttling", None]
    assert len(glue.ctx.faults.injected) == 2


def test_assume_role_is_denied_while_the_account_is_new(glue: Glue) -> None:
    glue.ctx.faults.add(
        FaultRule(
            service="sts",
            operation="AssumeRole",
            error_code="AccessDenied",
            message="not authorized to perform: sts:AssumeRole",
            http_status=403,
            after_account_created=300,
        )
    )
    glue.ctx.faults.account_created(MEMBER, glue.clock.elapsed())
    sts = client("sts")
    with pytest.raises(ClientError, match="AccessDenied"):
        sts.assume_role(RoleArn=ROLE, RoleSessionName="early")
    sts.assume_role(RoleArn=ROLE.replace(MEMBER, "333333333333"), RoleSessionName="old-account")
    glue.clock.advance(300)
    sts.assume_role(RoleArn=ROLE, RoleSessionName="later")
    assert [c.target_account_id for c in glue.ctx.calls.calls if c.error_code] == [MEMBER]


def test_calls_are_counted_by_signing_account(glue: Glue) -> None:
    client("route53").list_hosted_zones()
    member_route53 = client("route53", MEMBER)  # assumes a role: one sts call from ACCOUNT
    for name in ("a.example.com", "b.example.com"):
        member_route53.create_hosted_zone(Name=name, CallerReference=name)
    glue.clock.advance(1)
    member_route53.list_hosted_zones()
    assert glue.ctx.calls.summary() == {
        ACCOUNT: {"route53": {"ListHostedZones": 1}, "sts": {"AssumeRole": 1}},
        MEMBER: {"route53": {"CreateHostedZone": 2, "ListHostedZones": 1}},
    }
    assert glue.ctx.calls.per_second_peak("route53") == {ACCOUNT: 1, MEMBER: 2}


def test_the_emulators_own_calls_are_neither_recorded_nor_faulted(glue: Glue) -> None:
    glue.ctx.faults.add(FaultRule(service="route53", error_code="Throttling", message="Rate exceeded"))
    with glue.ctx.calls.ignored():
        glue.function("lists-zones", lambda event: client("route53").list_hosted_zones() and None)
        client("route53").list_hosted_zones()  # passes despite the fault
        client("lambda").invoke(FunctionName="lists-zones")  # the handler's call is the product's
    assert [(c.service, c.error_code) for c in glue.ctx.calls.calls] == [("route53", "Throttling")]


def test_every_session_shares_one_model_loader_and_answers_alike(glue: Glue) -> None:
    """Emulated containers each build a boto3 session; they share botocore's loader (and its cache)."""
    first, second = boto3.Session(), boto3.Session()
    loader = first._session.get_component("data_loader")
    assert second._session.get_component("data_loader") is loader
    a = first.client("route53", region_name="us-east-1")
    b = second.client("route53", region_name="us-east-1")
    assert a.meta.service_model.operation_names == b.meta.service_model.operation_names
    zone = a.create_hosted_zone(Name="shared.example.org", CallerReference="x")["HostedZone"]["Id"]
    assert b.get_hosted_zone(Id=zone)["HostedZone"]["Name"] == "shared.example.org."


def test_sessions_have_their_own_loader_without_the_glue() -> None:
    first, second = boto3.Session(), boto3.Session()
    assert first._session.get_component("data_loader") is not second._session.get_component("data_loader")


def test_clients_of_one_service_share_their_class_and_keep_their_own_account(glue: Glue) -> None:
    """Patch 7c: one botocore client class per service; credentials stay each client's own."""
    mine = boto3.Session().client("route53", region_name="us-east-1")
    member = client("route53", "222222222222")
    assert type(mine) is type(member)
    mine.create_hosted_zone(Name="mine.example.org", CallerReference="m")
    assert [z["Name"] for z in member.list_hosted_zones()["HostedZones"]] == []
    assert [z["Name"] for z in mine.list_hosted_zones()["HostedZones"]] == ["mine.example.org."]


def test_client_classes_are_built_anew_without_the_glue() -> None:
    first = boto3.Session().client("route53", region_name="us-east-1")
    second = boto3.Session().client("route53", region_name="us-east-1")
    assert type(first) is not type(second)


def test_a_model_asked_for_by_many_containers_at_once_is_loaded_once(glue: Glue, tmp_path: Any) -> None:
    """Containers cold-starting together wait for the one load of a model, not each list the
    ~400 service folders (which, every thread runnable, stalled a burst for minutes)."""
    import threading
    from unittest.mock import patch

    import botocore.session
    from botocore.loaders import Loader

    listings: list[object] = []
    original = Loader._potential_locations

    def counted(self: Loader, *args: Any, **kwargs: Any) -> Any:
        listings.append(self)
        return original(self, *args, **kwargs)

    start = threading.Barrier(8)

    def container(loader: Loader) -> None:
        start.wait()
        loader.load_service_model("route53", "service-2")

    with patch.object(Loader, "_potential_locations", counted):
        (tmp_path / "alone").mkdir()
        botocore.session.create_loader(str(tmp_path / "alone")).load_service_model("route53", "service-2")
        alone, listings[:] = len(listings), []
        loader = botocore.session.create_loader(str(tmp_path))  # a new shared loader: nothing cached yet
        threads = [threading.Thread(target=container, args=(loader,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert len(listings) == alone  # as many folder listings as one container alone makes
