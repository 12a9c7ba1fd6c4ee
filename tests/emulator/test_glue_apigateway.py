"""Patch 6: API Gateway v1 custom domains become AVAILABLE only after a while."""

from glue_support import Glue, client

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/abc"


def test_an_edge_domain_is_pending_for_forty_minutes(glue: Glue) -> None:
    apigw = client("apigateway")
    created = apigw.create_domain_name(domainName="api.example.com", certificateArn=CERTIFICATE)
    assert created["domainNameStatus"] == "PENDING"
    assert created["distributionHostedZoneId"] == "Z2FDTNDATAQYW2"
    assert created["distributionDomainName"].endswith(".cloudfront.net")
    assert "regionalDomainName" not in created
    glue.clock.advance(2399)
    assert apigw.get_domain_name(domainName="api.example.com")["domainNameStatus"] == "PENDING"
    glue.clock.advance(1)
    assert apigw.get_domain_name(domainName="api.example.com")["domainNameStatus"] == "AVAILABLE"


def test_a_regional_domain_is_updating_for_a_minute(glue: Glue) -> None:
    apigw = client("apigateway", region="us-west-2")
    created = apigw.create_domain_name(
        domainName="api.example.com",
        regionalCertificateArn=CERTIFICATE.replace("us-east-1", "us-west-2"),
        endpointConfiguration={"types": ["REGIONAL"]},
    )
    assert created["domainNameStatus"] == "UPDATING"
    assert created["regionalHostedZoneId"] == "Z2OJLYMUO9EFXC"
    assert created["regionalDomainName"].endswith(".execute-api.us-west-2.amazonaws.com")
    assert "distributionDomainName" not in created
    glue.clock.advance(60)
    assert apigw.get_domain_name(domainName="api.example.com")["domainNameStatus"] == "AVAILABLE"


def test_update_domain_name_switches_the_certificate_and_the_domain_is_updating_meanwhile(glue: Glue) -> None:
    apigw = client("apigateway")
    apigw.create_domain_name(domainName="api.example.com", certificateArn=CERTIFICATE)
    glue.clock.advance(2400)
    new = CERTIFICATE.replace("abc", "new")
    updated = apigw.update_domain_name(
        domainName="api.example.com", patchOperations=[{"op": "replace", "path": "/certificateArn", "value": new}]
    )
    assert (updated["certificateArn"], updated["domainNameStatus"]) == (new, "UPDATING")
    glue.clock.advance(1799)
    assert apigw.get_domain_name(domainName="api.example.com")["domainNameStatus"] == "UPDATING"
    glue.clock.advance(1)
    assert apigw.get_domain_name(domainName="api.example.com")["domainNameStatus"] == "AVAILABLE"


def test_a_domain_cannot_be_updated_while_it_is_updating(glue: Glue) -> None:
    import pytest
    from botocore.exceptions import ClientError

    apigw = client("apigateway", region="us-west-2")
    regional = CERTIFICATE.replace("us-east-1", "us-west-2")
    apigw.create_domain_name(
        domainName="api.example.com", regionalCertificateArn=regional, endpointConfiguration={"types": ["REGIONAL"]}
    )
    change = [{"op": "replace", "path": "/regionalCertificateArn", "value": regional + "2"}]
    with pytest.raises(ClientError) as busy:
        apigw.update_domain_name(domainName="api.example.com", patchOperations=change)
    assert busy.value.response["Error"]["Code"] == "ConflictException"
    glue.clock.advance(60)
    apigw.update_domain_name(domainName="api.example.com", patchOperations=change)
    glue.clock.advance(60)
    assert apigw.get_domain_name(domainName="api.example.com")["regionalCertificateArn"] == regional + "2"


def test_domain_writes_are_limited_to_one_per_thirty_seconds_per_account(glue: Glue) -> None:
    import pytest
    from botocore.config import Config
    from botocore.exceptions import ClientError

    no_retries = client("apigateway", config=Config(retries={"max_attempts": 1}))
    no_retries.create_domain_name(domainName="a.example.com", certificateArn=CERTIFICATE)
    with pytest.raises(ClientError) as refused:
        no_retries.create_domain_name(domainName="b.example.com", certificateArn=CERTIFICATE)
    assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
    client("apigateway", account="210987654321", config=Config(retries={"max_attempts": 1})).create_domain_name(
        domainName="b.example.com", certificateArn=CERTIFICATE
    )  # another account has its own rate
    glue.clock.advance(30)
    no_retries.create_domain_name(domainName="b.example.com", certificateArn=CERTIFICATE)


def test_only_certificate_and_security_policy_paths_can_be_replaced(glue: Glue) -> None:
    import pytest
    from botocore.exceptions import ClientError

    apigw = client("apigateway")
    apigw.create_domain_name(domainName="api.example.com", certificateArn=CERTIFICATE)
    glue.clock.advance(2400)
    with pytest.raises(ClientError) as bad:
        apigw.update_domain_name(
            domainName="api.example.com", patchOperations=[{"op": "replace", "path": "/domainName", "value": "x"}]
        )
    assert bad.value.response["Error"]["Code"] == "BadRequestException"
