"""The SIP2 side of the embedded sandbox: the ACS (sans-I/O), its reply builders, the service."""
