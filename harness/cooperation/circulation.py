"""A self-service machine of the consortium, over SIP2, that puts back everything it changed.

A cooperation story lends, returns and reserves through :class:`Desk` and reads the effect
on the other paths. Every loan is checked in again at the item's home library (which also
ends a transit) and every hold cancelled, whatever the outcome. A reply the harness cannot
read, or a refusal, is not the story's to judge: the SIP2 suite owns it (SIP-04, SIP-05,
the layout checks), so the story says it could not judge and names that check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.errors import TargetError
from harness.evidence import Exchange
from harness.findings import cannot_judge
from harness.profile import TestItem, TestPatron
from harness.sip2 import requests as rq
from harness.sip2.client import Client
from harness.sip2.codec import Message
from harness.sip2.messages import MESSAGES
from harness.sip2.target import Sip2Target

LAYOUT_OWNER = "sip2 suite (test_reply_layouts_conform)"
LENDING_OWNER = "sip2 suite (test_public_patron_borrows_at_school, test_school_patron_borrows_at_public)"  # SIP-04
# Text sent in another character set than declared. No SIP2 check reads item titles for it: the
# patron-name check sees it where the ACS sends names the same way (a whole reply in one charset).
CHARSET_OWNER = ("sip2 suite (character set; test_sami_patron_name_round_trips reports it where patron names arrive "
                 "the same way, no SIP2 check reads item titles)")
GARBLED = ("\ufffd", "?")  # what a letter the ACS could not encode, or the harness not decode, turns into


@dataclass
class Desk:
    target: Sip2Target
    client: Client
    exchanges: list[Exchange] = field(default_factory=list)  # what the story did, as evidence
    lent: list[TestItem] = field(default_factory=list)
    held: list[tuple[TestPatron, TestItem]] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"{self.client.host}:{self.client.port}"

    def at(self, library: str) -> str:
        """The SIP2 institution id of a member library."""
        return self.target.institution_of(library)

    def ask(self, request: Message, what: str) -> Message:
        decoded = self.client.send(request)
        if self.client.transcript:
            self.exchanges.append(self.client.transcript[-1].to_evidence(self.endpoint))
        message = decoded.message
        expected = MESSAGES[request.code].response
        if message is None or (expected and message.code != expected):
            cannot_judge(f"the SIP2 reply to {what} could not be read as {expected}", LAYOUT_OWNER)
        return message

    def checkout(self, patron: TestPatron, item: TestItem, library: str) -> Message:
        self.lent.append(item)  # checked in again afterwards, whatever the reply
        reply = self.ask(rq.checkout(self.at(library), patron.barcode, item.barcode, patron.pin), f"the checkout of {item.barcode}")
        if reply.fixed_value("ok") != "1":
            cannot_judge(f"the SIP2 checkout of {item.barcode} to {patron.barcode} at {library} was refused "
                         f"(AF {reply.get('AF')!r})", LENDING_OWNER)
        return reply

    def checkin(self, item: TestItem, library: str) -> Message:
        return self.ask(rq.checkin(self.at(library), item.barcode), f"the checkin of {item.barcode} at {library}")

    def hold(self, patron: TestPatron, item: TestItem, library: str) -> Message:
        self.held.append((patron, item))
        reply = self.ask(rq.hold(self.at(library), patron.barcode, item.barcode, "+", patron.pin), f"a hold on {item.barcode}")
        if reply.fixed_value("ok") != "1":
            cannot_judge(f"the SIP2 hold on {item.barcode} for {patron.barcode} was refused (AF {reply.get('AF')!r})",
                         "sip2 suite (test_declared_optional_messages_work)")
        return reply

    def item_information(self, item: TestItem) -> Message:
        return self.ask(rq.item_information(self.at(item.owning_library), item.barcode), f"item information on {item.barcode}")

    def title_word(self, item: TestItem) -> str:
        """The longest word of the item's title as SIP2 gives it (AJ): what its record is searched by.
        A title whose letters arrive as '?' or U+FFFD is the SIP2 suite's character set fault."""
        title = self.item_information(item).get("AJ") or item.title
        words = [w.strip(",.:;/") for w in title.split()]
        clean = [w for w in words if len(w) >= 3 and not any(g in w for g in GARBLED)]
        if not clean:
            if any(g in title for g in GARBLED):
                cannot_judge(f"the SIP2 title (AJ) of {item.barcode} is {title!r}: its letters did not arrive", CHARSET_OWNER)
            cannot_judge(f"the title of {item.barcode} is not known (no AJ, no [[item]] title)", "sip2 suite (test_item_information_follows_circulation)")
        return max(clean, key=len).lower()

    def patron_information(self, patron: TestPatron) -> Message:
        return self.ask(rq.patron_information(self.at(patron.home_library), patron.barcode, patron.pin),
                        f"patron information on {patron.barcode}")

    def restore(self) -> None:
        """Cancel every hold, then check every lent item in at its home library (best effort):
        in that order, so no returned copy is trapped for a hold the story placed."""
        for patron, item in reversed(self.held):
            self._quietly(rq.hold(self.at(patron.home_library), patron.barcode, item.barcode, "-", patron.pin))
        for item in reversed(self.lent):
            self._quietly(rq.checkin(self.at(item.home_library), item.barcode))
        self.lent.clear()
        self.held.clear()

    def _quietly(self, request: Message) -> None:
        try:
            self.client.send(request)
        except (TargetError, OSError):
            pass  # cleanup is best effort; the next scenario's checks see what is left
