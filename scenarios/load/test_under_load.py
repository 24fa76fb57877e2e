"""Load and soak: the morning rush across the county, measured with Locust (harness/load/).

The load runs once (``load_run``) and each check judges one requirement from its
measurements; the thresholds are the profile's ``[load]`` section. Every reply under load was
judged by the codec's cheap checks, so a wrong reply is an error here, never throughput.
"""

from __future__ import annotations

import pytest

from harness.findings import WarningRecorder
from harness.load.evaluate import (
    LoadRun,
    judge_degradation,
    judge_errors,
    judge_latency,
)
from harness.load.fixtures import report
from harness.sip2 import defects

ERROR_CHECK = "test_error_rate_within_threshold"


@pytest.mark.requirement("LAST-01")
@pytest.mark.failed_by(defects.SLOW_UNDER_LOAD)
def test_reply_times_within_thresholds(load_run: LoadRun, warn: WarningRecorder) -> None:
    """Under the workload, each transaction type's 95th percentile stays under the profile's threshold
    nb: Under lasten holder 95-persentilen for hver transaksjonstype seg under terskelen i profilen
    """
    report(judge_latency(load_run, ERROR_CHECK), warn)


@pytest.mark.requirement("LAST-02")
@pytest.mark.failed_by(defects.DROPS_UNDER_LOAD)
def test_error_rate_within_threshold(load_run: LoadRun, warn: WarningRecorder) -> None:
    """Under the workload, wrong replies, refusals, lost connections and timeouts stay within the profile's rate
    nb: Under lasten holder andelen gale svar, avslag, brutte forbindelser og tidsavbrudd seg innenfor profilens grense
    """
    report(judge_errors(load_run), warn)


@pytest.mark.requirement("LAST-03")
@pytest.mark.failed_by(defects.DEGRADES_UNDER_LOAD)
def test_no_degradation_over_the_run(load_run: LoadRun, warn: WarningRecorder) -> None:
    """Over the run, reply times do not degrade: the last third's median stays within the profile's factor of the first's
    nb: Over kjøringen blir svartidene ikke dårligere: medianen i siste tredjedel holder seg innenfor profilens faktor av første
    """
    report(judge_degradation(load_run, latency_check="test_reply_times_within_thresholds",
                             error_check="test_error_rate_within_threshold"), warn)
