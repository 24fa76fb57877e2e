"""The SIP2 client against tiny in-test servers on 127.0.0.1:0.

Each server is one thread handling one connection with its own socket timeouts, so it ends
by itself whatever the client does; the context manager joins it and re-raises anything it
hit. Timeouts here are short (a fraction of a second) and every loop is bounded.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.errors import TargetError, TargetTimeout, TargetUnreachable
from harness.redact import Redactor
from harness.sip2.client import Client, ConnectionLost, TLSFailed
from harness.sip2.codec import Message, decode, encode, verify_checksum
from harness.sip2.transcript import WRONG_PIN

DATE = "20261124    193218"
SC_STATUS = Message.build("99", ("0", "030", "2.00"))
Handler = Callable[[socket.socket], None]


def acs_status(sequence: int | None = None, *, terminator: bytes = b"\r") -> bytes:
    message = Message.build(
        "98", ("Y", "Y", "Y", "N", "N", "Y", "030", "003", DATE, "2.00"),
        [("AO", "NOTEST"), ("AM", "Testbibliotek i Kárášjohka"), ("BX", "YYYNYNYYYYYNNYYY")],
    )
    return encode(message, sequence=sequence, error_detection=sequence is not None, terminator=terminator)


def read_frame(conn: socket.socket) -> bytes:
    """One request, up to and including its CR (bounded by the connection's timeout)."""
    data = b""
    while not data.endswith(b"\r"):
        chunk = conn.recv(1)
        if not chunk:
            raise ConnectionResetError("client went away")
        data += chunk
    return data


def echo_sequence(request: bytes) -> int | None:
    message = decode(request).message
    return None if message is None else message.sequence


@contextmanager
def serve(handler: Handler, tls: ssl.SSLContext | None = None) -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    problems: list[BaseException] = []

    def run() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            try:
                if tls is not None:
                    with tls.wrap_socket(conn, server_side=True) as secure:
                        handler(secure)
                else:
                    handler(conn)
            except (ssl.SSLError, ConnectionError, TimeoutError):
                pass  # the client hung up or refused us: that is what some tests do
            except BaseException as exc:  # noqa: BLE001 (reported to the test below)
                problems.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        thread.join(10)
        assert not thread.is_alive(), "test server did not stop"
        if problems:
            raise problems[0]


def answer_status(conn: socket.socket, times: int = 1) -> None:
    for _ in range(times):
        request = read_frame(conn)
        assert verify_checksum(request)
        conn.sendall(acs_status(echo_sequence(request)))


# -- happy path ---------------------------------------------------------------------------------

def test_send_and_receive_one_reply() -> None:
    with serve(answer_status) as port, Client("127.0.0.1", port, timeout=2) as client:
        reply = client.send(SC_STATUS)
        assert reply.findings == ()
        assert reply.message is not None and reply.message.code == "98" and reply.message.sequence == 0
        assert reply.message.get("AM") == "Testbibliotek i Kárášjohka"
        [exchange] = client.transcript
        assert exchange.sent_text.startswith("9900302.00AY0AZ") and exchange.sent_text.endswith("<CR>")
        assert exchange.received_text.endswith("<CR>") and exchange.sequence == 0
        assert exchange.replies == (reply,)
        assert "39 39 30 30" in exchange.sent_hex and "<<< hex" in exchange.render(hex=True)


def test_sequence_numbers_wrap_from_9_to_0() -> None:
    with serve(lambda conn: answer_status(conn, 11)) as port, Client("127.0.0.1", port, timeout=2) as client:
        sequences = [client.send(SC_STATUS).message.sequence for _ in range(11)]  # type: ignore[union-attr]
    assert sequences == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]


def test_reply_split_across_many_writes() -> None:
    def slow(conn: socket.socket) -> None:
        reply = acs_status(echo_sequence(read_frame(conn)))
        for at in range(0, len(reply), 7):
            conn.sendall(reply[at : at + 7])
            time.sleep(0.002)

    with serve(slow) as port, Client("127.0.0.1", port, timeout=2) as client:
        assert client.send(SC_STATUS).findings == ()


def test_two_requests_and_two_replies_in_one_segment() -> None:
    def pipelined(conn: socket.socket) -> None:
        first, second = read_frame(conn), read_frame(conn)
        conn.sendall(acs_status(echo_sequence(first)) + acs_status(echo_sequence(second)))

    two = encode(SC_STATUS, sequence=4) + encode(SC_STATUS, sequence=5)
    with serve(pipelined) as port, Client("127.0.0.1", port, timeout=2) as client:
        replies = client.send_raw(two)
    assert [r.message.sequence for r in replies] == [4, 5]  # type: ignore[union-attr]
    assert all(r.findings == () for r in replies)


def test_crlf_replies_are_decoded_and_reported() -> None:
    def crlf(conn: socket.socket) -> None:
        conn.sendall(acs_status(echo_sequence(read_frame(conn)), terminator=b"\r\n"))

    with serve(crlf) as port, Client("127.0.0.1", port, timeout=2) as client:
        reply = client.send(SC_STATUS)
    assert [f.rule.id for f in reply.findings] == ["terminator_crlf"] and reply.ok
    assert client.transcript[0].received_text.endswith("<CR><LF>")


def test_an_extra_reply_is_not_taken_for_the_next_answer() -> None:
    def chatty(conn: socket.socket) -> None:
        sequence = echo_sequence(read_frame(conn))
        conn.sendall(acs_status(sequence))
        time.sleep(0.05)
        conn.sendall(b"96AZFEF6\r")  # an extra frame nobody asked for, in its own segment
        conn.sendall(acs_status(echo_sequence(read_frame(conn))))

    with serve(chatty) as port, Client("127.0.0.1", port, timeout=2) as client:
        assert client.send(SC_STATUS).message.code == "98"  # type: ignore[union-attr]
        time.sleep(0.2)  # the stray 96 is now waiting in the socket
        second = client.send(SC_STATUS)
    assert second.message is not None and second.message.code == "98" and second.message.sequence == 1
    _, stray, answer = client.transcript
    assert stray.note.startswith("unsolicited") and stray.sent == b""
    assert [r.message.code for r in stray.replies] == ["96"]  # type: ignore[union-attr]
    assert answer.replies == (second,)


# -- failures become ERRORs with evidence -------------------------------------------------------

def test_server_that_never_answers_times_out_within_the_timeout() -> None:
    def silent(conn: socket.socket) -> None:
        read_frame(conn)
        conn.recv(1)  # wait for the client to give up and close

    with serve(silent) as port:
        client = Client("127.0.0.1", port, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(TargetTimeout, match="0 of 1 replies within 0.3s"):
            client.send(SC_STATUS)
        assert time.monotonic() - started < 2
        assert client.transcript[0].note.startswith("0 of 1 replies")
        with pytest.raises(ConnectionLost, match="closed"):  # the session ended with the timeout
            client.send(SC_STATUS)


def test_trickling_server_cannot_hold_the_exchange_past_its_deadline() -> None:
    def trickle(conn: socket.socket) -> None:
        read_frame(conn)
        for byte in acs_status(0)[:-1]:
            conn.sendall(bytes([byte]))
            time.sleep(0.05)
            if conn.fileno() < 0:
                return

    with serve(trickle) as port, Client("127.0.0.1", port, timeout=0.4) as client:
        started = time.monotonic()
        reply = client.send(SC_STATUS)  # what came is a reply that never ended: the target's fault
        assert time.monotonic() - started < 2
        assert reply.rules()[0] == "truncated" and reply.raw == client.transcript[0].received
        assert 0 < len(client.transcript[0].received) < len(acs_status(0))
        assert "no terminator within 0.4s" in client.transcript[0].note
        with pytest.raises(ConnectionLost):  # the stream is out of step: the client hung up
            client.send(SC_STATUS)


def test_silence_is_a_timeout() -> None:
    def silent(conn: socket.socket) -> None:
        read_frame(conn)
        time.sleep(1)

    with serve(silent) as port, Client("127.0.0.1", port, timeout=0.3) as client, pytest.raises(TargetTimeout):
        client.send(SC_STATUS)


def test_silence_can_be_an_observation_for_bad_input_tests() -> None:
    def ignores_garbage(conn: socket.socket) -> None:
        read_frame(conn)
        conn.recv(1)

    with serve(ignores_garbage) as port, Client("127.0.0.1", port, timeout=0.3) as client:
        assert client.send_raw(b"XX garbage\r", allow_silence=True) == []
        assert client.transcript[0].note == "0 of 1 replies within 0.3s"


def test_server_closing_mid_message_returns_the_truncated_reply_for_a_check_to_judge() -> None:
    """Half a reply, then the end: the target's fault (a FAIL a check judges), not an ERROR."""
    def cut_off(conn: socket.socket) -> None:
        read_frame(conn)
        conn.sendall(acs_status(0)[:30])

    with serve(cut_off) as port, Client("127.0.0.1", port, timeout=2) as client:
        truncated = client.send(SC_STATUS)
        with pytest.raises(ConnectionLost):
            client.send(SC_STATUS)  # the connection is closed: nothing after a cut reply is trusted
    exchange = client.transcript[0]
    assert exchange.received == acs_status(0)[:30] and "mid-message after 30 bytes" in exchange.note
    # Cut inside the fixed part: no message to read, but the reply and its fault are there.
    assert truncated.rules()[0] == "truncated" and truncated.raw == acs_status(0)[:30]


def test_server_closing_without_a_byte_is_connection_lost() -> None:
    with (serve(read_frame) as port, Client("127.0.0.1", port, timeout=2) as client,
          pytest.raises(ConnectionLost, match="closed the connection") as caught):
        client.send(SC_STATUS)
    assert isinstance(caught.value, TargetError) and caught.value.exchange is not None


def test_connection_refused_is_unreachable() -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(TargetUnreachable, match=f"127.0.0.1:{port}: cannot connect"):
        Client("127.0.0.1", port, timeout=1)


# -- secrets ------------------------------------------------------------------------------------

def test_passwords_and_pins_are_masked_in_the_transcript() -> None:
    def logins(conn: socket.socket) -> None:
        read_frame(conn)
        conn.sendall(b"941\r")
        read_frame(conn)
        conn.sendall(b"24" + b" " * 14 + b"012" + DATE.encode() + b"AONOTEST|AA1|AEx|ADpin4321|\r")

    login = Message.build("93", ("0", "0"), [("CN", "automat"), ("CO", "hemmelig-passord"), ("CP", "bib")])
    status = Message.build("23", ("012", DATE), [("AO", "NOTEST"), ("AA", "1"), ("AC", "terminal-pw"), ("AD", "pin4321")])
    with serve(logins) as port, Client("127.0.0.1", port, timeout=2, error_detection=False) as client:
        client.send(login)
        client.send(status)
    transcript = "\n".join(e.render(hex=True) for e in client.transcript)
    for secret in ("hemmelig-passord", "pin4321"):  # secret fields: masked when the exchange is kept
        assert secret not in transcript
        assert secret.encode().hex(" ") not in transcript
    assert "COhemmelig" not in transcript and "CO***|" in transcript and "AD***|" in transcript
    assert "CNautomat|" in transcript  # the user id is not a secret
    # AC is not a secret field; the run's redactor masks its value at the edge, hex and all.
    assert "terminal-pw" in transcript
    rendered = Redactor(["terminal-pw"]).redact(transcript)
    assert "terminal-pw" not in rendered


def test_the_deliberately_wrong_pin_is_shown_as_it_is() -> None:
    def answer(conn: socket.socket) -> None:
        read_frame(conn)
        conn.sendall(b"24" + b" " * 14 + b"012" + DATE.encode() + b"AONOTEST|AA1|BLY|CQN|\r")

    status = Message.build("23", ("012", DATE), [("AO", "NOTEST"), ("AA", "1"), ("AD", WRONG_PIN)])
    with serve(answer) as port, Client("127.0.0.1", port, timeout=2, error_detection=False) as client:
        client.send(status)
    rendered = client.transcript[-1].render()
    assert f"AD{WRONG_PIN}|" in rendered
    assert f"AD{WRONG_PIN}|" in Redactor(["4711"]).redact(rendered)


# -- TLS ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not found: install it (Debian: apt-get install openssl) for the TLS tests")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_tls_refuses_a_self_signed_certificate_by_default(self_signed: tuple[Path, Path]) -> None:
    with (serve(answer_status, tls=server_context(*self_signed)) as port,
          pytest.raises(TLSFailed, match="certificate verify failed.*verify=False accepts it") as caught):
        Client("127.0.0.1", port, timeout=2, tls=True)
    assert isinstance(caught.value, TargetUnreachable)


def test_tls_with_explicit_opt_out_works(self_signed: tuple[Path, Path]) -> None:
    with (serve(answer_status, tls=server_context(*self_signed)) as port,
          Client("127.0.0.1", port, timeout=2, tls=True, verify=False) as client):
        assert client.send(SC_STATUS).findings == ()


def test_tls_verifies_against_a_given_ca_file(self_signed: tuple[Path, Path]) -> None:
    cert, _ = self_signed
    with (serve(answer_status, tls=server_context(*self_signed)) as port,
          Client("127.0.0.1", port, timeout=2, tls=True, ca_file=str(cert)) as client):
        assert client.send(SC_STATUS).message.code == "98"  # type: ignore[union-attr]


def test_tls_client_never_falls_back_to_plaintext() -> None:
    def plaintext(conn: socket.socket) -> None:
        conn.recv(4096)  # a TLS ClientHello, which a plaintext SIP2 server cannot read
        conn.sendall(acs_status())

    with serve(plaintext) as port, pytest.raises(TLSFailed, match="TLS handshake failed"):
        Client("127.0.0.1", port, timeout=1, tls=True, verify=False)
