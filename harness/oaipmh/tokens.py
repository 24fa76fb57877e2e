"""The provider's resumption tokens: a signed, expiring position in a list (§3.5, §3.5.1).

A token carries the list's selection (verb, prefix, from, until, set) and the key of the last
item sent, ``(datestamp, identifier)``, never an offset: the provider lists items in key order,
and a record changed during a harvest gets a later datestamp, so it moves *behind* the cursor
and comes again later in the same list; no other record shifts, so none is skipped. (An offset
token skips one record for every record that moves from before the cursor to after it.)

The token is stateless, so re-issuing it gives the same page modulo changes (§3.5.1); it is
signed with HMAC-SHA-256, so a forged or altered token is refused, and it carries its expiry,
so an expired one is refused: both are badResumptionToken (§3.6).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

_MAC_BYTES = 16


@dataclass(frozen=True, slots=True)
class TokenState:
    verb: str
    prefix: str
    start: str | None  # from and until as the harvester wrote them
    end: str | None
    set_spec: str | None
    after_datestamp: str  # the last item sent: its key
    after_identifier: str
    cursor: int  # items sent before the page this token asks for
    complete: int  # completeListSize estimate
    expires: int  # POSIX seconds
    nonce: str = ""  # makes each token unique; only the single-use deviation needs that


class BadToken(ValueError):
    """Why a token was refused; the message goes into the badResumptionToken error."""


class ExpiredToken(BadToken):
    """A token this repository issued, past its expirationDate."""


def _mac(payload: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_token(state: TokenState, secret: bytes) -> str:
    payload = json.dumps(asdict(state), separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return f"{_b64(payload)}.{_b64(_mac(payload, secret))}"


def decode_token(token: str, secret: bytes, now: datetime, *, check_expiry: bool = True) -> TokenState:
    """The state a token encodes. Raises :class:`BadToken` for a forged or garbled one and
    :class:`ExpiredToken` for an expired one (unless ``check_expiry`` is off: a defect)."""
    payload_text, _, mac_text = token.partition(".")
    try:
        payload, mac = _unb64(payload_text), _unb64(mac_text)
    except (binascii.Error, ValueError):
        raise BadToken("the token is not one this repository issued") from None
    if not mac or not hmac.compare_digest(mac, _mac(payload, secret)):
        raise BadToken("the token is not one this repository issued")
    try:
        state = TokenState(**json.loads(payload))
    except (ValueError, TypeError):
        raise BadToken("the token is not one this repository issued") from None
    if check_expiry and now.timestamp() > state.expires:
        raise ExpiredToken(f"the token expired at {datetime.fromtimestamp(state.expires, UTC).isoformat()} (POSIX {state.expires})")
    return state
