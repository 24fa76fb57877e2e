"""One Z39.50 association on the sandbox's generic TCP server: bytes in, PDUs out.

The :class:`~harness.sandbox.tcp.FramedTCPServer` gives each connection a
:class:`Z3950Conversation`. It cuts the stream into PDUs (:class:`~harness.z3950.ber.PduReader`),
decodes each (UTF-8 once negotiated), asks :func:`harness.z3950.server.respond` and encodes
the answer. What cannot be read ends the association with Close(protocolError) (3.2.11.1.1),
a bug in the backend with Close(systemProblem): never a traceback on the wire, never a hang.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from harness.defects import DefectSet
from harness.z3950 import defects as d
from harness.z3950.ber import PduReader, RawPdu
from harness.z3950.codec import Pdu, decode, encode
from harness.z3950.search import PresentResponse, SearchResponse
from harness.z3950.server import PROTOCOL_ERROR, Backend, Session, respond
from harness.z3950.services import Close

MAX_REQUEST = 1024 * 1024  # an origin's PDU larger than this is a protocol error (requests are small)
SYSTEM_PROBLEM = 2  # Close-reason (3.2.11.1.1)


class Z3950Conversation:
    def __init__(self, backend: Backend, defects: DefectSet | None = None) -> None:
        self.backend, self.defects = backend, defects or DefectSet()
        self.session = Session()
        self._reader = PduReader(MAX_REQUEST)

    def receive(self, data: bytes) -> Iterable[bytes | None]:
        self._reader.receive_data(data)
        out: list[bytes | None] = []
        while (event := self._reader.next_event()) is not None:
            if not isinstance(event, RawPdu):
                if self.defects.active(d.MALFORMED_PDU_DROPPED):
                    return [*out, None]  # DEFECT z3950-malformed-pdu-dropped
                return [*out, encode(Close(PROTOCOL_ERROR, event.problem.message)), None]
            decoded = decode(event, utf8=self.session.utf8)
            if decoded.pdu is None and self.defects.active(d.MALFORMED_PDU_DROPPED):
                return [*out, None]  # DEFECT z3950-malformed-pdu-dropped: hang up, no Close(protocolError)
            if isinstance(decoded.pdu, Close) and self.defects.active(d.CLOSE_DROPS_CONNECTION):
                return [*out, None]  # DEFECT z3950-close-drops-connection: hang up, no Close
            try:
                reply = respond(decoded, self.session, self.backend)
                out += [encode(self._deviate(pdu)) for pdu in reply.pdus]
            except Exception as exc:  # noqa: BLE001 - a sandbox bug closes the association, visibly
                return [*out, encode(Close(SYSTEM_PROBLEM, f"{type(exc).__name__}: {exc}"[:200])), None]
            if reply.end:
                return [*out, None]
        return out

    def _deviate(self, pdu: Pdu) -> Pdu:
        if isinstance(pdu, (SearchResponse, PresentResponse)) and self.defects.active(d.REFERENCE_ID_DROPPED):
            return dataclasses.replace(pdu, reference_id=None)  # DEFECT z3950-reference-id-dropped
        return pdu
