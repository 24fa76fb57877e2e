"""The ``[z3950]`` section of a target profile: where the Z39.50 target is and how to log in.

Read by the unit's ``parse`` (``harness/z3950/unit.py``) with a
:class:`~harness.settings.SectionReader`, so every value is checked before anything is sent.
For the embedded sandbox ``host`` and ``port`` are left out: the sandbox writes its own.

What the suite needs it discovers from Init (the option bits: scan, sort, named result sets,
delete) and from the target's answers (a record syntax refused with Bib-1 238/239 is not
offered). The profile says what Init cannot:

- ``auth``: ``none``, ``open`` (one string, commonly ``user/password``) or ``idpass``
  (``user``, ``password``, ``group``); the password is a secret key, masked everywhere;
- ``member_database``: each member library's own view, a database name with ``{library}``
  where the library's code goes (``[[library]] codes = { z3950 = "..." }``, else its
  number); left out, every member searches ``database``;
- ``library_use``: the Bib-1 Use attribute that limits a search to one library's holdings
  (KAT-03), e.g. 56 (Code-institution); 0 = not declared (SKIP);
- ``sample_query``: a PQF query the target answers with several hits, for the checks that
  need a result set whatever the catalogue (left out: a title word of the fixture catalogue);
- ``visibility_timeout``: how long a record imported over ``[marc]`` may take to be found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.settings import SectionReader
from harness.z3950.ber import DEFAULT_MAX_PDU
from harness.z3950.pqf import PqfError
from harness.z3950.pqf import parse as parse_pqf

AUTH_KINDS = ("none", "open", "idpass")
DEFAULT_SAMPLE_QUERY = "@attr 1=4 fjorden"  # 14 records of fixtures/marc/consortium.mrc
MIN_PDU = 64 * 1024
DEFAULT_VISIBILITY_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Z3950Settings:
    host: str
    port: int
    database: str = "Default"
    timeout: float | None = None  # seconds per exchange; None: the profile's [target] timeout
    connect_timeout: float | None = None  # seconds for the TCP connection; None: timeout
    max_pdu: int = DEFAULT_MAX_PDU  # a PDU larger than this is not read (FAIL: 3.2.1.1.6)
    charset_negotiation: bool = True  # propose UTF-8 in Init (charneg-3)
    auth: str = "none"  # none | open | idpass
    user: str = ""
    password: str = field(default="", repr=False)
    group: str = ""
    member_database: str = ""  # "{library}": each member library's view, by its code
    library_use: int = 0  # Bib-1 Use attribute of the holding library (KAT-03); 0: not declared
    sample_query: str = DEFAULT_SAMPLE_QUERY
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT  # seconds a MARC import may take to be findable

    def view(self, code: str) -> str:
        """The database a member library searches: its own view, or the one database."""
        return self.member_database.replace("{library}", code) if self.member_database else self.database


def parse(section: SectionReader) -> Z3950Settings:
    auth = section.choice("auth", "none", AUTH_KINDS)
    user = section.text("user", "", non_empty=False)
    password = section.text("password", "", non_empty=False)
    if auth != "none" and not user:
        raise section.error("user", f"auth = \"{auth}\" needs a user",
                            'add user = "..." (and password = "${ENV_NAME}"), or set auth = "none"')
    member_database = section.text("member_database", "", non_empty=False)
    if member_database and "{library}" not in member_database:
        raise section.error("member_database", "has no {library} placeholder",
                            'write where the library code goes, e.g. "lib-{library}"')
    sample = section.text("sample_query", DEFAULT_SAMPLE_QUERY)
    try:
        parse_pqf(sample)
    except PqfError as exc:
        raise section.error("sample_query", f"is not PQF: {exc}", 'write it as yaz-client does, e.g. "@attr 1=4 fjorden"') from None
    return Z3950Settings(
        host=section.host("host"),
        port=section.port("port"),
        database=section.text("database", "Default"),
        timeout=section.optional_seconds("timeout"),
        connect_timeout=section.optional_seconds("connect_timeout"),
        max_pdu=section.integer("max_pdu", DEFAULT_MAX_PDU, low=MIN_PDU, high=1 << 31, unit="bytes"),
        charset_negotiation=section.boolean("charset_negotiation", True),
        auth=auth,
        user=user,
        password=password,
        group=section.text("group", "", non_empty=False),
        member_database=member_database,
        library_use=section.integer("library_use", 0, low=0, high=2**31 - 1),
        sample_query=sample,
        visibility_timeout=section.seconds("visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT),
    )
