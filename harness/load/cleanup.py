"""Leave the target as the load found it: every item the load lends is returned, before and after.

A run stops its clients where they are, so a patron session cut at the end leaves loans
standing, and a run killed outright leaves more. Before the load, the harness checks in every
item the workload's machines will lend (a loan left by an earlier run would make this run's
first checkout of it a refusal, an error the target did not make); after it, the items a
client had lent and not yet seen returned. These checkins go over one SIP2 connection from the
harness process, are bounded in time, and are neither judged nor counted: a check-in of an item
that is not on loan may well be answered "not checked out".
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from harness.errors import TargetError
from harness.load.plan import Sip2Plan
from harness.load.workload import Workload
from harness.sip2 import requests as rq
from harness.sip2.checks import log_in
from harness.sip2.client import Client

CLEANUP_SECONDS = 60.0  # at most this long for the returns of one side of a run


def lent_by(workload: Workload) -> list[tuple[str, str]]:
    """(institution, item) for every item a SIP2 client of the workload may lend."""
    return [(seat.institution, item) for fleet in workload.fleets if fleet.name in ("selfservice", "bookbus")
            for seat in fleet.seats for item in seat.items]


def return_items(plan: Sip2Plan | None, items: Iterable[tuple[str, str]], seconds: float = CLEANUP_SECONDS) -> str:
    """Check the items in; a line for the evidence saying how many went back, and what stopped it."""
    wanted = list(dict.fromkeys(items))
    if plan is None or not wanted:
        return ""
    done = 0
    deadline = time.monotonic() + seconds
    try:
        with Client(plan.host, plan.port, timeout=plan.timeout, tls=plan.tls, verify=plan.verify, ca_file=plan.ca_file,
                    charset=plan.charset, error_detection=plan.error_detection, max_frame=plan.max_frame,
                    transcript_length=2) as client:
            log_in(client, plan.username, plan.password, plan.location)
            for institution, item in wanted:
                if time.monotonic() > deadline:
                    return f"{done} of {len(wanted)} items returned; the rest not within {seconds:g} s"
                client.send(rq.checkin(institution, item))
                done += 1
    except TargetError as exc:
        return f"{done} of {len(wanted)} items returned; then: {exc}"
    return f"{done} items returned"
