"""Sessions and clients for the management account and, through AssumeRole, member accounts."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from orgdns.errors import AccountNotReady, ApiThrottling, PriorRequestNotComplete, Route53Throttling, TransientAwsError

if TYPE_CHECKING:
    from orgdns.settings import Settings

# No SDK-level retries: throttling, PriorRequestNotComplete and every other transient error surface
# as typed errors and the state machine retries them with backoff and jitter, so a storm of
# retries is visible (and bounded) in the execution history instead of hidden inside a Lambda's
# run time.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=5,
    read_timeout=20,
    user_agent_extra="orgdns",
)

# Throttling: retried by the state machines for hours (see scripts/gen_asl.py).
_THROTTLING_CODES = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "TooManyUpdates",  # SSM: concurrent writes of one parameter
    "RequestLimitExceeded",  # DynamoDB: the account's throughput limit
    "ProvisionedThroughputExceededException",  # DynamoDB
    "ThrottledException",
    "RequestThrottled",
    "SlowDown",
}
# Transient failures other than throttling: any HTTP 5xx, and these codes whatever the status.
_TRANSIENT_CODES = {
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "InternalServerException",
    "InternalErrorException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServiceException",
    "TransactionConflict",  # DynamoDB: a transaction touched the item meanwhile
    "TransactionConflictException",
    "RequestTimeout",
    "RequestTimeoutException",
}

_SESSION_SECONDS = 3600  # role chaining caps assumed-role sessions at one hour
_REFRESH_MARGIN = 300
# Member accounts whose credentials and clients a container keeps. A run enters one or two
# accounts; in a burst a warm container serves runs of ever new accounts, so a long cache only
# holds memory (about a quarter of a megabyte per client): the least recently used go first.
_MAX_CACHED_SESSIONS = 8


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def translate(exc: ClientError, service: str) -> Exception:
    """Map a transient AWS error to the typed error the state machine retries; else return it
    unchanged (a permanent error ends the run with AWS's code and message)."""
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", exc))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in _THROTTLING_CODES or "Rate exceeded" in message:
        if service == "route53":
            return Route53Throttling(f"Route 53 throttled the request: {message}")
        return ApiThrottling(f"{service} throttled the request ({code}): {message}")
    if code == "PriorRequestNotComplete":
        return PriorRequestNotComplete(f"Route 53 is still applying the previous change: {message}")
    if code in _TRANSIENT_CODES or status >= 500:
        return TransientAwsError(f"{service} failed for a passing reason ({code or status}): {message}")
    return exc


@contextmanager
def aws_errors(service: str) -> Iterator[None]:
    """Around every AWS call: transient errors (throttling, HTTP 5xx, connection and read
    timeouts) become the typed errors the state machines retry; permanent ClientErrors pass
    through unchanged, for the caller to handle the codes it expects."""
    try:
        yield
    except ClientError as exc:
        raise translate(exc, service) from None
    except (BotoConnectionError, HTTPClientError) as exc:
        raise TransientAwsError(f"{service} could not be reached ({type(exc).__name__}): {exc}") from None


class Sessions:
    """Credentials per account, cached for the life of the Lambda container.

    The management account uses the function's own role. A member account is entered through
    ``arn:aws:iam::<account>:role/<member role name>``; a just-created account may refuse that
    for minutes (IAM eventual consistency), which raises ``AccountNotReady`` for the state
    machine to retry with backoff.
    """

    def __init__(self, settings: "Settings", session_name: str = "orgdns") -> None:
        self._settings = settings
        self._session_name = session_name
        self._home = botocore.session.get_session()  # botocore alone: importing boto3 costs a cold start ~0.1 s
        # Keyed by (account, session name): a warm container serves many runs.
        self._credentials: dict[tuple[str, str], tuple[dict[str, str], float]] = {}
        self._clients: dict[tuple[str, str, str, str], tuple[Any, str]] = {}  # -> (client, session token)

    def set_session_name(self, name: str) -> None:
        """Name assumed-role sessions after the execution, so CloudTrail ties calls to a run."""
        cleaned = "".join(ch if ch.isalnum() or ch in "+=,.@-_" else "-" for ch in name)[:64]
        self._session_name = cleaned if len(cleaned) >= 2 else f"orgdns-{cleaned}"  # STS: 2 to 64

    def _member_credentials(self, account_id: str) -> dict[str, str]:
        key = (account_id, self._session_name)
        cached = self._credentials.get(key)
        if cached and cached[1] - _REFRESH_MARGIN > time.time():
            self._credentials[key] = self._credentials.pop(key)  # most recently used last
            return cached[0]
        if len(self._credentials) >= _MAX_CACHED_SESSIONS:
            self._forget_oldest()
        creds = self._assume(account_id)
        credentials = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
        self._credentials[key] = (credentials, time.time() + _SESSION_SECONDS)
        return credentials

    def _forget_oldest(self) -> None:
        """Drop the least recently used member session and its clients."""
        account_id, session_name = next(iter(self._credentials))
        del self._credentials[(account_id, session_name)]
        for key in [k for k in self._clients if k[0] == account_id and k[1] == session_name]:
            del self._clients[key]

    def _assume(self, account_id: str) -> dict[str, Any]:
        """AssumeRole into the member role, else into the fallback role (the scoped role comes with
        the member baseline, which reaches a new account minutes after it is created)."""
        denied = []
        sts = self.client("sts", self._settings.management_account_id)
        for name in self._settings.member_role_names:
            role_arn = f"arn:aws:iam::{account_id}:role/{name}"
            try:
                with aws_errors("sts"):
                    return dict(
                        sts.assume_role(
                            RoleArn=role_arn, RoleSessionName=self._session_name, DurationSeconds=_SESSION_SECONDS
                        )["Credentials"]
                    )
            except ClientError as exc:
                if error_code(exc) not in {"AccessDenied", "AccessDeniedException"}:
                    raise
                denied.append(f"{role_arn} ({exc.response['Error'].get('Message', '')})")
        raise AccountNotReady(
            f"AssumeRole was denied: {'; '.join(denied)}. A new account accepts it after a few minutes; "
            "otherwise check that the role exists and trusts orgdns"
        )

    def client(self, service: str, account_id: str, region: str | None = None) -> Any:
        """A client in ``account_id`` (through AssumeRole for a member account).

        Clients come from one botocore session, so service models load once per container, and are
        reused while their credentials are fresh: creating one costs tens of milliseconds.
        """
        region = region or self._settings.home_region
        management = account_id == self._settings.management_account_id
        credentials = {} if management else self._member_credentials(account_id)
        key = (account_id, "" if management else self._session_name, service, region)
        token = credentials.get("aws_session_token", "")
        cached = self._clients.get(key)
        if cached is not None and cached[1] == token:
            return cached[0]
        home: Any = self._home  # Any: the service is chosen at run time
        client = home.create_client(service, region_name=region, config=CLIENT_CONFIG, **credentials)
        self._clients[key] = (client, token)
        return client

    def home_client(self, service: str, region: str | None = None) -> Any:
        return self.client(service, self._settings.management_account_id, region)
