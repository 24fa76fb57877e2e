"""SIP2 clients nobody here wrote, against the sandbox ACS: PyPI sip2 1.1 and pysip2 0.1.0's codec.

Each drives one self-service session on loopback (login, SC status, patron information,
checkout, checkin) and is judged on what came back. Where the library itself deviates from
SIP2 2.00, a test says so and cites the clause: those are findings about the library (what a
vendor's self-check built on it would do), asserted so that a new release that fixes them is
noticed. Under CI=true a missing library is a failure, otherwise a skip with the install hint.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import ssl
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from harness.paths import SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox
from harness.sip2.codec import checksum, decode, verify_checksum
from harness.sip2.dates import LOCAL_ZONE
from harness.sip2.settings import Sip2Settings
from harness.sip2.unit import SIP2

pytestmark = pytest.mark.peer
IN_CI = os.environ.get("CI") == "true"
PATRON, PIN, ITEM, AO = "TST0000002", "5822", "99011000013", "KONGSBAKKEN"  # a pupil, their school's item


def need(module: str, hint: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{module} is not installed: {hint}")
        pytest.skip(f"{module} is not installed: {hint}")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Sip2Settings]:
    box = Sandbox(load_profile(SANDBOX_PROFILE))
    try:
        settings = box.start().settings_for(SIP2)
        assert settings is not None
        yield settings
    finally:
        box.stop()


# -- PyPI sip2 1.1 (tzeumer/SIP2-Client-for-Python) ---------------------------------------------

@pytest.fixture()
def sip2_client(endpoint: Sip2Settings, tmp_path: Path) -> Iterator[Any]:
    module = need("Sip2.sip2", "pip install sip2==1.1")
    client = module.Sip2()
    client.hostName, client.hostPort = endpoint.host, endpoint.port
    client.logfile_path = str(tmp_path)  # it logs every request, passwords included, to sip2.log
    client.institutionId, client.scLocation, client.socketTimeout = AO, "KONGSBAKKEN", 5
    yield client
    try:
        client.disconnect()
    except OSError:
        pass
    for handler in logging.getLogger("Sip2").handlers[:]:
        handler.close()
        logging.getLogger("Sip2").removeHandler(handler)


def test_sip2_library_runs_a_session_against_the_sandbox(sip2_client: Any) -> None:
    client = sip2_client
    client.tlsEnable = False
    assert client.connect()
    login = client.sip_login_response(client.get_response(client.sip_login_request(USERNAME, PASSWORD)))
    assert login["fixed"]["Ok"] == "1"
    status = client.sip_sc_status_response(client.get_response(client.sip_sc_status_request()))
    assert status["fixed"]["OnlineStatus"] == "Y" and status["variable"]["BX"][0][1] == "Y"
    client.patron, client.patronpwd = PATRON, PIN
    info = client.sip_patron_information_response(client.get_response(client.sip_patron_information_request("charged")))
    assert info["variable"]["AE"] == ["Nils Ŋuolggat Đuoddarŧ"] and info["variable"]["CQ"] == ["Y"]
    out = client.sip_checkout_response(client.get_response(client.sip_checkout_request(ITEM)))
    back = client.sip_checkin_response(client.get_response(client.sip_checkin_request(ITEM, currentLocation=AO)))
    assert (out["fixed"]["Ok"], back["fixed"]["Ok"]) == ("1", "1"), (client.last_request, client.last_response)
    # Every reply it received is well-formed for the harness's decoder too.
    assert not decode(client.last_response.encode("utf-8")).findings


def test_sip2_library_checksums_characters_not_bytes(sip2_client: Any) -> None:
    """Deviation: 3M SIP2 2.00, error detection: the checksum is the binary sum of the message
    as sent (bytes); sip2 1.1 sums code points (cap60552/php-sip2 #8 is the same bug), so a
    request with ø carries a wrong AZ and the sandbox answers 96, as it must."""
    client = sip2_client
    client.tlsEnable = False
    assert client.connect()
    client.get_response(client.sip_login_request(USERNAME, PASSWORD))
    request = client.sip_item_information_request("HARNESS-TROMSØ-0")
    assert not verify_checksum(request.encode("utf-8"))
    assert client.get_response(request).startswith("96")


def test_sip2_library_drops_leading_zeros_and_verifies_nothing() -> None:
    """Deviations: 3M SIP2 2.00, error detection: the checksum is 4 hex digits, and a receiver
    checks it. sip2 1.1 formats it with 'X' (ceridwen SIP library #3: 'AZ9C9') and its
    _crc_verify is True for any frame."""
    module = need("Sip2.sip2", "pip install sip2==1.1")
    client = module.Sip2()
    body = next(f"9900302.00AY{n}AZ" + "~" * pad for n in range(10) for pad in range(1000)
                if checksum(f"9900302.00AY{n}AZ".encode() + b"~" * pad).startswith("0"))
    assert len(client._crc_calc(body)) == 3 and checksum(body.encode()) == "0" + client._crc_calc(body)
    assert client._crc_verify("98YYYYNN00000320261124    1932182.00AOX|BXYYYYYYYYYYYYYYYY|AY1AZ0000\r")


@pytest.mark.filterwarnings("ignore:ssl.PROTOCOL_TLS is deprecated:DeprecationWarning")  # the library's own call
def test_sip2_library_falls_back_to_plaintext_without_a_word(sip2_client: Any) -> None:
    """Deviation (security, SIP-07): with TLS on (its default) against a plaintext port, sip2 1.1
    connects unencrypted instead of failing; RFC 8446 gives no such fallback, and the
    consortium's self-checks must never send PINs in clear because TLS failed."""
    client = sip2_client
    assert client.tlsEnable is True
    assert client.connect()
    assert not isinstance(client._socket, ssl.SSLSocket)
    login = client.sip_login_response(client.get_response(client.sip_login_request(USERNAME, PASSWORD)))
    assert login["fixed"]["Ok"] == "1"  # the password went over plaintext


def test_sip2_library_writes_the_machines_time_as_local_time(sip2_client: Any) -> None:
    """Deviation on a machine not set to Norwegian time: 3M SIP2 2.00, dates: four blanks mean
    local time; sip2 1.1 writes datetime.fromtimestamp() (the machine's zone) there. Measured
    here, where the machine's zone may differ from Europe/Oslo."""
    request = sip2_client.sip_patron_status_request()  # 23<language><transaction date>...
    written = datetime.strptime(request[5:13] + request[17:23], "%Y%m%d%H%M%S")
    machine, oslo = datetime.now(), datetime.now(LOCAL_ZONE).replace(tzinfo=None)
    assert abs((written - machine).total_seconds()) < 60
    if abs((machine - oslo).total_seconds()) > 60:
        assert abs((written - oslo).total_seconds()) > 60, "sip2 1.1 now writes Norwegian time: update this test"


# -- pysip2 0.1.0's codec as a client ------------------------------------------------------------------

def _exchange(sock: socket.socket, pysip2: Any, message: Any, sequence: int) -> Any:
    sock.sendall(pysip2.encode_message(message, sequence_number=sequence, checksum=True, encoding="utf-8"))
    frame = b""
    while not frame.endswith(b"\r"):
        chunk = sock.recv(65536)
        assert chunk, f"the sandbox closed the connection after {frame!r}"
        frame += chunk
    return pysip2.decode_message(frame, encoding="utf-8").message


def test_pysip2_codec_runs_a_session_against_the_sandbox(endpoint: Sip2Settings) -> None:
    """pysip2's strict codec (research: stricter than every production ILS read) encodes the
    requests and decodes every reply of a session: login, status, patron information,
    checkout, checkin. A reply it rejects raises here."""
    pysip2 = need("pysip2", "pip install pysip2==0.1.0")
    now = datetime.now(LOCAL_ZONE).strftime("%Y%m%d    %H%M%S")
    with socket.create_connection((endpoint.host, endpoint.port), timeout=5) as sock:
        login = _exchange(sock, pysip2, pysip2.LoginRequest(
            uid_algorithm="0", pwd_algorithm="0", login_user_id=USERNAME, login_password=PASSWORD), 0)
        assert login.ok == "1"
        status = _exchange(sock, pysip2, pysip2.SCStatusRequest(status_code="0", max_print_width="080", protocol_version="2.00"), 1)
        assert status.online_status == "Y" and status.supported_messages[1] == "Y"
        info = _exchange(sock, pysip2, pysip2.PatronInformationRequest(
            language="012", transaction_date=now, summary="  Y       ", institution_id=AO,
            patron_identifier=PATRON, patron_password=PIN), 2)
        assert info.personal_name == "Nils Ŋuolggat Đuoddarŧ" and info.valid_patron_password == "Y"
        out = _exchange(sock, pysip2, pysip2.CheckoutRequest(
            sc_renewal_policy="N", no_block="N", transaction_date=now, nb_due_date=now, institution_id=AO,
            patron_identifier=PATRON, item_identifier=ITEM, terminal_password="", patron_password=PIN), 3)
        back = _exchange(sock, pysip2, pysip2.CheckinRequest(
            no_block="N", transaction_date=now, return_date=now, current_location=AO, institution_id=AO,
            item_identifier=ITEM, terminal_password=""), 4)
    assert (out.ok, back.ok) == ("1", "1") and out.due_date.strip()


USERNAME, PASSWORD = "sc-tromso", "sandbox-sip"  # the sandbox's public SC account (targets/sandbox.toml)
