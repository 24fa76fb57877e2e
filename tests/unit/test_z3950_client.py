"""The Z39.50 client against scripted targets on loopback: bounded whatever the target does.

Each target is a thread on 127.0.0.1 that reads the client's requests and answers with a
script (real PDUs from the codec, or bytes no server should send). Timeouts are short, and
every test asserts how long the client took, not only what it raised.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from harness.errors import TargetTimeout, TargetUnreachable
from harness.z3950 import (
    AssociationClosed,
    Client,
    Close,
    ConnectionLost,
    InitResponse,
    Pdu,
    PduReader,
    ProtocolViolation,
    RawPdu,
    SearchResponse,
    bib1,
    decode,
    encode,
)
from harness.z3950.asn1 import specification

Script = Callable[[socket.socket, "Requests"], None]
specification()  # compile the ASN.1 now: a first compile in a target thread holds the GIL for a while
INIT_OK = InitResponse(True, frozenset({"search", "present"}), frozenset({3}), implementation_name="scripted")


class Requests:
    """The requests the scripted target reads, decoded, one at a time."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.reader = sock, PduReader()

    def next(self) -> object:
        while (event := self.reader.next_event()) is None:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.reader.receive_data(data)
        assert isinstance(event, RawPdu)
        return decode(event).pdu

    def answer(self, pdu: Pdu) -> None:
        request = self.next()
        reference = getattr(request, "reference_id", None)
        self.sock.sendall(encode(dataclasses.replace(pdu, reference_id=reference)))


@contextmanager
def target(script: Script) -> Iterator[int]:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            conn, _ = server.accept()
            with conn:
                script(conn, Requests(conn))
        except (EOFError, OSError):
            pass
        except BaseException as exc:  # noqa: BLE001 - a broken script must fail the test, not hang it
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.close()
        thread.join(timeout=5)
        assert not errors, errors


def init_then(rest: Script) -> Script:
    def script(sock: socket.socket, requests: Requests) -> None:
        requests.answer(INIT_OK)
        rest(sock, requests)
    return script


def test_a_trickling_answer_ends_at_the_deadline_with_the_bytes_counted() -> None:
    def trickle(sock: socket.socket, requests: Requests) -> None:
        requests.next()
        for byte in encode(INIT_OK):
            sock.sendall(bytes([byte]))
            time.sleep(0.1)

    with target(trickle) as port:
        client = Client("127.0.0.1", port, timeout=0.6)
        started = time.monotonic()
        with pytest.raises(TargetTimeout, match=r"no complete answer within 0.6s: [1-9]\d* bytes received"):
            client.init()
        assert time.monotonic() - started < 3  # the whole answer would take 6 s to trickle in
        assert "in an unfinished PDU" in client.transcript[-1].note


def test_silence_is_a_timeout_with_nothing_received() -> None:
    def silent(sock: socket.socket, requests: Requests) -> None:
        requests.next()
        time.sleep(1.5)

    with target(silent) as port:
        client = Client("127.0.0.1", port, timeout=0.4)
        with pytest.raises(TargetTimeout, match="0 bytes received"):
            client.init()
        assert client.transcript[-1].received == ""


def test_an_endless_indefinite_pdu_stops_at_the_size_limit() -> None:
    def endless(sock: socket.socket, requests: Requests) -> None:
        requests.next()
        sock.sendall(b"\xb5\x80")
        for _ in range(10_000):
            sock.sendall(b"\x04\x06abcdef" * 100)

    with target(endless) as port:
        client = Client("127.0.0.1", port, timeout=5, max_pdu=64 * 1024)
        started = time.monotonic()
        with pytest.raises(ProtocolViolation) as caught:
            client.init()
        assert time.monotonic() - started < 5  # the size limit, not the deadline, ended it
        assert [p.rule.id for p in caught.value.problems] == ["pdu_too_large"]


def test_a_hundred_megabyte_record_is_refused_at_its_header() -> None:
    def huge(sock: socket.socket, requests: Requests) -> None:
        requests.next()
        sock.sendall(b"\xb9\x84" + (100 * 1024 * 1024).to_bytes(4, "big") + b"\x00" * 4096)
        time.sleep(1)

    with target(huge) as port:
        client = Client("127.0.0.1", port, timeout=5)
        with pytest.raises(ProtocolViolation, match="104,857,606 bytes, over the 9,437,184-byte limit"):
            client.init()
        assert "first bytes: b9 84 06 40 00 00" in client.transcript[-1].received


def test_garbage_is_a_violation_with_the_first_bytes_as_evidence() -> None:
    def http(sock: socket.socket, requests: Requests) -> None:
        requests.next()
        sock.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    with target(http) as port:
        client = Client("127.0.0.1", port, timeout=2)
        with pytest.raises(ProtocolViolation) as caught:
            client.init()
        (found,) = caught.value.problems
        assert found.rule.id == "ber_not_a_pdu" and found.position is not None and found.position.offset == 0
        assert "48 54 54 50" in client.transcript[-1].received  # "HTTP"


def test_a_connection_closed_mid_pdu_is_reported_as_such() -> None:
    def half(sock: socket.socket, requests: Requests) -> None:
        requests.next()
        sock.sendall(encode(INIT_OK)[:20])

    with target(half) as port:
        client = Client("127.0.0.1", port, timeout=2)
        with pytest.raises(ConnectionLost):
            client.init()
        assert [p.rule.id for p in client.problems] == ["dropped_without_close", "ber_truncated"]


def test_a_close_instead_of_the_answer_says_why() -> None:
    with target(init_then(lambda sock, requests: requests.answer(Close(7, "idle")))) as port:
        client = Client("127.0.0.1", port, timeout=2)
        client.init()
        with pytest.raises(AssociationClosed, match=r"closed the association \(lackOfActivity\)") as caught:
            client.search("@attr 1=4 fjell")
        assert caught.value.close.message == "idle"


def test_another_services_response_is_a_violation() -> None:
    with target(init_then(lambda sock, requests: requests.answer(INIT_OK))) as port:
        client = Client("127.0.0.1", port, timeout=2)
        client.init()
        with pytest.raises(ProtocolViolation, match="initResponse in answer to searchRequest"):
            client.search("@attr 1=4 fjell")
        assert client.close() is None  # the violation ended the connection


def test_unsolicited_pdus_are_counted_and_bounded() -> None:
    resource_control = bytes.fromhex("be 03 02 01 00")  # resourceControlRequest [30]

    def chatty(sock: socket.socket, requests: Requests) -> None:
        sock.sendall(resource_control)  # before any request
        requests.answer(INIT_OK)
        request = requests.next()
        sock.sendall(resource_control * 2)
        sock.sendall(encode(SearchResponse(True, 3, reference_id=getattr(request, "reference_id", None))))
        requests.next()
        sock.sendall(resource_control * 3)
        time.sleep(0.5)

    with target(chatty) as port:
        client = Client("127.0.0.1", port, timeout=2, max_unsolicited=4)
        time.sleep(0.1)
        assert client.init().result
        assert client.search("@attr 1=4 fjell").result_count == 3
        assert client.unsolicited == 3
        with pytest.raises(ProtocolViolation, match="more than 4 unsolicited PDUs"):
            client.search("@attr 1=4 fjord")
        assert "unsolicited" in client.transcript[0].note


def test_a_reference_id_not_echoed_is_a_problem_but_the_answer_is_used() -> None:
    def forgetful(sock: socket.socket, requests: Requests) -> None:
        requests.answer(INIT_OK)
        requests.next()
        sock.sendall(encode(SearchResponse(False, 0, 0, 0, 3, None, None, (bib1(114, "9999"),))))

    with target(forgetful) as port, Client("127.0.0.1", port, timeout=2) as client:
        client.init()
        search = client.search("@attr 1=9999 x")
        assert search.diagnostics == (bib1(114, "9999"),)
        assert [p.rule.id for p in client.problems] == ["reference_id_not_echoed"]
        assert "reference_id_not_echoed" in client.transcript[-1].received
        client.close()  # the target has gone: the Close goes unanswered
    assert [p.rule.id for p in client.problems] == ["reference_id_not_echoed", "close_not_answered"]


def test_leaving_the_client_sends_close_and_reads_the_answer() -> None:
    seen: list[object] = []

    def polite(sock: socket.socket, requests: Requests) -> None:
        requests.answer(INIT_OK)
        seen.append(requests.next())
        sock.sendall(encode(Close(8, reference_id=getattr(seen[0], "reference_id", None))))

    with target(polite) as port, Client("127.0.0.1", port, timeout=2) as client:
        client.init()
    assert seen == [Close(0, reference_id=b"h2")]
    assert client.problems == [] and "closeReason: 8 (responseToPeer)" in client.transcript[-1].received


def test_a_refused_init_is_an_answer_and_no_close_follows() -> None:
    refused = InitResponse(False, diagnostics=(bib1(1011, "feil passord"),))
    def refusing(sock: socket.socket, requests: Requests) -> None:
        requests.answer(refused)
        time.sleep(0.3)

    with target(refusing) as port:
        with Client("127.0.0.1", port, timeout=2) as client:
            init = client.init()
        assert not init.result and [d.condition for d in init.diagnostics] == [1011]
        assert len(client.transcript) == 1


def test_nobody_listening_is_unreachable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(TargetUnreachable, match=f"127.0.0.1:{port}: cannot connect"):
        Client("127.0.0.1", port, timeout=1)
