"""SIP-03, SIP-06, SEC-02 and the SIP2 path of SPR-01: patrons' names and patrons' privacy.

The wrong-PIN probes of every request that carries a PIN are in test_wrong_pin.py.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from harness.findings import not_tested
from harness.sip2 import defects
from harness.sip2 import requests as rq
from harness.sip2.checks import SPEC, ask, fail
from harness.sip2.codec import resolve_charset

PERSONAL_FIELDS = ("AE", "BD", "BE", "BF", "AS", "AT", "AU", "AV", "BU", "CD")
UNKNOWN_PATRON = "HARNESS-NO-SUCH-PATRON-0"


def _personal_data(message: Any) -> list[str]:
    return [f"{fid}{value}" for fid, value in message.fields if fid in PERSONAL_FIELDS and value.strip()]


@pytest.mark.requirement("SIP-03", "SPR-01")
@pytest.mark.failed_by(defects.LATIN1_NAMES, defects.NFD_NAMES)
def test_sami_patron_name_round_trips(sip2: Any, sip2_target: Any) -> None:
    """A patron with a Sámi, Kven or Norwegian name comes back byte-exact in the declared character set

    nb: En låner med samisk, kvensk eller norsk navn kommer tilbake byte for byte i oppgitt tegnsett
    """
    named = [p for p in sip2_target.patrons if p.name and not p.name.isascii()]
    if not named:
        not_tested("the profile lists no test patron with a non-ASCII name")
    charset = resolve_charset(sip2_target.charset)
    for patron in named:
        try:
            patron.name.encode(charset)
        except UnicodeEncodeError as exc:
            lost = patron.name[exc.start:exc.end]
            raise fail(f"the declared character set {sip2_target.charset} cannot hold {lost!r} in {patron.name!r}",
                       clause="SIP-03: the character set is declared and can carry Sámi names (cp850 and Latin-1 hold no č đ ŋ ŧ; UTF-8 does)",
                       client=sip2, expected="a character set that holds every letter of the consortium's languages (UTF-8)") from None
        reply = ask(sip2, rq.patron_information(sip2_target.institution, patron.barcode, patron.pin))
        got = reply.get("AE") or ""
        if got.encode(charset) != patron.name.encode(charset):
            form = " (same letters, decomposed: NFD)" if unicodedata.normalize("NFC", got) == patron.name else ""
            raise fail(f"patron name came back as {got!r}, expected {patron.name!r}{form}",
                       clause=f"{SPEC}: personal name (AE); SPR-01 byte-exact in the declared set {sip2_target.charset}",
                       client=sip2, expected=f"AE{patron.name} encoded in {sip2_target.charset}", hex=True)


@pytest.mark.requirement("SIP-06")
@pytest.mark.failed_by(defects.UNKNOWN_PATRON_DATA)
def test_unknown_patron_refused(sip2: Any, sip2_target: Any) -> None:
    """An unknown patron is answered BL = N with no personal data

    nb: En ukjent låner besvares med BL = N og uten persondata
    """
    reply = ask(sip2, rq.patron_status(sip2_target.institution, UNKNOWN_PATRON, "0000"))
    leaked = _personal_data(reply)
    if reply.get("BL") != "N" or leaked:
        raise fail(f"unknown patron answered BL={reply.get('BL')!r}" + (f" with {leaked}" if leaked else ""),
                   clause=f"{SPEC}: Patron Status Response (24), valid patron (BL); NYPL-Simplified/circulation PR #756",
                   client=sip2, expected="BLN and an empty AE")


@pytest.mark.requirement("SIP-06", "SEC-02")
@pytest.mark.failed_by(defects.NO_LOGIN_REQUIRED)
def test_no_patron_data_before_login(sip2_connect: Any, sip2_target: Any) -> None:
    """Without a 93 login, a patron request gets no personal data (any answer, 96 or a closed connection)

    nb: Uten innlogging (93) gir en lånerforespørsel ingen persondata (svar, 96 eller lukket forbindelse)
    """
    if not sip2_target.patrons:
        not_tested("the profile lists no [[patron]] test data")
    patron = sip2_target.patrons[0]
    client = sip2_connect()
    from harness.sip2.client import ConnectionLost

    try:
        replies = client.send_raw(_frame(client, rq.patron_information(sip2_target.institution, patron.barcode, patron.pin, 2)), allow_silence=True)
    except ConnectionLost:
        return  # closing the connection is a refusal
    leaked = [f for d in replies if d.message for f in _personal_data(d.message)]
    if leaked:
        raise fail(f"patron data before login: {leaked}", clause=f"{SPEC}: Login (93) precedes patron transactions; SEC-02",
                   client=client, expected="no AE, item lists or contact data until the SC has logged in")


def _frame(client: Any, message: Any) -> bytes:
    from harness.sip2.codec import encode

    return encode(message, charset=client.charset, error_detection=client.error_detection, sequence=client.next_sequence)
