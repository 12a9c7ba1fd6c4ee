"""SSM Parameter Store in one member account and Region: the outputs member stacks read."""

from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code

DESCRIPTION = "Written by orgdns; changed by its runs, deleted when the zone is torn down."


class Parameters:
    def __init__(self, client: Any) -> None:
        self._client = client

    def under(self, path: str) -> dict[str, str]:
        """Every parameter below ``path`` (GetParametersByPath, recursive): name -> value."""
        found: dict[str, str] = {}
        with aws_errors("ssm"):
            paginator = self._client.get_paginator("get_parameters_by_path")
            for page in paginator.paginate(Path=path, Recursive=True):
                for parameter in page.get("Parameters", []):
                    found[parameter["Name"]] = parameter["Value"]
        return found

    def put(self, name: str, value: str) -> None:
        """PutParameter (String, overwritten)."""
        with aws_errors("ssm"):
            self._client.put_parameter(Name=name, Value=value, Type="String", Overwrite=True, Description=DESCRIPTION)

    def delete(self, names: list[str]) -> None:
        """DeleteParameters, ten at a time; one already gone is not an error."""
        for start in range(0, len(names), 10):
            try:
                with aws_errors("ssm"):
                    self._client.delete_parameters(Names=names[start : start + 10])
            except ClientError as exc:
                if error_code(exc) != "ParameterNotFound":
                    raise
