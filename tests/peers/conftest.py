"""Real peers on loopback, started once per test session and stopped at its end.

``zebra``: zebrasrv over the consortium catalogue, Z39.50 and SRU on one port
(tests/peers/zebra.py). ``ztest``: yaz-ztest, YAZ's test server (tests/peers/ztest.py).
Where a program is missing the tests skip with the install hint; under CI=true they fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from zebra import ZebraEndpoint, ZebraPeer, require_zebra
from ztest import ZtestEndpoint, ZtestPeer, require_ztest


@pytest.fixture(scope="session")
def zebra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZebraEndpoint]:
    require_zebra()
    with ZebraPeer(tmp_path_factory.mktemp("zebra")) as peer:
        yield peer.start()


@pytest.fixture(scope="session")
def ztest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZtestEndpoint]:
    require_ztest()
    with ZtestPeer(tmp_path_factory.mktemp("ztest")) as peer:
        yield peer.start()
