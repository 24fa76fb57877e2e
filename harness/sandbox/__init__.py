"""The embedded sandbox: a small, honest reference library system on loopback.

``system.Sandbox`` holds the one consortium (``state``, with the protocol-neutral domain in
``circulation`` and ``patrons``) and starts each protocol unit's sandbox service from the
registry; ``http`` is the one HTTP server and router the HTTP protocols share, ``tcp`` the
generic server the stream protocols (SIP2, Z39.50) run their conversations on, ``tls`` the
throwaway certificates.
"""
