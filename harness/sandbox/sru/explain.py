"""The sandbox's ZeeRex explain record: what it serves, declared (ZeeRex 2.0, explain.z3950.org).

Everything the service does is declared here and nothing else: versions, the CQL indexes
with their titles, the MARCXML schema by short name and URI, the default and the maximum
number of records, the maximum number of scan terms, the relations, masking and sorting.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.sandbox.sru.cqlmap import CONTEXT_SETS, CQL_INDEXES
from harness.sandbox.sru.params import SUPPORTED_VERSIONS
from harness.sandbox.sru.xmlout import text
from harness.sru.model import MARCXML_SCHEMA_URI, ZEEREX_NS

SORTABLE = ("title", "author", "identifier")
SCHEMAS = {"marcxml": MARCXML_SCHEMA_URI}


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """What the SRU endpoint is and offers; explain is written from it."""

    host: str = "127.0.0.1"
    port: int = 0
    database: str = "sru"
    title: str = "libharness sandbox: the consortium catalogue"
    default_records: int = 10
    maximum_records: int = 50
    maximum_terms: int = 100
    default_terms: int = 20
    sort: bool = True


def zeerex(config: ServerConfig, version: str) -> str:
    """The explain element (namespace declared on it), for a response in ``version``."""
    sets = "".join(f'<set name="{name}" identifier={_attr(uri)}/>' for name, uri in CONTEXT_SETS.items())
    indexes = []
    for (context, name), (search_index, title) in CQL_INDEXES.items():
        sortable = config.sort and search_index in SORTABLE and context == "dc"
        scan = search_index not in ("any",)
        indexes.append(f'<index search="true" scan="{_flag(scan)}" sort="{_flag(sortable)}"><title lang="en">{text(title)}</title>'
                       f'<map><name set="{context}">{name}</name></map></index>')
    indexes.append('<index search="true" scan="false" sort="false"><title lang="en">all records</title>'
                   '<map><name set="cql">allRecords</name></map></index>')
    schemas = "".join(f'<schema name="{name}" identifier="{uri}" retrieve="true" sort="false"><title>MARCXML with holdings (852) and item status (876 $j)</title></schema>'
                      for name, uri in SCHEMAS.items())
    supports = "".join(f'<supports type="relation">{r}</supports>' for r in (("=", "exact", "scr", "all", "any") if version == "1.1" else ("=", "==", "adj", "all", "any")))
    supports += '<supports type="maskingCharacter">*</supports><supports type="maskingCharacter">?</supports><supports type="anchoring"/>'
    if config.sort:
        supports += '<supports type="sort">sortBy</supports>' if version != "1.1" else '<supports type="sort">sortKeys</supports>'
    return (
        f'<explain xmlns="{ZEEREX_NS}">'
        f'<serverInfo protocol="SRU" version="{" ".join(SUPPORTED_VERSIONS)}" transport="http" method="GET POST">'
        f"<host>{text(config.host)}</host><port>{config.port}</port><database>{text(config.database)}</database></serverInfo>"
        f'<databaseInfo><title lang="en" primary="true">{text(config.title)}</title></databaseInfo>'
        f"<indexInfo>{sets}{''.join(indexes)}</indexInfo>"
        f"<schemaInfo>{schemas}</schemaInfo>"
        f'<configInfo><default type="numberOfRecords">{config.default_records}</default>'
        f'<default type="contextSet">dc</default><default type="index">cql.serverChoice</default>'
        f'<default type="retrieveSchema">marcxml</default><default type="numberOfTerms">{config.default_terms}</default>'
        f'<setting type="maximumRecords">{config.maximum_records}</setting>'
        f'<setting type="maximumTerms">{config.maximum_terms}</setting>{supports}</configInfo>'
        "</explain>"
    )


def _attr(value: str) -> str:
    return '"' + text(value).replace('"', "&quot;") + '"'


def _flag(value: bool) -> str:
    return "true" if value else "false"
