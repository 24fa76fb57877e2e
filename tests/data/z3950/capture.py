"""Capture the PDU fixtures in this folder from the real peers (zebrasrv, yaz-ztest) on loopback.

    python tests/data/z3950/capture.py

Needs the Debian packages of tests/peers/zebra.py and tests/peers/ztest.py. Each file is one
whole PDU exactly as the peer sent it; SOURCE.md says which request produced it.
"""

from __future__ import annotations

import socket
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "peers"))

from zebra import ZebraPeer
from ztest import ZtestPeer

from harness.z3950 import (
    InitRequest,
    PduReader,
    PresentRequest,
    RawPdu,
    SearchRequest,
    encode,
    oids,
    parse,
)
from harness.z3950.query import Term
from harness.z3950.services import Close, ScanRequest


def exchange(sock: socket.socket, reader: PduReader, pdu: object) -> bytes:
    sock.sendall(encode(pdu))  # type: ignore[arg-type]
    while True:
        event = reader.next_event()
        if isinstance(event, RawPdu):
            return event.data
        if event is not None:
            raise SystemExit(f"unexpected {event}")
        reader.receive_data(sock.recv(65536))


def capture(port: int, requests: dict[str, object]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        reader = PduReader()
        for name, pdu in requests.items():
            data = exchange(sock, reader, pdu)
            (HERE / name).write_bytes(data)
            print(f"{name}: {len(data)} bytes, first octets {data[:4].hex(' ')}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with ZebraPeer(Path(tmp) / "zebra") as zebra:
            port = zebra.start().port
            capture(port, {
                "zebra_init_response.ber": InitRequest(),
                "zebra_search_response.ber": SearchRequest(parse("@attr 1=4 ŋuolggat")),
                "zebra_present_usmarc.ber": PresentRequest(start=1, count=1, record_syntax=oids.USMARC),
                "zebra_search_diagnostic_114.ber": SearchRequest(parse("@attr 1=9999 foo"), result_set="bad"),
                "zebra_scan_response.ber": ScanRequest(Term("e", parse("@attr 1=1003 e").root.attributes), count=5),  # type: ignore[union-attr]
                "zebra_close.ber": Close(),
            })
        with ZtestPeer(Path(tmp) / "ztest") as ztest:
            port = ztest.start().port
            capture(port, {
                "ztest_init_response.ber": InitRequest(),
                "ztest_search_response.ber": SearchRequest(parse("@attr 1=4 2")),
                "ztest_present_opac.ber": PresentRequest(start=1, count=1, record_syntax=oids.OPAC),
            })


if __name__ == "__main__":
    main()
