"""The sandbox's SRU server logic (pure; the HTTP wiring comes with the frame).

    service.py      respond(params, version, index, ...) -> SruReply(status, content_type, body)
    params.py       request parameters per version and operation; validation (6, 7, 8, 71)
    cqlmap.py       CQL -> the search index's query; indexes, relations, sort keys (10, 15-20, 27, 37, 46, 80)
    explain.py      the ZeeRex record and ServerConfig (what is declared is what is served)
    records.py      MARCXML with holdings and per-copy status (876 $a $p $j)
    xmlout.py       response documents per version, in schema order
    diagnostics.py  the SRU diagnostics sent, and the Deviation switches for the defect catalogue
"""

from harness.sandbox.sru.diagnostics import Deviation, Diag
from harness.sandbox.sru.explain import ServerConfig
from harness.sandbox.sru.service import SruReply, respond

__all__ = ["Deviation", "Diag", "ServerConfig", "SruReply", "respond"]
