"""Errors raised by workflow steps.

A Lambda error's ``errorType`` is the exception class name, and the state machines match on it in
Retry and Catch, so these class names are part of the contract with ``statemachines/*.asl.json``.
"""


class OrgDnsError(Exception):
    """Base class. ``reason`` is the CamelCase condition reason published in the status."""

    reason = "Error"


# --- transient: retried by the state machine ------------------------------------------------


class Route53Throttling(OrgDnsError):
    """Route 53 answered Throttling / Rate exceeded (5 requests per second per account)."""

    reason = "Throttled"


class PriorRequestNotComplete(OrgDnsError):
    """Route 53 is still applying the previous change to the same hosted zone."""

    reason = "PriorRequestNotComplete"


class ApiThrottling(OrgDnsError):
    """Another service (ACM, API Gateway, STS, Organizations) throttled the request."""

    reason = "Throttled"


class TransientAwsError(OrgDnsError):
    """An AWS call failed for a reason that passes: HTTP 5xx (InternalFailure, InternalError,
    InternalServerError, ServiceUnavailable...), a DynamoDB TransactionConflict, or a connection or
    read timeout. Retried by the state machine with backoff and full jitter."""

    reason = "AwsUnavailable"


class AccountNotReady(OrgDnsError):
    """AssumeRole into a member account was denied.

    A just-created account refuses AssumeRole for a few minutes while IAM converges; the state
    machine retries with backoff and, when retries run out, the run fails with this reason.
    """

    reason = "AccountNotReady"


class ZoneBeingTornDown(OrgDnsError):
    """The zone a run asks for is being torn down by another run (its tags were removed and set
    again, or events came out of order): the run waits for the teardown to finish, then sets the
    zone up again as the tags now ask."""

    reason = "ZoneBeingTornDown"


# --- terminal: the run ends Rejected ------------------------------------------------------------


class RequestRejected(OrgDnsError):
    """The request itself is invalid or not allowed. Nothing has been written."""

    reason = "Rejected"

    def __init__(self, reason: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field


# --- terminal: the run ends Failed --------------------------------------------------------------


class RecordConflict(OrgDnsError):
    """A record orgdns needs to write already exists with other values and orgdns did not write it."""

    reason = "RecordConflict"


class RecordRejected(OrgDnsError):
    """Route 53 refused a change batch (InvalidChangeBatch, InvalidInput): the message is Route 53's."""

    reason = "RecordRejected"


class ZoneConflict(OrgDnsError):
    """The account holds several public hosted zones of the requested name; orgdns will not guess."""

    reason = "ZoneConflict"


class CertificateFailed(OrgDnsError):
    """ACM gave up on a certificate (FAILED, VALIDATION_TIMED_OUT, REVOKED...)."""

    reason = "CertificateFailed"


class CustomDomainFailed(OrgDnsError):
    """API Gateway reported the custom domain as FAILED, or it could not be created."""

    reason = "CustomDomainFailed"


class Superseded(OrgDnsError):
    """A later run for the same zone (its names changed again) has switched the custom domain to
    a newer certificate: this run does not switch it back; the later run retires what is left."""

    reason = "Superseded"


class ZoneWithdrawn(OrgDnsError):
    """A self-service zone was deleted or untagged while its delegation was being written."""

    reason = "ZoneWithdrawn"


class CertificateNameNotAllowed(OrgDnsError):
    """A certificate name became another account's during the run (a zone registered concurrently
    now answers for it) and no grant covers it: nothing more is requested or written for it."""

    reason = "CertificateNameNotAllowed"


class NotGrantedByParentOwner(OrgDnsError):
    """A self-service zone's nearest parent changed during the run to a zone whose owner has not
    granted the name (a parent registered concurrently)."""

    reason = "NotGrantedByParentOwner"


class HostedZoneNotFound(OrgDnsError):
    """Route 53 has no hosted zone of that id in that account (NoSuchHostedZone)."""

    reason = "HostedZoneNotFound"


class UnexpectedAwsAnswer(OrgDnsError):
    """AWS answered in a shape orgdns does not know (e.g. an account with neither State nor Status):
    orgdns stops rather than guess."""

    reason = "UnexpectedAwsAnswer"


class ParentZoneMissing(OrgDnsError):
    """The registry names a parent hosted zone that no longer exists in its account."""

    reason = "ParentZoneMissing"


class SurveyIncomplete(OrgDnsError):
    """A reconcile's survey is missing batches of accounts: nothing is planned on half a picture
    (an account left out would look like one that has nothing)."""

    reason = "SurveyIncomplete"
