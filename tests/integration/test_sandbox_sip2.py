"""The sandbox's SIP2 server over real sockets on loopback: sessions, circulation, robustness.

Every reply the sandbox sends in these tests is also decoded by pysip2 0.1.0 (a codec nobody
here wrote, configured for UTF-8) and by the harness's own decoder; a reply either rejects
fails the test that provoked it. Tests that change state (checkouts) check the items in again.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pysip2
import pytest

from harness.defects import DefectSet
from harness.paths import SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox
from harness.sandbox.tcp import FramedTCPServer
from harness.sip2 import Client, Decoded, Message, TLSFailed, encode, format_date, verify_checksum
from harness.sip2 import defects as sip2_defects
from harness.sip2.codec import Severity
from harness.sip2.sandbox.acs import ACS, AcsConversation
from harness.sip2.sandbox.service import Sip2Service
from harness.sip2.unit import SIP2

USERNAME, PASSWORD = "sc-tromso", "sandbox-sip"
SAMI = ("TST0000002", "5822", "Nils Ŋuolggat Đuoddarŧ", "NO-9900011")  # barcode, PIN, name, home (school)
PUBLIC = ("TST0000001", "4711", "Máret Ánne Sara", "NO-9900002")  # Kautokeino, public
FEES = ("TST0000003", "6933")  # owes 50.00 NOK
TROMSO_ITEM, SCHOOL_ITEM, BUS_ITEM, DEPOSIT_ITEM = "99001000010", "99011000013", "99021000015", "99001000020"
Connect = Callable[..., Client]


class Endpoints:
    """The SIP2 endpoints the sandbox wrote into its resolved profile."""

    def __init__(self, box: Sandbox) -> None:
        settings = box.resolved.settings_for(SIP2)
        assert settings is not None
        self.sip2 = (settings.host, settings.port)
        self.sip2_tls = (settings.host, settings.tls_port) if settings.tls_port else None
        self.sip2_ca_file = str(settings.ca_file) if settings.ca_file else None
        service = box.service("sip2")
        self.sip2_tls_note = service._tls_note if isinstance(service, Sip2Service) else ""


def now() -> str:
    return format_date(datetime.now())


def login(username: str = USERNAME, password: str = PASSWORD) -> Message:
    return Message.build("93", ("0", "0"), [("CN", username), ("CO", password), ("CP", "TROMSO-MAIN")])


def sc_status() -> Message:
    return Message.build("99", ("0", "040", "2.00"))


def patron_status(barcode: str, pin: str, ao: str = "TROMSO") -> Message:
    return Message.build("23", ("012", now()), [("AO", ao), ("AA", barcode), ("AC", ""), ("AD", pin)])


def patron_info(barcode: str, pin: str, summary: int | None = None, ao: str = "TROMSO") -> Message:
    flags = "".join("Y" if i == summary else " " for i in range(10))
    return Message.build("63", ("012", now(), flags), [("AO", ao), ("AA", barcode), ("AC", ""), ("AD", pin)])


def checkout(ao: str, patron: str, pin: str, item: str) -> Message:
    return Message.build("11", ("N", "N", now(), " " * 18), [("AO", ao), ("AA", patron), ("AB", item), ("AC", ""), ("AD", pin)])


def checkin(ao: str, item: str) -> Message:
    return Message.build("09", ("N", now(), now()), [("AP", ao), ("AO", ao), ("AB", item), ("AC", "")])


def item_info(item: str, ao: str = "TROMSO") -> Message:
    return Message.build("17", (now(),), [("AO", ao), ("AB", item)])


def pysip2_problem(raw: bytes) -> str | None:
    """Why pysip2 0.1.0 rejects a reply, or None. It wants a bare CR, so the frame's own
    terminator is kept: a CR LF reply is a pysip2 rejection too (research §3 P1)."""
    try:
        pysip2.decode_message(raw, encoding="utf-8")
    except (pysip2.SIP2Error, UnicodeDecodeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def judge(replies: list[Decoded]) -> list[str]:
    """Every reply must satisfy pysip2 and the harness's own decoder (nothing above INFO)."""
    problems = []
    for reply in replies:
        ours = [str(f) for f in reply.findings if f.severity is not Severity.INFO]
        theirs = pysip2_problem(reply.raw)
        if ours or theirs:
            problems.append(f"{reply.raw!r}: ours {ours}, pysip2 {theirs}")
    return problems



@pytest.fixture()
def connect(sandbox: Sandbox) -> Iterator[Connect]:
    """Open clients (logged in unless asked not to); all their replies are judged at the end."""
    clients: list[Client] = []

    def make(logged_in: bool = True, **options: Any) -> Client:
        client = Client(*Endpoints(sandbox).sip2, timeout=5, **options)
        clients.append(client)
        if logged_in:
            reply = client.send(login()).message
            assert reply is not None and (reply.code, reply.fixed) == ("94", ("1",))
        return client

    yield make
    for client in clients:
        client.close()
    replies = [reply for client in clients for exchange in client.transcript for reply in exchange.replies]
    assert replies and not judge(replies), judge(replies)


def ask(client: Client, request: Message) -> Message:
    reply = client.send(request)
    assert reply.message is not None, reply
    expected = request.spec.response if request.spec else None
    assert reply.message.code == expected, (request.code, reply.raw)
    return reply.message


# -- login, status -------------------------------------------------------------------------

def test_login_accepts_the_profile_account_only(connect: Connect) -> None:
    client = connect(logged_in=False)
    assert ask(client, login(password="wrong")).fixed == ("0",)
    assert ask(client, patron_status(*SAMI[:2])).get("AE") == ""  # still not logged in
    assert ask(client, login()).fixed == ("1",)
    assert ask(client, patron_status(*SAMI[:2])).get("AE") == SAMI[2]
    assert ask(client, login(username="sc-alta", password=PASSWORD)).fixed == ("0",)  # and logged out again
    assert ask(client, patron_status(*SAMI[:2])).get("AE") == ""


def test_sc_status_before_login_declares_what_is_implemented(connect: Connect) -> None:
    status = ask(connect(logged_in=False), sc_status())
    fixed = status.fixed_map()
    assert (fixed["online_status"], fixed["timeout_period"], fixed["retries_allowed"], fixed["protocol_version"]) == ("Y", "030", "003", "2.00")
    assert status.get("AO") == "TROMSO" and status.get("AM") == "Tromsø bibliotek"
    assert status.get("BX") == "Y" * 16  # every 2.00 message is implemented


def test_no_patron_data_before_login(connect: Connect) -> None:
    client = connect(logged_in=False)
    for request in (patron_status(*SAMI[:2]), patron_info(*SAMI[:2], summary=2)):
        reply = ask(client, request)
        assert (reply.get("AE"), reply.get("BL"), reply.get("CQ")) == ("", "N", "N")
        assert reply.fixed_value("patron_status")[:4] == "YYYY" and not reply.get_all("AU")
    refused = ask(client, checkout("TROMSO", SAMI[0], SAMI[1], TROMSO_ITEM))
    assert refused.fixed_value("ok") == "0" and (refused.get("AJ"), refused.get("AH")) == ("", "")


# -- patrons: names, PINs --------------------------------------------------------------------

def test_sami_patron_name_round_trips_byte_exact_in_utf8(connect: Connect) -> None:
    client = connect()
    reply = client.send(patron_info(*SAMI[:2]))
    assert b"|AE" + SAMI[2].encode("utf-8") + b"|" in reply.raw
    assert verify_checksum(reply.raw) and reply.message is not None and reply.message.get("AE") == SAMI[2]
    assert reply.message.sequence == client.next_sequence - 1  # the request's AY, echoed
    assert reply.message.get("AO") == "TROMSO"


def test_wrong_pin_and_unknown_patron_get_no_personal_data(connect: Connect) -> None:
    client = connect()
    wrong = ask(client, patron_info(FEES[0], "0000", summary=3))
    assert (wrong.get("BL"), wrong.get("CQ"), wrong.get("AE"), wrong.get("BV")) == ("Y", "N", "", None)
    assert not wrong.get_all("AV") and wrong.fixed_value("fine_items_count") == "    "
    unknown = ask(client, patron_status("TST9999999", "1234"))
    assert (unknown.get("BL"), unknown.get("CQ"), unknown.get("AE")) == ("N", "N", "")


def test_summary_lists_match_their_counts(connect: Connect) -> None:
    client = connect()
    holds = ask(client, patron_info(*PUBLIC[:2], summary=0))
    pending = ask(client, patron_info(*PUBLIC[:2], summary=5))
    assert len(holds.get_all("AS")) == int(holds.fixed_value("hold_items_count")) == 1  # research §3 P15
    assert len(pending.get_all("CD")) == int(pending.fixed_value("unavailable_holds_count")) == 1
    fines = ask(client, patron_info(*FEES, summary=3))
    assert (fines.get("BH"), fines.get("BV")) == ("NOK", "50.00") and len(fines.get_all("AV")) == 1
    overdue = ask(client, patron_info(*FEES, summary=1))
    assert len(overdue.get_all("AT")) == int(overdue.fixed_value("overdue_items_count")) == 1


# -- circulation across the consortium ---------------------------------------------------------

def test_cross_library_checkout_both_ways_then_checkin(connect: Connect, sandbox: Sandbox) -> None:
    client = connect()
    public_at_school = ask(client, checkout("KONGSBAKKEN", PUBLIC[0], PUBLIC[1], SCHOOL_ITEM))
    school_at_public = ask(client, checkout("TROMSO", SAMI[0], SAMI[1], TROMSO_ITEM))
    try:
        for reply in (public_at_school, school_at_public):
            assert reply.fixed_value("ok") == "1" and len(reply.get("AH") or "") == 18, reply
        assert public_at_school.get("AJ") == "Ærfugl og øyvær"
        loans = sandbox.consortium.loans  # the MARC channel sees the same loans
        assert loans[SCHOOL_ITEM] == PUBLIC[0] and loans[TROMSO_ITEM] == SAMI[0]
        taken = ask(client, checkout("TROMSO", FEES[0], FEES[1], TROMSO_ITEM))
        assert taken.fixed_value("ok") == "0"  # on loan to someone else
        assert ask(client, item_info(TROMSO_ITEM)).fixed_value("circulation_status") == "04"
    finally:
        back = [ask(client, checkin("KONGSBAKKEN", SCHOOL_ITEM)), ask(client, checkin("TROMSO", TROMSO_ITEM))]
    assert all(r.fixed_value("ok") == "1" and r.fixed_value("alert") == "N" and r.get("CT") is None for r in back)
    assert SCHOOL_ITEM not in sandbox.consortium.loans and TROMSO_ITEM not in sandbox.consortium.loans


def test_blocked_patron_may_not_borrow(connect: Connect) -> None:
    client = connect()
    block = Message.build("01", ("N", now()), [("AO", "TROMSO"), ("AL", "Mistet kort"), ("AA", SAMI[0]), ("AC", "")])
    assert ask(client, block).fixed_value("patron_status")[0] == "Y"
    assert ask(client, checkout("TROMSO", SAMI[0], SAMI[1], TROMSO_ITEM)).fixed_value("ok") == "0"
    enable = Message.build("25", (now(),), [("AO", "TROMSO"), ("AA", SAMI[0]), ("AD", SAMI[1])])
    enabled = ask(client, enable)
    assert enabled.fixed_value("patron_status") == " " * 14 and enabled.get("AE") == SAMI[2]


@pytest.mark.parametrize(("item", "home"), [(SCHOOL_ITEM, "NO-9900011"), (BUS_ITEM, "NO-9900021"), (DEPOSIT_ITEM, "NO-9900012")],
                         ids=["school", "bookbus", "deposit"])
def test_foreign_checkin_routes_the_item_home(connect: Connect, item: str, home: str) -> None:
    client = connect()
    routed = ask(client, checkin("TROMSO", item))
    assert routed.fixed_value("ok") == "1" and routed.fixed_value("alert") == "Y"
    assert (routed.get("CT"), routed.get("CV"), routed.get("AQ")) == (home, "04", home)
    assert ask(client, item_info(item)).fixed_value("circulation_status") == "10"  # in transit
    home_code = {"NO-9900011": "KONGSBAKKEN", "NO-9900021": "BOKBUSS", "NO-9900012": "ALTAVGS"}[home]
    arrived = ask(client, checkin(home_code, item))
    assert arrived.fixed_value("alert") == "N" and arrived.get("CT") is None
    assert ask(client, item_info(item)).fixed_value("circulation_status") == "03"


def test_every_other_message_answers_with_its_response(connect: Connect) -> None:
    client = connect()
    renewed = ask(client, checkout("TROMSO", SAMI[0], SAMI[1], TROMSO_ITEM))
    try:
        renew = Message.build("29", ("N", "N", now(), " " * 18), [("AO", "TROMSO"), ("AA", SAMI[0]), ("AD", SAMI[1]), ("AB", TROMSO_ITEM)])
        assert ask(client, renew).fixed_value("renewal_ok") == "Y" and renewed.fixed_value("ok") == "1"
        renew_all = ask(client, Message.build("65", (now(),), [("AO", "TROMSO"), ("AA", SAMI[0]), ("AD", SAMI[1])]))
        assert renew_all.fixed_value("ok") == "1" and TROMSO_ITEM in renew_all.get_all("BM") + renew_all.get_all("BN")
        update = ask(client, Message.build("19", (now(),), [("AO", "TROMSO"), ("AB", TROMSO_ITEM), ("CH", "RFID AFI 07")]))
        assert update.fixed_value("item_properties_ok") == "1" and update.get("CH") == "RFID AFI 07"
    finally:
        ask(client, checkin("TROMSO", TROMSO_ITEM))
    paid = ask(client, Message.build("37", (now(), "04", "00", "NOK"), [("BV", "50.00"), ("AO", "TROMSO"), ("AA", FEES[0]), ("AD", FEES[1])]))
    assert paid.fixed_value("payment_accepted") == "Y" and paid.get("BK")
    assert ask(client, patron_info(*FEES)).get("BV") is None  # nothing owed any more
    hold = Message.build("15", ("+", now()), [("AO", "TROMSO"), ("AA", SAMI[0]), ("AD", SAMI[1]), ("AB", DEPOSIT_ITEM), ("BS", "KONGSBAKKEN")])
    placed = ask(client, hold)
    assert placed.fixed_value("ok") == "1" and placed.get("BS") == "KONGSBAKKEN" and placed.get("BR") == "1"
    drop = Message.build("15", ("-", now()), [("AO", "TROMSO"), ("AA", SAMI[0]), ("AD", SAMI[1]), ("AB", DEPOSIT_ITEM)])
    assert ask(client, drop).fixed_value("ok") == "1"
    ended = ask(client, Message.build("35", (now(),), [("AO", "TROMSO"), ("AA", SAMI[0]), ("AD", SAMI[1])]))
    assert ended.fixed_value("end_session") == "Y"


def test_replies_without_error_detection_carry_no_trailer(connect: Connect) -> None:
    client = connect(logged_in=False, error_detection=False)
    reply = client.send(sc_status())
    assert reply.raw.endswith(b"|\r") and b"AZ" not in reply.raw[-10:]


# -- error detection, resend, bad input -------------------------------------------------------------

def test_resend_repeats_the_last_reply(connect: Connect) -> None:
    client = connect(logged_in=False)
    assert client.send_raw(b"97AZFEF5\r")[0].raw == b"96AZFEF6\r"  # nothing sent yet
    first = client.send(sc_status())
    again = client.send_raw(b"97AZFEF5\r")[0]
    assert again.raw == first.raw


def test_bad_checksum_is_answered_96_and_not_processed(connect: Connect, sandbox: Sandbox) -> None:
    client = connect()
    frame = encode(checkout("TROMSO", SAMI[0], SAMI[1], TROMSO_ITEM), sequence=5)
    tampered = frame[:-5] + (b"0000" if frame[-5:-1] != b"0000" else b"0001") + b"\r"
    assert [r.raw for r in client.send_raw(tampered)] == [b"96AZFEF6\r"]
    assert TROMSO_ITEM not in sandbox.consortium.loans


def test_unknown_command_is_answered_96(connect: Connect) -> None:
    client = connect(logged_in=False)
    assert [r.raw for r in client.send_raw(b"XX hello\r")] == [b"96\r"]
    assert [r.raw for r in client.send_raw(b"98YYYYYN\r")] == [b"96\r"]  # an ACS reply is not a request


def test_garbage_and_broken_clients_do_not_kill_the_server(sandbox: Sandbox, connect: Connect) -> None:
    address = Endpoints(sandbox).sip2
    with socket.create_connection(address, timeout=5) as raw:
        raw.sendall(b"\xff\xfe\x00garbage\r")
        assert raw.recv(100) == b"96\r"
        raw.sendall(b"x" * 70_000)  # no terminator, over the frame limit: answered 96, rest dropped
        assert raw.recv(100) == b"96\r"
    with socket.create_connection(address, timeout=5) as raw:
        raw.sendall(b"2301220261124    193218AOTROM")  # and hang up mid-message
    with socket.create_connection(address, timeout=5):
        pass  # connect and leave at once
    client = connect()
    assert ask(client, patron_status(*SAMI[:2])).get("AE") == SAMI[2]


def test_identical_repeated_request_is_processed_anew(connect: Connect) -> None:
    client, other = connect(), connect()
    frame = encode(item_info(TROMSO_ITEM), sequence=3)
    before = client.send_raw(frame)[0].message
    ask(other, checkout("TROMSO", SAMI[0], SAMI[1], TROMSO_ITEM))
    try:
        after = client.send_raw(frame)[0].message
    finally:
        ask(other, checkin("TROMSO", TROMSO_ITEM))
    assert before is not None and after is not None
    assert (before.fixed_value("circulation_status"), after.fixed_value("circulation_status")) == ("03", "04")


# -- TLS, lifecycle ---------------------------------------------------------------------------------

def test_sip2_over_tls_verifies_with_the_sandbox_ca(sandbox: Sandbox) -> None:
    endpoints = Endpoints(sandbox)
    if endpoints.sip2_tls is None:
        pytest.skip(f"TLS listener not started: {endpoints.sip2_tls_note}")
    for host in ("127.0.0.1", "localhost"):
        with Client(host, endpoints.sip2_tls[1], tls=True, ca_file=endpoints.sip2_ca_file, timeout=5) as client:
            assert client.send(login()).message.fixed == ("1",)  # type: ignore[union-attr]
            reply = client.send(patron_info(*SAMI[:2]))
            assert not judge([reply]) and reply.message is not None and reply.message.get("AE") == SAMI[2]


def test_tls_certificate_for_the_wrong_host_is_refused() -> None:
    box = Sandbox(load_profile(SANDBOX_PROFILE), DefectSet(frozenset({sip2_defects.TLS_WRONG_HOSTNAME})))
    box.start()
    endpoints = Endpoints(box)
    try:
        if endpoints.sip2_tls is None:
            pytest.skip(f"TLS listener not started: {endpoints.sip2_tls_note}")
        with pytest.raises(TLSFailed, match="(?i)hostname|IP address mismatch"):
            Client(*endpoints.sip2_tls, tls=True, ca_file=endpoints.sip2_ca_file, timeout=5)
        plain = Client(*endpoints.sip2, timeout=5)  # the server survives the failed handshake
        assert plain.send(sc_status()).message is not None
        plain.close()
    finally:
        box.stop()


def test_idle_connections_are_closed(sandbox: Sandbox) -> None:
    service = sandbox.service("sip2")
    assert isinstance(service, Sip2Service) and service.acs is not None
    acs = ACS(sandbox.consortium, service.acs.account)
    server = FramedTCPServer("sip2-idle", lambda: AcsConversation(acs), idle_timeout=0.3)
    address = server.start()
    try:
        with socket.create_connection(address, timeout=5) as raw:
            started = time.monotonic()
            assert raw.recv(10) == b""  # the server hung up
            assert 0.2 < time.monotonic() - started < 3
    finally:
        server.stop()


def test_stop_closes_listeners_and_connections_within_two_seconds() -> None:
    box = Sandbox(load_profile(SANDBOX_PROFILE))
    box.start()
    endpoints = Endpoints(box)
    idle = [socket.create_connection(endpoints.sip2, timeout=5)]
    if endpoints.sip2_tls is not None:
        idle.append(socket.create_connection(endpoints.sip2_tls, timeout=5))  # mid-handshake, even
    talking = Client(*endpoints.sip2, timeout=5)
    talking.send(sc_status())
    started = time.monotonic()
    box.stop()
    assert time.monotonic() - started < 2
    for sock in idle:
        sock.settimeout(2)
        assert sock.recv(10) == b""  # closed by the server, not by the idle timeout
        sock.close()
    talking.close()
    for address in filter(None, (endpoints.sip2, endpoints.sip2_tls)):
        with pytest.raises(OSError), socket.create_connection(address, timeout=1):
            pass
