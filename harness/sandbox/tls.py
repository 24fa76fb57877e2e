"""TLS for the sandbox's servers: a throwaway CA and server certificate, made at start.

SIP2 has no security of its own (research/sip2.md §3 P12); SIP-07 asks for SIP2 over TLS. The
sandbox makes a fresh CA and a server certificate for 127.0.0.1 and localhost with the
``openssl`` command line (present on Debian by default) in a temporary directory, and hands
out the CA file so the harness verifies the server like a real client would: chain and host
name, never ``verify=False``. A service may ask for ``WRONG_NAMES`` (the
``sip2-tls-wrong-hostname`` defect), so that only the host name check can catch it.

The certificates follow RFC 5280 profile details that strict verifiers (Python 3.13's
VERIFY_X509_STRICT) ask for: a critical basicConstraints on the CA, key identifiers, and the
names in subjectAltName (RFC 6125: the CN is not consulted).
"""

from __future__ import annotations

import secrets
import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

OPENSSL_TIMEOUT = 20.0  # seconds per openssl call; key generation on EC P-256 takes milliseconds
DAYS = "7"
GOOD_NAMES = ("localhost", "127.0.0.1")
WRONG_NAMES = ("wrong.example.invalid",)

_CA_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = harness sandbox throwaway CA
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
"""

_SERVER_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = {cn}
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = {san}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


class TLSUnavailable(Exception):
    """The TLS listener cannot be started; the message says why (shown in the endpoints)."""


@dataclass(frozen=True, slots=True)
class Certificates:
    directory: Path
    ca_file: Path
    cert_file: Path
    key_file: Path
    names: tuple[str, ...]

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _san(names: tuple[str, ...]) -> str:
    return ", ".join(f"IP:{n}" if n.replace(".", "").isdigit() else f"DNS:{n}" for n in names)


def _run(openssl: str, *args: str, cwd: Path) -> None:
    try:
        subprocess.run([openssl, *args], cwd=cwd, check=True, capture_output=True, timeout=OPENSSL_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise TLSUnavailable(f"openssl {args[0]} took over {OPENSSL_TIMEOUT:.0f}s") from None
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TLSUnavailable(f"openssl {args[0]} failed: {detail[-1] if detail else exc.returncode}") from None


def issue(names: tuple[str, ...] = GOOD_NAMES) -> Certificates:
    """A fresh CA and a server certificate for ``names``, in a new temporary directory.

    Raises:
        TLSUnavailable: no ``openssl`` on PATH, or it failed.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise TLSUnavailable("openssl not found on PATH (Debian: apt-get install openssl); SIP2 over TLS not served")
    directory = Path(tempfile.mkdtemp(prefix="harness-sandbox-tls-"))
    try:
        (directory / "ca.cnf").write_text(_CA_CONFIG, encoding="ascii")
        (directory / "server.cnf").write_text(_SERVER_CONFIG.format(cn=names[0], san=_san(names)), encoding="ascii")
        ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
        _run(openssl, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", DAYS,
             "-config", "ca.cnf", "-extensions", "v3_ca", cwd=directory)
        _run(openssl, "req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr",
             "-config", "server.cnf", cwd=directory)
        _run(openssl, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-set_serial", str(secrets.randbits(63)), "-days", DAYS, "-out", "server.pem",
             "-extfile", "server.cnf", "-extensions", "v3_server", cwd=directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return Certificates(directory, directory / "ca.pem", directory / "server.pem", directory / "server.key", names)
