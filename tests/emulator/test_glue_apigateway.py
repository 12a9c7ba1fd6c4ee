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
