"""A real third-party SIP2 ACS on loopback: PyPI pysip2 0.1.0's SIP2Server, with our test data.

    python tests/peers/pysip2_server.py --port-file PATH --duration SECONDS

pysip2 (research/sip2.md §2.1) brings the framing, the codec, error detection (96/97,
duplicate replay), login gating and the ACS status (98); this file only writes the route
handlers over a tiny in-memory consortium, so the harness's SIP2 suite has a peer nobody here
wrote. pysip2 is configured as the consortium would configure a real ACS: UTF-8 (the only
common set that holds Sámi letters, research §0), error detection required, login required,
an idle timeout. Its own strictness is left exactly as it is: that is what the peer test
observes.

The server binds 127.0.0.1 port 0, writes the bound port to --port-file (atomically: the test
polls for it), and stops by itself after --duration seconds, or at once on SIGTERM/SIGINT.

Not modelled, because pysip2's response models are closed (frozen msgspec structs registered by
type): extension fields such as 3M's CT (destination location) and CV (alert type) in the 10
checkin response. A checkin of another member's item is answered with alert = Y and the owning
library's number as the permanent location (AQ) and in a screen message, which is all the
2.00 core fields allow.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import anyio
from pysip2 import (
    CHECKIN,
    CHECKOUT,
    END_PATRON_SESSION,
    ITEM_INFORMATION,
    LOGIN,
    PATRON_INFORMATION,
    PATRON_STATUS,
    RENEW,
    CheckinRequest,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    EndPatronSessionRequest,
    EndSessionResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    LoginRequest,
    LoginResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    RenewRequest,
    RenewResponse,
    RequestContext,
    SIP2Server,
)

SC_USER = "sc-peer"
SC_PASSWORD = "peer-sip"  # the SC login of this loopback peer; the profile reads it from ${PYSIP2_PEER_PASSWORD}
INSTITUTION = "TROMSO"
LOAN_DAYS = 28
NO_STATUS = " " * 14


@dataclass(frozen=True)
class Library:
    number: str
    name: str
    kind: str
    institution: str


@dataclass(frozen=True)
class Patron:
    barcode: str
    name: str
    home_library: str
    pin: str
    institution: str


@dataclass
class Item:
    barcode: str
    title: str
    owner: str
    home: str
    loaned_to: str | None = None
    due: datetime | None = None
    held_for: str | None = None  # a patron's hold, waiting on the hold shelf


LIBRARIES = {
    lib.number: lib
    for lib in (
        Library("NO-9900001", "Tromsø bibliotek", "public", "TROMSO"),
        Library("NO-9900011", "Kongsbakken videregående skole", "school", "KONGSBAKKEN"),
        Library("NO-9900021", "Bokbussen i Nord-Troms", "bookbus", "BOKBUSS"),
        Library("NO-9900012", "Alta videregående skole", "school", "ALTAVGS"),
        Library("NO-9900002", "Kautokeino folkebibliotek / Guovdageainnu girjerájus", "public", "KAUTOKEINO"),
    )
}
INSTITUTIONS = {lib.institution: lib for lib in LIBRARIES.values()}

PATRONS = {
    p.barcode: p
    for p in (
        Patron("TST0000001", "Máret Ánne Sara", "NO-9900002", "4711", "KAUTOKEINO"),
        Patron("TST0000002", "Nils Ŋuolggat Đuoddarŧ", "NO-9900011", "5822", "KONGSBAKKEN"),
        Patron("TST0000003", "Aino Kvænangen Väisänen", "NO-9900001", "6933", "TROMSO"),
    )
}


def _items() -> dict[str, Item]:
    return {
        i.barcode: i
        for i in (
            Item("99001000010", "Čáppa čáhci / Sámi girjjálašvuohta", "NO-9900001", "NO-9900001"),
            Item("99011000013", "Kvensk grammatikk for vidaregåande", "NO-9900011", "NO-9900011"),
            Item("99021000015", "Bokbussens sommerbok: Ærlig og ødeland", "NO-9900021", "NO-9900021"),
            # Owned by Tromsø, on deposit at Alta upper-secondary school.
            Item("99001000020", "Nordlysets historie", "NO-9900001", "NO-9900012"),
            # Not test items: TST0000001's loan and the hold waiting for them, so that a wrong
            # PIN has something to leak (the privacy probes need loans, a hold and a fee).
            Item("99001000099", "Reinlykke", "NO-9900002", "NO-9900002", "TST0000001", _seeded_due()),
            Item("99001000098", "Joikens historie", "NO-9900002", "NO-9900002", held_for="TST0000001"),
        )
    }


def _seeded_due() -> datetime:
    return (datetime.now() + timedelta(days=LOAN_DAYS)).replace(hour=23, minute=59, second=0, microsecond=0)


FEES = {"TST0000001": "25.00"}  # NOK owed


@dataclass
class Catalogue:
    items: dict[str, Item] = field(default_factory=_items)


CATALOGUE = Catalogue()


def sip_date(when: datetime) -> str:
    return when.strftime("%Y%m%d") + "    " + when.strftime("%H%M%S")


def build_app(*, idle_timeout: float) -> SIP2Server:
    app = SIP2Server(
        encoding="utf-8",
        error_detection="required",
        login_required=True,
        offline_ok=False,  # the handlers below do not record no-block (off-line) loans
        idle_timeout=idle_timeout,
        institution_id=INSTITUTION,
        library_name="Tromsø bibliotek (pysip2 0.1.0 peer)",
        logger=logging.getLogger("pysip2-peer"),
    )

    @app.route(LOGIN)
    def login(req: LoginRequest, ctx: RequestContext) -> LoginResponse:
        ok = req.login_user_id == SC_USER and req.login_password == SC_PASSWORD
        return LoginResponse(ok="1" if ok else "0")

    def patron_check(barcode: str, pin: str | None) -> tuple[Patron | None, str, str]:
        """(patron, BL, CQ): unknown patron -> BL N; wrong or missing PIN -> CQ N."""
        patron = PATRONS.get(barcode)
        if patron is None:
            return None, "N", "N"
        return patron, "Y", "Y" if pin == patron.pin else "N"

    @app.route(PATRON_STATUS)
    def patron_status(req: PatronStatusRequest, ctx: RequestContext) -> PatronStatusResponse:
        patron, valid, pin_ok = patron_check(req.patron_identifier, req.patron_password)
        authorised = patron is not None and pin_ok == "Y"
        return PatronStatusResponse(
            patron_status=NO_STATUS if authorised else "Y" * 4 + " " * 10,
            language=req.language,
            transaction_date=ctx.now_18(),
            institution_id=req.institution_id,
            patron_identifier=req.patron_identifier,
            personal_name=patron.name if authorised and patron else "",
            valid_patron=valid,
            valid_patron_password=pin_ok,
            currency_type="NOK" if authorised and req.patron_identifier in FEES else None,
            fee_amount=FEES.get(req.patron_identifier) if authorised else None,
            screen_message=() if authorised else ("Ukjent låner eller feil PIN",),
        )

    @app.route(PATRON_INFORMATION)
    def patron_information(req: PatronInformationRequest, ctx: RequestContext) -> PatronInformationResponse:
        patron, valid, pin_ok = patron_check(req.patron_identifier, req.patron_password)
        authorised = patron is not None and pin_ok == "Y"
        charged = tuple(i.barcode for i in CATALOGUE.items.values() if authorised and i.loaned_to == req.patron_identifier)
        held = tuple(i.barcode for i in CATALOGUE.items.values() if authorised and i.held_for == req.patron_identifier)
        fines = (f"{req.patron_identifier} {FEES[req.patron_identifier]} NOK",) if authorised and req.patron_identifier in FEES else ()
        wants = [flag == "Y" for flag in req.summary]
        return PatronInformationResponse(
            patron_status=NO_STATUS if authorised else "Y" * 4 + " " * 10,
            language=req.language,
            transaction_date=ctx.now_18(),
            hold_items_count=f"{len(held):04d}",
            overdue_items_count="0000",
            charged_items_count=f"{len(charged):04d}",
            fine_items_count=f"{len(fines):04d}",
            recall_items_count="0000",
            unavailable_holds_count="0000",
            institution_id=req.institution_id,
            patron_identifier=req.patron_identifier,
            personal_name=patron.name if authorised and patron else "",
            valid_patron=valid,
            valid_patron_password=pin_ok,
            currency_type="NOK" if fines else None,
            fee_amount=FEES.get(req.patron_identifier) if fines else None,
            hold_items=held if wants[0] else (),
            charged_items=charged if wants[2] else (),
            fine_items=fines if wants[3] else (),
            screen_message=() if authorised else ("Ukjent låner eller feil PIN",),
        )

    @app.route(END_PATRON_SESSION)
    def end_session(req: EndPatronSessionRequest, ctx: RequestContext) -> EndSessionResponse:
        return EndSessionResponse(
            end_session="Y", transaction_date=ctx.now_18(),
            institution_id=req.institution_id, patron_identifier=req.patron_identifier,
        )

    @app.route(ITEM_INFORMATION)
    def item_information(req: ItemInformationRequest, ctx: RequestContext) -> ItemInformationResponse:
        item = CATALOGUE.items.get(req.item_identifier)
        if item is None:
            return ItemInformationResponse(
                circulation_status="01", security_marker="00", fee_type="01", transaction_date=ctx.now_18(),
                item_identifier=req.item_identifier, title_identifier="", screen_message=("Ukjent eksemplar",),
            )
        return ItemInformationResponse(
            circulation_status="04" if item.loaned_to else "08" if item.held_for else "03",
            security_marker="02",
            fee_type="01",
            transaction_date=ctx.now_18(),
            due_date=sip_date(item.due) if item.due else None,
            item_identifier=item.barcode,
            title_identifier=item.title,
            owner=item.owner,
            media_type="001",
            permanent_location=item.home,
            current_location=item.home,
        )

    @app.route(CHECKOUT)
    def checkout(req: CheckoutRequest, ctx: RequestContext) -> CheckoutResponse:
        item = CATALOGUE.items.get(req.item_identifier)
        patron, _, pin_ok = patron_check(req.patron_identifier, req.patron_password)
        # The AD of a checkout is optional: a missing PIN is the SC's choice, a wrong one is not.
        refused = (
            "Ukjent eksemplar" if item is None
            else "Ukjent låner" if patron is None
            else "Feil PIN" if req.patron_password is not None and pin_ok != "Y"
            else "Allerede utlånt" if item.loaned_to not in (None, req.patron_identifier)
            else ""
        )
        if refused or item is None:
            return CheckoutResponse(
                ok="0", renewal_ok="N", magnetic_media="N", desensitize="N", transaction_date=ctx.now_18(),
                institution_id=req.institution_id, patron_identifier=req.patron_identifier,
                item_identifier=req.item_identifier, title_identifier=item.title if item else "",
                due_date="", screen_message=(refused,),
            )
        renewal = item.loaned_to == req.patron_identifier
        item.loaned_to = req.patron_identifier
        item.due = (datetime.now() + timedelta(days=LOAN_DAYS)).replace(hour=23, minute=59, second=0, microsecond=0)
        return CheckoutResponse(
            ok="1", renewal_ok="Y" if renewal else "N", magnetic_media="N", desensitize="Y",
            transaction_date=ctx.now_18(), institution_id=req.institution_id,
            patron_identifier=req.patron_identifier, item_identifier=item.barcode, title_identifier=item.title,
            due_date=sip_date(item.due), media_type="001",
        )

    @app.route(RENEW)
    def renew(req: RenewRequest, ctx: RequestContext) -> RenewResponse:
        item = CATALOGUE.items.get(req.item_identifier or "")
        patron, _, pin_ok = patron_check(req.patron_identifier, req.patron_password)
        refused = (
            "Ukjent eksemplar" if item is None
            else "Ukjent låner" if patron is None
            else "Feil PIN" if req.patron_password is not None and pin_ok != "Y"
            else "Ikke utlånt til deg" if item.loaned_to != req.patron_identifier
            else ""
        )
        if refused or item is None:
            return RenewResponse(
                ok="0", renewal_ok="N", magnetic_media="N", desensitize="N", transaction_date=ctx.now_18(),
                institution_id=req.institution_id, patron_identifier=req.patron_identifier,
                item_identifier=req.item_identifier or "", title_identifier=item.title if item else "",
                due_date="", screen_message=(refused,),
            )
        item.due = _seeded_due()
        return RenewResponse(
            ok="1", renewal_ok="Y", magnetic_media="N", desensitize="Y", transaction_date=ctx.now_18(),
            institution_id=req.institution_id, patron_identifier=req.patron_identifier, item_identifier=item.barcode,
            title_identifier=item.title, due_date=sip_date(item.due), media_type="001",
        )

    @app.route(CHECKIN)
    def checkin(req: CheckinRequest, ctx: RequestContext) -> CheckinResponse:
        item = CATALOGUE.items.get(req.item_identifier)
        if item is None:
            return CheckinResponse(
                ok="0", resensitize="N", magnetic_media="U", alert="Y", transaction_date=ctx.now_18(),
                institution_id=req.institution_id, item_identifier=req.item_identifier,
                permanent_location="", screen_message=("Ukjent eksemplar",),
            )
        patron = item.loaned_to
        item.loaned_to, item.due = None, None
        here = INSTITUTIONS.get(req.institution_id)
        # The item goes home when it was returned elsewhere: say so with the core fields only.
        elsewhere = here is None or here.number != item.home
        home = LIBRARIES.get(item.home)
        return CheckinResponse(
            ok="1", resensitize="Y", magnetic_media="N", alert="Y" if elsewhere else "N",
            transaction_date=ctx.now_18(), institution_id=req.institution_id,
            item_identifier=item.barcode, permanent_location=item.home, title_identifier=item.title,
            patron_identifier=patron, media_type="001",
            screen_message=(f"Sendes til {home.name if home else item.home}",) if elsewhere else (),
        )

    return app


async def serve(port_file: Path, duration: float, idle_timeout: float) -> None:
    app = build_app(idle_timeout=idle_timeout)
    with anyio.move_on_after(duration):
        async with app.start(host="127.0.0.1", port=0) as port:
            tmp = port_file.with_name(port_file.name + ".tmp")
            tmp.write_text(f"{port}\n", encoding="ascii")
            os.replace(tmp, port_file)
            print(f"pysip2 peer on 127.0.0.1:{port} for {duration:g}s", file=sys.stderr, flush=True)
            with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                async for _ in signals:
                    break


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", type=Path, required=True, help="where to write the bound port")
    parser.add_argument("--duration", type=float, required=True, help="stop after this many seconds")
    parser.add_argument("--idle-timeout", type=float, default=30.0, help="pysip2 closes a connection idle this long")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    if args.duration <= 0:
        parser.error("--duration must be positive (the server must stop by itself)")
    logging.basicConfig(level=args.log_level, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    anyio.run(serve, args.port_file, args.duration, args.idle_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
