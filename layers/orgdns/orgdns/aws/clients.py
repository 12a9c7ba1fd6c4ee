"""Sessions and clients for the management account and, through AssumeRole, member accounts."""

import time
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from orgdns.errors import AccountNotReady, ApiThrottling, PriorRequestNotComplete, Route53Throttling

if TYPE_CHECKING:
    from orgdns.settings import Settings

# No SDK-level retries: throttling and PriorRequestNotComplete surface as typed errors and the
# state machine retries them with backoff and jitter, so a storm of retries is visible (and
# bounded) in the execution history instead of hidden inside a Lambda's run time.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=5,
    read_timeout=20,
    user_agent_extra="orgdns",
)

_THROTTLING_CODES = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ThrottledException",
}

_SESSION_SECONDS = 3600  # role chaining caps assumed-role sessions at one hour
_REFRESH_MARGIN = 300


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def translate(exc: ClientError, service: str) -> Exception:
    """Map a transient AWS error to the typed error the state machine retries; else return it."""
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", exc))
    if code in _THROTTLING_CODES or "Rate exceeded" in message:
        if service == "route53":
            return Route53Throttling(f"Route 53 throttled the request: {message}")
        return ApiThrottling(f"{service} throttled the request: {message}")
    if code == "PriorRequestNotComplete":
        return PriorRequestNotComplete(f"Route 53 is still applying the previous change: {message}")
    return exc


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
        self._cache: dict[str, tuple[boto3.Session, float]] = {}
        self._home = boto3.Session()

    def set_session_name(self, name: str) -> None:
        """Name assumed-role sessions after the execution, so CloudTrail ties calls to a run."""
        cleaned = "".join(ch if ch.isalnum() or ch in "+=,.@-_" else "-" for ch in name)[:64]
        if cleaned and cleaned != self._session_name:
            self._session_name = cleaned
            self._cache.clear()

    def for_account(self, account_id: str) -> boto3.Session:
        if account_id == self._settings.management_account_id:
            return self._home
        cached = self._cache.get(account_id)
        if cached and cached[1] - _REFRESH_MARGIN > time.time():
            return cached[0]
        role_arn = f"arn:aws:iam::{account_id}:role/{self._settings.member_role_name}"
        sts = self._home.client("sts", region_name=self._settings.home_region, config=CLIENT_CONFIG)
        try:
            creds = sts.assume_role(
                RoleArn=role_arn, RoleSessionName=self._session_name, DurationSeconds=_SESSION_SECONDS
            )["Credentials"]
        except ClientError as exc:
            if error_code(exc) in {"AccessDenied", "AccessDeniedException"}:
                raise AccountNotReady(
                    f"AssumeRole into {role_arn} was denied ({exc.response['Error'].get('Message', '')}); "
                    "a new account accepts it after a few minutes, otherwise check that the role exists "
                    "and trusts orgdns"
                ) from None
            raise translate(exc, "sts") from None
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        self._cache[account_id] = (session, time.time() + _SESSION_SECONDS)
        return session

    def client(self, service: str, account_id: str, region: str | None = None) -> Any:
        session: Any = self.for_account(account_id)  # Any: the service is chosen at run time
        return session.client(service, region_name=region or self._settings.home_region, config=CLIENT_CONFIG)

    def home_client(self, service: str, region: str | None = None) -> Any:
        session: Any = self._home
        return session.client(service, region_name=region or self._settings.home_region, config=CLIENT_CONFIG)
