"""orgdns: subdomains, delegations and certificates for every account of an AWS organization.

Layout (data flows top to bottom):
- ``steps``: one domain function per workflow step (same name as the ASL state and the function folder);
- ``names``, ``zones``, ``certificates``: pure decisions, no AWS;
- ``aws``: adapters, the only modules that call AWS (botocore).
"""

SCHEMA_VERSION = "1.2"  # 1.1: hostedZoneId; 1.2: customDomain certificates, CertificatesRetired
