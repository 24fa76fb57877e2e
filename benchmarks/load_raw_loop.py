"""The floor for the load benchmark: pre-encoded SIP2 frames over bare sockets, no judging.

    python benchmarks/load_raw_loop.py HOST PORT CONNECTIONS SECONDS FRAMES.json

Each connection logs in, then sends its own list of frames in a circle, one request in flight,
reading to the CR: what the self-service machines' traffic costs a client that does nothing
but move bytes. One process, one selector loop, like one Locust process on one core. Prints
the replies read.
"""

from __future__ import annotations

import json
import selectors
import socket
import sys
import time


def main() -> int:
    host, port, connections, seconds, frames_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    with open(frames_file, encoding="utf-8") as fh:
        plan = json.loads(fh.read())
    login = plan["login"].encode("latin-1")
    circles = [[f.encode("latin-1") for f in frames] for frames in plan["frames"]]
    selector = selectors.DefaultSelector()
    for index in range(connections):
        sock = socket.create_connection((host, port), timeout=5)
        sock.sendall(login)
        reply = b""
        while not reply.endswith(b"\r"):
            reply += sock.recv(65536)
        sock.setblocking(False)
        state = {"sock": sock, "frames": circles[index % len(circles)], "next": 0, "buffer": b""}
        sock.sendall(state["frames"][0])  # type: ignore[index]
        selector.register(sock, selectors.EVENT_READ, state)
    replies = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):
            state = key.data
            state["buffer"] += state["sock"].recv(65536)
            while b"\r" in state["buffer"]:
                _, state["buffer"] = state["buffer"].split(b"\r", 1)
                replies += 1
                state["next"] = (state["next"] + 1) % len(state["frames"])
                state["sock"].sendall(state["frames"][state["next"]])
    print(replies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
