"""Glue around moto 5.2.5 for the local emulated organization: simulated time, DNS resolution
through the emulated zones, and narrow patches closing moto's gaps (see patches.py)."""

from .calls import ISSUANCE, ApiCall, ApiCallRecorder, FaultPlan, FaultRule, InjectedFault
from .clock import ClockStalled, SimClock
from .dns import EmulatedDns
from .patches import (
    DeliveryFailure,
    ExecutionKey,
    GlueContext,
    install,
    put_event,
    wait_for_executions,
)

__all__ = [
    "ISSUANCE",
    "ApiCall",
    "ApiCallRecorder",
    "ClockStalled",
    "DeliveryFailure",
    "EmulatedDns",
    "ExecutionKey",
    "FaultPlan",
    "FaultRule",
    "GlueContext",
    "InjectedFault",
    "SimClock",
    "install",
    "put_event",
    "wait_for_executions",
]
