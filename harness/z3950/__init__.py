"""Z39.50 (ANSI/NISO Z39.50-2003, ISO 23950): an own ASN.1 module, a sans-I/O codec, a client.

    asn1/z3950.asn  the ASN.1 the harness speaks, written from the standard (see its header)
    asn1.py         compiles it with asn1tools once; decode never raises; indefinite ANY fix
    ber.py          PduReader: bytes in, whole PDUs out (definite and indefinite lengths)
    rules.py        what the codec and client can report: rule -> severity + clause
    oids.py         object identifiers and their names (record syntaxes, sets, negotiation)
    query.py        type-1 (RPN) queries: terms, attributes, Boolean and proximity operators
    pqf.py          YAZ's Prefix Query Format to type-1 queries
    init.py         Init request/response, option bits, authentication, charset negotiation
    search.py       Search and Present requests/responses
    records.py      records: EXTERNAL, surrogate diagnostics, SUTRS, OPAC holdings
    services.py     Scan, Sort, Delete result set, Close
    diagnostics.py  Bib-1 diagnostics and their meanings
    reading.py      asn1tools values to typed values, problems collected on the way
    render.py       every PDU as readable indented text, for evidence
    codec.py        encode / decode / render: the codec's public face
    client.py       Client: the socket loop, deadlines, problems
    transcript.py   the client's exchanges, rendered as evidence when read
    server.py       the target side sans I/O: respond(decoded, session, backend)

The protocol unit (harness/units.py) around them:

    settings.py     the [z3950] profile section (host, port, database, account, views, ...)
    unit.py         Z3950: the ProtocolUnit (probe: connect and an accepted Init)
    target.py       Z3950Target: the first Init kept for discovery; associations with the account
    fixtures.py     z3950_target, z3950 (an association after Init), z3950_connect
    checks.py       clauses, which check owns which client rule, helpers the scenarios share
    defects.py      the sandbox's defect catalogue
    sandbox/        the embedded sandbox's Z39.50 target on the generic TCP server, over the
                    consortium's shared search index (service, conversation, backend, rpn,
                    services, records, marc8, catalogue)
"""

from harness.z3950.ber import DEFAULT_MAX_PDU, Broken, PduReader, RawPdu, Skipped
from harness.z3950.client import (
    AssociationClosed,
    Client,
    ConnectionLost,
    ProtocolViolation,
)
from harness.z3950.codec import (
    PDU_TYPES,
    Decoded,
    Pdu,
    decode,
    decode_all,
    encode,
    render,
)
from harness.z3950.diagnostics import BIB1, Diagnostic, bib1
from harness.z3950.init import (
    CharsetProposal,
    CharsetResponse,
    IdPassAuth,
    InitRequest,
    InitResponse,
    OpenAuth,
)
from harness.z3950.pqf import PqfError, parse
from harness.z3950.query import (
    Attribute,
    Operation,
    Proximity,
    ResultSetRef,
    RpnQuery,
    Term,
)
from harness.z3950.records import Circulation, External, Holding, OpacRecord, Record
from harness.z3950.rules import RULES
from harness.z3950.search import (
    PresentRequest,
    PresentResponse,
    SearchRequest,
    SearchResponse,
)
from harness.z3950.services import (
    Close,
    DeleteResultSetRequest,
    DeleteResultSetResponse,
    ScanEntry,
    ScanRequest,
    ScanResponse,
    SortKey,
    SortRequest,
    SortResponse,
)

__all__ = [
    "BIB1", "DEFAULT_MAX_PDU", "PDU_TYPES", "RULES", "AssociationClosed", "Attribute", "Broken",
    "CharsetProposal", "CharsetResponse", "Circulation", "Client", "Close", "ConnectionLost", "Decoded",
    "DeleteResultSetRequest", "DeleteResultSetResponse", "Diagnostic", "External", "Holding", "IdPassAuth",
    "InitRequest", "InitResponse", "OpacRecord", "OpenAuth", "Operation", "Pdu", "PduReader", "PqfError",
    "PresentRequest", "PresentResponse", "ProtocolViolation", "Proximity", "RawPdu", "Record", "ResultSetRef",
    "RpnQuery", "ScanEntry", "ScanRequest", "ScanResponse", "SearchRequest", "SearchResponse", "Skipped",
    "SortKey", "SortRequest", "SortResponse", "Term", "bib1", "decode", "decode_all", "encode", "parse",
    "render",
]
