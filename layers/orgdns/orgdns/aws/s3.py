"""S3: the reconcile's working files and reports, in the stack's reconcile bucket."""

import json
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code


class ReconcileStore:
    """One bucket, keys under ``reconciles/<run>/``. S3 is strongly consistent for reads after
    writes and for listings, so a step reads what the step before it wrote."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def put_json(self, key: str, document: Any) -> None:
        body = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
        self.put(key, body, "application/json")

    def put(self, key: str, body: bytes, content_type: str) -> None:
        with aws_errors("s3"):
            self._client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def get_json(self, key: str) -> Any:
        """The JSON document at ``key``; None when there is none."""
        try:
            with aws_errors("s3"):
                body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if error_code(exc) in {"NoSuchKey", "404"}:
                return None
            raise
        return json.loads(body)

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (ListObjectsV2, pages of 1,000), in S3's (lexical) order."""
        found: list[str] = []
        params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        while True:
            with aws_errors("s3"):
                page = self._client.list_objects_v2(**params)
            found.extend(item["Key"] for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return found
            params["ContinuationToken"] = page["NextContinuationToken"]
