"""The local organization: orgdns's real state machines and handlers on an emulated AWS (moto).

- ``template``: reads template.yaml, the single source of the wiring;
- ``runtime``: runs the real handlers in-process, each with its own environment;
- ``moto_glue``: the narrow patches that close moto's gaps (time, Lambda, DNS, faults);
- ``organization``: builds the accounts, zones and control plane described by a scenario;
- ``scenario`` / ``report`` / ``cli``: ``orgdns local run SCENARIO.yaml [--report report.json]``.
"""
