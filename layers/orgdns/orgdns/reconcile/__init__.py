"""orgdns reconcile: walk the organization, compare what is there with what orgdns owns and what
the accounts' tags ask for, and plan (or make) the changes. ``models`` is the contract between the
ReconcileWorkflow's steps, ``plan`` the pure decisions, ``render`` the plan and report for humans."""
