"""ApplyReconcile checks each record action against the zone as it is now, before anything is sent."""

from orgdns.models import RecordSpec
from orgdns.reconcile.models import ReconcileAction
from orgdns.steps.apply_reconcile import _check_records

NS_A = ["ns-1.awsdns-01.com", "ns-600.awsdns-02.net"]
NS_B = ["ns-2.awsdns-05.com", "ns-601.awsdns-06.net"]


class FakeRoute53:
    def __init__(self, records: dict[str, list[RecordSpec]]) -> None:
        self.records = records
        self.asked: list[list[str]] = []

    def name_servers(self, zone_id: str) -> list[str]:
        return list(NS_A)  # every zone of the fake has these

    def records_named(self, zone_id: str, names: list[str]) -> dict[str, list[RecordSpec]]:
        self.asked.append(sorted(names))
        return {name: self.records.get(name, []) for name in names}


class FakeAws:
    def __init__(self, route53: FakeRoute53) -> None:
        self._route53 = route53

    def route53(self, account_id: str) -> FakeRoute53:
        return self._route53


def ns(name: str, values: list[str]) -> RecordSpec:
    return RecordSpec(name=name, type="NS", ttl=300, values=values)


def action(op: str, record: RecordSpec, observed: RecordSpec | None = None) -> ReconcileAction:
    return ReconcileAction(
        op=op,
        kind="record",
        finding="MissingDelegation",
        account_id="111111111111",
        zone_name="example.org",
        hosted_zone_id="ZROOT",
        record=record,
        observed=observed,
        owner=record.name,
    )


def test_records_that_changed_since_the_plan_are_skipped_and_the_rest_go_on():
    route53 = FakeRoute53(
        {
            "appeared.example.org": [ns("appeared.example.org", NS_A)],  # someone added it meanwhile
            "edited.example.org": [ns("edited.example.org", NS_B)],  # edited since the plan saw NS_A
            "same.example.org": [ns("same.example.org", NS_A)],
            "dangling.example.org": [ns("dangling.example.org", NS_A)],
            "moved.example.org": [ns("moved.example.org", NS_B)],  # the delete no longer matches
        }
    )
    actions = [
        action("add", ns("appeared.example.org", NS_A)),
        action("add", ns("missing.example.org", NS_A)),
        action("change", ns("edited.example.org", NS_A + NS_B), observed=ns("edited.example.org", NS_A)),
        action("change", ns("same.example.org", NS_A + NS_B), observed=ns("same.example.org", NS_A)),
        action("delete", ns("dangling.example.org", NS_A)),
        action("delete", ns("moved.example.org", NS_A)),
    ]
    _check_records(actions, FakeAws(route53))  # type: ignore[arg-type]
    results = {a.record.name: a.result for a in actions if a.record}
    assert results == {
        "appeared.example.org": "skipped: a record appeared there since the plan; reconcile again",
        "missing.example.org": None,
        "edited.example.org": "skipped: the record changed since the plan; reconcile again",
        "same.example.org": None,
        "dangling.example.org": None,
        "moved.example.org": "skipped: the record changed or went since the plan",
    }
    assert len(route53.asked) == 1  # one read of the zone for every action in it


def test_an_adoption_tried_again_after_a_timeout_still_starts_the_accounts_run():
    """ApplyReconcile is retried when it times out: the zone it adopted the first time is its own,
    and the run that follows the adoption is started (once: runs are named after the reconcile)."""
    from orgdns.models import ManagedZone
    from orgdns.reconcile.models import ReconcileApply
    from orgdns.steps.apply_reconcile import _adopt

    delegation = ns("a.example.org", NS_A).model_copy(
        update={"zone_name": "example.org", "hosted_zone_id": "ZROOT", "account_id": "111111111111"}
    )

    class Registry:
        def __init__(self, item: ManagedZone | None) -> None:
            self.item = item

        def put_if(self, zone: ManagedZone, exists: bool) -> bool:
            return False  # already there

        def get(self, name: str) -> ManagedZone | None:
            return self.item

    class Aws(FakeAws):
        def __init__(self, item: ManagedZone | None) -> None:
            super().__init__(FakeRoute53({"a.example.org": [delegation]}))
            self._registry, self.started = Registry(item), []
            self.settings = type("S", (), {"subdomain_workflow_arn": "arn:sm"})()

        def registry(self) -> Registry:
            return self._registry

        def executions(self) -> "Aws":
            return self

        def start(self, arn: str, name: str, document: dict) -> bool:
            self.started.append(name)
            return True

    action = ReconcileAction(
        op="adopt",
        kind="registry",
        finding="Adoptable",
        account_id="222222222222",
        zone_name="a.example.org",
        hosted_zone_id="ZA",
        adopted_records=[delegation],
        name_servers=list(NS_A),
        parent="example.org",
    )
    ours = ManagedZone(
        zone_name="a.example.org",
        account_id="222222222222",
        hosted_zone_id="ZA",
        adopted=True,
        created_by_orgdns=False,
        request_id="rc-1",
    )
    for existing, expected in (
        (ours, "adopted; subdomain run started"),
        (None, "skipped: registered since the plan"),
        (ours.model_copy(update={"request_id": "other"}), "skipped: registered since the plan"),
    ):
        aws, result = Aws(existing), ReconcileApply()
        action.result = None
        _adopt(action, "rc-1", aws, result)  # type: ignore[arg-type]
        assert action.result == expected
        assert aws.started == (["rc-1-adopt-222222222222"] if existing is ours else [])


def test_a_validation_record_is_not_deleted_once_a_certificate_of_its_account_names_it_again():
    """A run may request a certificate for the name between the survey and the apply, and a
    certificate of the account in a Region the survey did not list shares the record: ACM is listed
    again in every Region (once per account) before the delete is sent."""
    from orgdns.aws.acm import CertificateSummary
    from orgdns.steps.apply_reconcile import _check_certified

    class Acm:
        def __init__(self, names: list[str], status: str = "PENDING_VALIDATION") -> None:
            self.names, self.status, self.listed = names, status, 0

        def certificates_if_enabled(self) -> list[CertificateSummary] | None:
            self.listed += 1
            return [CertificateSummary(arn="arn:c", status=self.status, names=frozenset(self.names))]

    class Disabled:
        def certificates_if_enabled(self) -> None:
            return None  # an opt-in Region the account has not enabled

    class Aws:
        def __init__(self, acm: Acm) -> None:
            self._acm = acm

        def acm(self, account_id: str, region: str) -> Acm:
            return self._acm if region == "ap-southeast-7" else Disabled() if region == "af-south-1" else Acm([])

    def orphan(name: str) -> ReconcileAction:
        record = RecordSpec(name=name, type="CNAME", ttl=300, values=["_v.acm-validations.aws"], purpose="Validation")
        return ReconcileAction(
            op="delete",
            kind="record",
            finding="OrphanedValidationRecord",
            account_id="222222222222",
            zone_name="a.example.org",
            hosted_zone_id="ZA",
            record=record,
            owner="a.example.org",
            owner_account="222222222222",
            regions=["us-east-1", "eu-west-1"],
        )

    for names, status, expected in (
        (["www.a.example.org"], "PENDING_VALIDATION", "skipped: a certificate of the account names it again"),
        (["*.www.a.example.org"], "ISSUED", "skipped: a certificate of the account names it again"),
        (["www.a.example.org"], "EXPIRED", None),  # an ended certificate needs no validation
        (["other.a.example.org"], "ISSUED", None),
    ):
        acm = Acm(names, status)
        actions = [orphan("_x.www.a.example.org")]
        _check_certified(actions, Aws(acm))  # type: ignore[arg-type]
        assert actions[0].result == expected, names
        assert acm.listed == 1  # the certificate is in a Region the survey did not list (nor the action names)


def test_the_runs_a_reconcile_starts_have_names_step_functions_accepts():
    from orgdns.steps.apply_reconcile import run_name

    assert run_name("rc-1", "run", "222222222222") == "rc-1-run-222222222222"
    long = run_name("r" * 80, "renamed", "Z" * 32)  # a reconcile named at length, a 32-character zone id
    assert len(long) <= 80 and long == run_name("r" * 80, "renamed", "Z" * 32)
    assert long != run_name("r" * 80, "renamed", "Z" * 31 + "Y")
