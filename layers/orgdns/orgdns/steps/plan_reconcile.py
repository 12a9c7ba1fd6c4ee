"""PlanReconcile: read the survey and the registry, decide the findings and actions
(orgdns.reconcile.plan), and write plan.json. Reads only."""

from orgdns.aws.access import AwsAccess
from orgdns.errors import SurveyIncomplete
from orgdns.reconcile.models import ObservedAccount, ReconcilePlan, ReconcileStart, ReconcileSummary, reconcile_time
from orgdns.reconcile.plan import Naming, count
from orgdns.reconcile.plan import plan_reconcile as decide
from orgdns.reconcile.render import summary_line


def plan_key(prefix: str) -> str:
    return prefix + "plan.json"


def plan_reconcile(start: ReconcileStart, execution: str, aws: AwsAccess) -> ReconcileSummary:
    store = aws.reconcile_store()
    keys = store.keys(start.prefix + "survey/")
    if len(keys) != start.batches:
        raise SurveyIncomplete(
            f"the survey has {len(keys)} of {start.batches} batches of accounts: nothing is planned on part "
            "of the organization; reconcile again"
        )
    accounts = [ObservedAccount.model_validate(account) for key in keys for account in store.get_json(key) or []]
    if len(accounts) != start.accounts:
        raise SurveyIncomplete(f"the survey holds {len(accounts)} of {start.accounts} accounts: reconcile again")
    registry = aws.registry().all()  # one Scan per reconcile: the whole registry is needed
    naming = Naming.from_settings(aws.settings)
    findings, actions = decide(accounts, registry, aws.root_zones(), naming, reconcile_time(start.started_at))
    plan = ReconcilePlan(
        run_id=execution,
        mode=start.mode,
        findings=findings,
        actions=actions,
        accounts=len(accounts),
        zones=sum(len(a.zones) for a in accounts),
    )
    key = plan_key(start.prefix)
    store.put_json(key, plan.dump())
    counts = count(findings, actions, start.mode.value)
    return ReconcileSummary(plan_key=key, counts=counts, summary=summary_line(counts, start.mode))
