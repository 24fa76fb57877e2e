"""The sandbox's Z39.50 backend: Init's account and character sets, Search and Present.

Plugged into the sans-I/O target side (:func:`harness.z3950.server.respond`), which handles
Init negotiation, Close and protocol errors; Scan, Sort and Delete are in
:mod:`.services`. Every answer comes from the consortium's one search index and its live
items. Result sets belong to the association (:class:`~harness.z3950.server.Session`).

Search (Z39.50-2003 3.2.2.1): databases as :func:`.catalogue.databases` lists them (another
name: Bib-1 109; more than one: 111); result set names other than ``default`` only when
namedResultSets was agreed (22); an existing name with the replace indicator off: 21; at
most :data:`MAX_RESULT_SETS` sets (112); records piggybacked as 3.2.2.1.4 asks
(small-set-upper-bound, large-set-lower-bound, medium-set-present-number).

Present (3.2.3.1 and 3.3): an unknown set 30; a start outside the set 13; a record syntax
not offered 239, an element set name not offered 25 (both non-surrogate, presentStatus
failure); record sizes as negotiated: a record over the exceptional record size gets
surrogate 17, a first record over the preferred message size when more were asked gets
surrogate 16, and the response stops (partial-2) before it would pass the preferred size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.defects import DefectSet
from harness.sandbox.search import SearchIndex
from harness.z3950 import defects as d
from harness.z3950 import oids
from harness.z3950.diagnostics import Diagnostic, bib1
from harness.z3950.init import (
    Authentication,
    CharsetProposal,
    CharsetResponse,
    IdPassAuth,
    OpenAuth,
)
from harness.z3950.query import Node, Operation, ResultSetRef
from harness.z3950.records import Record
from harness.z3950.sandbox import catalogue, rpn
from harness.z3950.sandbox.records import (
    ELEMENT_SETS,
    SYNTAXES,
    XML_ELEMENT_SETS,
    Style,
    render,
)
from harness.z3950.sandbox.services import (
    ResultSet,
    SortRule,
    delete,
    result_sets,
    scan,
    sort,
)
from harness.z3950.search import (
    PresentRequest,
    PresentResponse,
    SearchRequest,
    SearchResponse,
)
from harness.z3950.server import Session
from harness.z3950.settings import Z3950Settings

if TYPE_CHECKING:
    from harness.sandbox.state import Consortium
    from harness.z3950.services import (
        DeleteResultSetRequest,
        DeleteResultSetResponse,
        ScanRequest,
        ScanResponse,
        SortRequest,
        SortResponse,
    )

OPTIONS = frozenset({"search", "present", "delSet", "scan", "sort", "namedResultSets"})
MAX_RESULT_SETS = 32
EXTERNAL_OVERHEAD = 32  # bytes a record's NamePlusRecord and EXTERNAL add around its data
_XML = (oids.XML_TEXT, oids.XML_APPLICATION)


class SandboxBackend:
    implementation_name = "libharness sandbox Z39.50 target"
    implementation_version = "0.1"
    options = OPTIONS

    def __init__(self, consortium: Consortium, index: SearchIndex, settings: Z3950Settings, defects: DefectSet) -> None:
        self.consortium, self.index, self.settings, self.defects = consortium, index, settings, defects
        self.databases = catalogue.databases(settings, consortium)
        self.names = catalogue.library_names(consortium)
        # DEFECT z3950-availability-not-live: circulation frozen as it was at start
        live = not defects.active(d.AVAILABILITY_NOT_LIVE)
        self.circulation = catalogue.live_circulation(consortium) if live else catalogue.snapshot_circulation(consortium)
        self.deviations = rpn.Deviations(
            bath_any_refused=defects.active(d.BATH_ANY_REFUSED), truncation_ignored=defects.active(d.TRUNCATION_IGNORED),
            silent_zero=defects.active(d.SILENT_ZERO), unsupported_use_searched=defects.active(d.UNSUPPORTED_USE_SEARCHED),
            library_limit_ignored=defects.active(d.LIBRARY_LIMIT_IGNORED),
            ascii_case_only=defects.active(d.ASCII_CASE_ONLY), letter_folding=defects.active(d.LETTER_FOLDING),
        )

    # -- Init ------------------------------------------------------------------------------------

    def authenticate(self, authentication: Authentication | None) -> Diagnostic | None:
        """The profile's account: none, open ("user/password") or idPass (user, password, group)."""
        kind, user, password, group = self.settings.auth, self.settings.user, self.settings.password, self.settings.group
        if kind == "none":
            return None
        if kind == "open" and isinstance(authentication, OpenAuth) and authentication.text == f"{user}/{password}":
            return None
        if kind == "idpass" and isinstance(authentication, IdPassAuth) and \
                (authentication.user, authentication.password, authentication.group) == (user, password, group):
            return None
        return bib1(1011)  # Init/AC: Bad Userid and/or Password

    def select_charset(self, proposal: CharsetProposal) -> CharsetResponse:
        """UTF-8 or MARC-8, whichever the origin proposes first; nothing else holds Sámi letters."""
        if self.defects.active(d.CHARSET_NOT_PROPOSED):  # DEFECT z3950-charset-not-proposed
            return CharsetResponse("ISO-8859-1", "private", "", False)
        for name in proposal.charsets:
            key = name.upper().replace("_", "-")
            if key in ("UTF-8", "UTF8"):
                return CharsetResponse("UTF-8", "iso10646", "", True)
            if key in ("MARC-8", "MARC8"):
                return CharsetResponse("MARC-8", "private", "", True)
        return CharsetResponse("", "none")

    # -- Search ----------------------------------------------------------------------------------

    def search(self, request: SearchRequest, session: Session) -> SearchResponse:
        try:
            database, library = self._database(request.databases)
            self._check_name(request, session)
            ids = self._evaluate(request, session, library)
        except rpn.Bib1Fault as fault:
            return SearchResponse(False, 0, 0, 1, result_set_status=3, diagnostics=(fault.diagnostic,))
        found = ResultSet(tuple(ids), database)
        sets = result_sets(session)
        if self.defects.active(d.NAMED_SETS_SHARED):  # DEFECT z3950-named-sets-shared
            for name in list(sets):
                sets[name] = found
        sets[request.result_set] = found
        return self._piggyback(request, session, found)

    def _database(self, names: tuple[str, ...]) -> tuple[str, str | None]:
        if len(names) != 1:
            raise rpn.Bib1Fault(111 if names else 109, str(len(names)) if names else "")
        name = names[0]
        if name not in self.databases:
            raise rpn.Bib1Fault(109, name)
        return name, self.databases[name]

    def _check_name(self, request: SearchRequest, session: Session) -> None:
        name, sets = request.result_set, result_sets(session)
        if name != "default" and "namedResultSets" not in session.options:
            raise rpn.Bib1Fault(22, name)
        if name in sets and not request.replace:
            raise rpn.Bib1Fault(21, name)
        if name not in sets and len(sets) >= MAX_RESULT_SETS:
            raise rpn.Bib1Fault(112, str(MAX_RESULT_SETS))

    def _evaluate(self, request: SearchRequest, session: Session, library: str | None) -> list[str]:
        if request.query is None:
            raise rpn.Bib1Fault(107, request.query_type)
        # DEFECT z3950-member-view-own-holdings: a member's database sees its own holdings only
        own = library if library is not None and self.defects.active(d.MEMBER_VIEW_OWN_HOLDINGS) else None
        if not rpn.has_result_set(request.query.root):
            return self.index.search(rpn.translate(request.query, self.deviations), library=own)
        if request.query.attribute_set != oids.BIB1_ATTRIBUTES:
            raise rpn.Bib1Fault(121, request.query.attribute_set)
        order = catalogue.catalogue_order(self.index)
        found = self._combine(request.query.root, session, own)
        return sorted(found, key=lambda i: order.get(i, len(order)))

    def _combine(self, node: Node, session: Session, library: str | None) -> set[str]:
        """A query holding result sets, evaluated operand by operand."""
        if isinstance(node, ResultSetRef):
            found = result_sets(session).get(node.name)
            if found is None:
                raise rpn.Bib1Fault(30, node.name)
            return set(found.ids)
        if not isinstance(node, Operation):
            return set(self.index.search(rpn.term_node(node, self.deviations), library=library))
        if node.operator == "prox":
            raise rpn.Bib1Fault(110, "prox")
        left, right = self._combine(node.left, session, library), self._combine(node.right, session, library)
        return left & right if node.operator == "and" else left | right if node.operator == "or" else left - right

    def _piggyback(self, request: SearchRequest, session: Session, found: ResultSet) -> SearchResponse:
        """Records in the Search response as 3.2.2.1.4 asks."""
        hits = len(found.ids)
        if hits <= request.small_set_upper_bound:
            wanted, element_set = hits, request.small_set_element_set
        elif hits >= request.large_set_lower_bound:
            wanted, element_set = 0, None
        else:
            wanted, element_set = min(request.medium_set_present_number, hits), request.medium_set_element_set
        if self.defects.active(d.PIGGYBACK_IGNORED):  # DEFECT z3950-piggyback-ignored
            wanted = 0
        if not wanted:
            return SearchResponse(True, hits, 0, 1)
        records, status, diagnostics = self.records(session, found, 1, wanted, request.record_syntax, element_set)
        returned = len(records or ())
        return SearchResponse(True, hits, returned, 1 + returned, present_status=status, records=records,
                              diagnostics=diagnostics)

    # -- Present ---------------------------------------------------------------------------------

    def present(self, request: PresentRequest, session: Session) -> PresentResponse:
        sets = result_sets(session)
        found = sets.get(request.result_set)
        if found is None and self.defects.active(d.UNKNOWN_SET_AS_DEFAULT):  # DEFECT z3950-unknown-set-as-default
            found = sets.get("default")
        if found is None:
            return PresentResponse(5, 0, request.start, diagnostics=(bib1(30, request.result_set),))
        hits = len(found.ids)
        if not 1 <= request.start <= hits or request.count < 0:
            if self.defects.active(d.NO_DIAGNOSTIC_13):  # DEFECT z3950-no-diagnostic-13
                return PresentResponse(0, 0, request.start, records=())
            return PresentResponse(5, 0, request.start, diagnostics=(bib1(13, str(request.start)),))
        count = min(request.count, hits - request.start + 1)
        records, status, diagnostics = self.records(session, found, request.start, count, request.record_syntax,
                                                    request.element_set)
        returned = len(records or ())
        return PresentResponse(status, returned, request.start + returned, records, diagnostics)

    def records(self, session: Session, found: ResultSet, start: int, count: int, syntax: str | None,
                element_set: str | None) -> tuple[tuple[Record, ...] | None, int, tuple[Diagnostic, ...]]:
        """``count`` records from ``start`` as (records, presentStatus, non-surrogate diagnostics)."""
        syntax = syntax or oids.USMARC
        if syntax in _XML and self.defects.active(d.XML_AS_USMARC):  # DEFECT z3950-xml-as-usmarc
            syntax = oids.USMARC
        if syntax not in SYNTAXES:
            return None, 5, (bib1(239, syntax),)
        if element_set is not None and element_set not in (XML_ELEMENT_SETS if syntax in _XML else ELEMENT_SETS):
            return None, 5, (bib1(25, element_set),)
        style = self._style(session)
        out: list[Record] = []
        total, status = 0, 0
        sizes = not self.defects.active(d.RECORD_SIZE_IGNORED)  # DEFECT z3950-record-size-ignored
        for record_id in found.ids[start - 1:start - 1 + count]:
            record = self.index.record(record_id)
            if record is None:  # deleted from the catalogue since the search
                out.append(Record(found.database, diagnostic=bib1(14, record_id)))
                continue
            holdings = catalogue.holdings(record, self.names, self.circulation,
                                          name_borrowers=self.defects.active(d.BORROWER_IN_OPAC))
            external = render(record, syntax, element_set, holdings, style)
            size = len(external.data) + EXTERNAL_OVERHEAD
            if sizes and size > session.exceptional_record_size:
                out.append(Record(found.database, diagnostic=bib1(17, str(size))))
                continue
            if sizes and not out and count > 1 and size > session.preferred_message_size:
                out.append(Record(found.database, diagnostic=bib1(16, str(size))))
                continue
            if sizes and out and total + size > session.preferred_message_size:
                status = 2  # partial-2: the rest would pass the preferred message size
                break
            total += size
            out.append(Record(found.database, external))
        return tuple(out), status, ()

    def _style(self, session: Session) -> Style:
        return Style(
            marc8=session.charset == "MARC-8" and session.records_in_charset,
            leader09_blank=self.defects.active(d.LEADER_09_BLANK),
            lose_sami_letters=self.defects.active(d.RECORDS_LOSE_SAMI_LETTERS),
            marc8_drops_sami=self.defects.active(d.MARC8_DROPS_SAMI),
            opac_holdings=not self.defects.active(d.OPAC_WITHOUT_HOLDINGS),
            opac_library=not self.defects.active(d.OPAC_HOLDINGS_WITHOUT_LIBRARY),
        )

    # -- Scan, Sort, Delete (services.py) ------------------------------------------------------------

    def scan(self, request: ScanRequest, session: Session) -> ScanResponse:
        return scan(self.index, request, self.deviations, scan_from_start=self.defects.active(d.SCAN_FROM_THE_START))

    def sort(self, request: SortRequest, session: Session) -> SortResponse:
        rule = SortRule.IGNORED if self.defects.active(d.SORT_IGNORED) else \
            SortRule.CODE_POINT if self.defects.active(d.SORT_CODE_POINT) else SortRule.COLLATION
        return sort(self.index, request, result_sets(session), rule)

    def delete(self, request: DeleteResultSetRequest, session: Session) -> DeleteResultSetResponse:
        return delete(request, result_sets(session), claimed_only=self.defects.active(d.DELETE_CLAIMED))
