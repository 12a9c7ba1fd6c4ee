"""One object that hands steps the adapter they need, for the right account and Region."""

from orgdns.aws.acm import Acm
from orgdns.aws.apigateway import ApiGateway
from orgdns.aws.changes import ChangeStatus
from orgdns.aws.clients import Sessions
from orgdns.aws.organizations import Organizations
from orgdns.aws.ratelimit import Route53RateLimiter
from orgdns.aws.registry import Registry
from orgdns.aws.route53 import Route53
from orgdns.aws.s3 import ReconcileStore
from orgdns.aws.sns import StatusTopic
from orgdns.aws.sqs import RecordQueue, StatusQueue
from orgdns.aws.ssm import Parameters
from orgdns.aws.stepfunctions import Executions, TaskTokens
from orgdns.errors import TransientAwsError
from orgdns.settings import Settings
from orgdns.zones import KnownZone


class AwsAccess:
    """One per Lambda container (built at cold start): what it caches lives as long as the container."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions = Sessions(settings)
        self._root_ids: dict[str, str] = {}  # root zone name -> hosted zone id

    def route53(self, account_id: str) -> Route53:
        limiter = Route53RateLimiter(
            self.sessions.home_client("dynamodb"),
            self.settings.rate_limit_table,
            self.settings.route53_requests_per_second,
        )
        return Route53(self.sessions.client("route53", account_id, "us-east-1"), lambda: limiter.acquire(account_id))

    def change_status(self) -> ChangeStatus:
        return ChangeStatus(self.sessions.home_client("dynamodb"), self.settings.rate_limit_table)

    def task_tokens(self) -> TaskTokens:
        return TaskTokens(self.sessions.home_client("stepfunctions"))

    def executions(self) -> Executions:
        return Executions(self.sessions.home_client("stepfunctions"))

    def reconcile_store(self) -> ReconcileStore:
        if not self.settings.reconcile_bucket:
            raise ValueError("ORGDNS_RECONCILE_BUCKET is not set: the reconcile has nowhere to keep its files")
        return ReconcileStore(self.sessions.home_client("s3"), self.settings.reconcile_bucket)

    def acm(self, account_id: str, region: str) -> Acm:
        return Acm(self.sessions.client("acm", account_id, region))

    def apigateway(self, account_id: str, region: str) -> ApiGateway:
        return ApiGateway(self.sessions.client("apigateway", account_id, region))

    def parameters(self, account_id: str, region: str) -> Parameters:
        return Parameters(self.sessions.client("ssm", account_id, region))

    def organizations(self) -> Organizations:
        return Organizations(self.sessions.home_client("organizations", "us-east-1"))

    def registry(self) -> Registry:
        return Registry(self.sessions.home_client("dynamodb"), self.settings.registry_table)

    def status_topic(self) -> StatusTopic:
        return StatusTopic(self.sessions.home_client("sns"), self.settings.status_topic_arn)

    def status_queue(self) -> StatusQueue:
        if not self.settings.status_dead_letter_queue_url:
            raise ValueError("ORGDNS_STATUS_DEAD_LETTER_QUEUE_URL is not set: there is nowhere to keep the status")
        return StatusQueue(self.sessions.home_client("sqs"), self.settings.status_dead_letter_queue_url)

    def record_queue(self) -> RecordQueue | None:
        if not self.settings.record_queue_url:
            return None
        return RecordQueue(self.sessions.home_client("sqs"), self.settings.record_queue_url)

    def root_zones(self) -> list[KnownZone]:
        """The configured roots with their hosted zone ids: from configuration (``name=ZONEID``),
        else from this container's cache, else from the registry's cache, else looked up by name in
        the management account's Route 53 once for the whole deployment (and cached in the
        registry): the first container to miss the cache takes a lease on the lookup, so a burst of
        new containers costs one Route 53 request, not one each."""
        management = self.settings.management_account_id
        for root in self.settings.root_zones:
            if root.hosted_zone_id:
                self._root_ids[root.name] = root.hosted_zone_id
        missing = [root.name for root in self.settings.root_zones if root.name not in self._root_ids]
        if missing:
            registry = self.registry()
            self._root_ids.update(registry.root_zone_ids(missing))
            for name in missing:
                if name in self._root_ids:
                    continue
                if not registry.claim_root_lookup(name):
                    # A burst of new containers: one of them looks the root up, the others retry
                    # in a moment (the state machine's TransientAwsError retry) and find it cached.
                    raise TransientAwsError(f"root zone {name}'s hosted zone id is being looked up by another run")
                zones = self.route53(management).find_zones(name)
                if len(zones) != 1:
                    raise ValueError(
                        f"root zone {name} must be exactly one public hosted zone in the management "
                        f"account {management}, found {len(zones)}: declare it as {name}=<hosted zone id>"
                    )
                self._root_ids[name] = zones[0].hosted_zone_id
                registry.remember_root_zone_id(name, zones[0].hosted_zone_id, management)
        return [
            KnownZone(root.name, management, self._root_ids[root.name], root=True) for root in self.settings.root_zones
        ]
