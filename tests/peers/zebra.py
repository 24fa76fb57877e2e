"""zebrasrv (Debian idzebra-2.0) on loopback, loaded with the consortium catalogue: Z39.50 and SRU.

Written for this repository from the recipe in research z3950-sru.md §1.2-§1.8: a DOM-filter
register built from ``fixtures/marc/consortium.xml`` (240 MARC 21 records in MARCXML, UTF-8,
Norwegian, North Sámi and Kven titles, 852 holdings), Bib-1 index names so that ``@attr 1=4``
(title), 1003 (author), 7 (ISBN), 21 (subject), 12 (local number), 1016 (any), 31 (date),
54 (language), 1018 (publisher) work without mapping; ICU normalisation with locale nb (NFC,
lower case, no diacritic folding: å is not a); retrieval as MARCXML (``xml``, element set
``marcxml``) and USMARC in UTF-8; CQL mapped to those indexes for SRU 1.1/1.2/2.0, which
zebrasrv serves on the same port.

    peer = ZebraPeer(tmp_path)          # writes the configuration, builds the register
    endpoint = peer.start()             # a free port; Z39.50 and SRU
    ...                                  # endpoint.host, .port, .database, .sru_url
    peer.stop()                         # or use it as a context manager

Installing: ``apt-get install -y yaz idzebra-2.0-utils idzebra-2.0-common libidzebra-2.0-mod-dom``.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from peer_process import DEFAULT_LIFETIME, PeerProcess, PeerStartError, require_programs

REPO = Path(__file__).resolve().parents[2]
CONSORTIUM_XML = REPO / "fixtures" / "marc" / "consortium.xml"
INSTALL_HINT = "apt-get install -y yaz idzebra-2.0-utils idzebra-2.0-common libidzebra-2.0-mod-dom"
PROGRAMS = ("zebrasrv", "zebraidx")
DATABASE = "Default"


@dataclass(frozen=True, slots=True)
class ZebraEndpoint:
    host: str
    port: int
    database: str = DATABASE

    @property
    def sru_url(self) -> str:
        return f"http://{self.host}:{self.port}/{self.database}"


def require_zebra() -> None:
    require_programs(*PROGRAMS, hint=INSTALL_HINT)


def _module_dir() -> str:
    try:
        arch = subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True, text=True,
                              check=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        arch = "x86_64-linux-gnu"
    return f"/usr/lib/{arch}/idzebra-2.0/modules"


class ZebraPeer:
    """A zebrasrv over the consortium catalogue; the register is built once in ``workdir``."""

    def __init__(self, workdir: Path, records: Path = CONSORTIUM_XML, lifetime: float = DEFAULT_LIFETIME) -> None:
        self.workdir = workdir
        self.records = records
        self._process = PeerProcess("zebrasrv", workdir, workdir / "zebrasrv.log", lifetime)
        self._prepared = False

    def prepare(self) -> None:
        """Write the configuration and index the records (about 0.3 s for 240 records)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        for name, text in _config_files(_module_dir()).items():
            (self.workdir / name).write_text(text, encoding="utf-8")
        (self.workdir / "records.xml").write_bytes(self.records.read_bytes())
        (self.workdir / "reg").mkdir(exist_ok=True)
        for args in (["init"], ["update", "records.xml"]):
            done = subprocess.run(["zebraidx", "-c", "zebra.cfg", "-l", "zebraidx.log", *args], cwd=self.workdir,
                                  capture_output=True, text=True, timeout=60, check=False)
            if done.returncode != 0:
                raise PeerStartError(f"zebraidx {' '.join(args)} failed: {done.stderr[-1000:]}")
        self._prepared = True

    def start(self, port: int = 0) -> ZebraEndpoint:
        """Start zebrasrv (threaded, one process) on ``port`` (0: a free one)."""
        if not self._prepared:
            self.prepare()
        chosen = self._process.start(self._argv, port)
        return ZebraEndpoint("127.0.0.1", chosen)

    def stop(self) -> None:
        self._process.stop()

    def _argv(self, port: int) -> list[str]:
        (self.workdir / "yazgfs.xml").write_text(_yazgfs(port), encoding="utf-8")
        return ["zebrasrv", "-T", "-f", "yazgfs.xml", "-l", "zebrasrv.log"]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


# -- configuration (own files, after the recipe's design) ---------------------------------------

def _config_files(modules: str) -> dict[str, str]:
    return {
        "zebra.cfg": f"""profilePath: .:/usr/share/idzebra-2.0/tab
modulePath: {modules}
recordType: dom.dom-conf.xml
attset: bib1.att
attset: explain.att
index: nordic-icu.idx
encoding: utf-8
register: reg:100M
lockdir: reg
keytmpdir: reg
""",
        "dom-conf.xml": """<?xml version="1.0" encoding="UTF-8"?>
<dom xmlns="http://indexdata.com/zebra-2.0">
  <input syntax="xml"><xmlreader level="1"/></input>
  <extract name="index"><xslt stylesheet="index.xsl"/></extract>
  <retrieve name="marcxml"><xslt stylesheet="identity.xsl"/></retrieve>
</dom>
""",
        "identity.xsl": """<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0">
  <xsl:output method="xml" encoding="UTF-8"/>
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
</xsl:stylesheet>
""",
        "index.xsl": _INDEX_XSL,
        "nordic-icu.idx": _INDEX_TYPES,
        "words-nb.xml": _icu_chain(tokenize=True),
        "phrases-nb.xml": _icu_chain(tokenize=False),
        "cql2pqf.txt": _CQL_TO_PQF,
    }


# Index names are Bib-1 names (bib1.att): Title = 4, Author = 1003, ISBN = 7, ...
# Suffixes are the index types of nordic-icu.idx: w words, p phrase, s sort, 0 exact, n numeric.
_INDEX_XSL = """<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:z="http://indexdata.com/zebra-2.0"
                xmlns:m="http://www.loc.gov/MARC21/slim" version="1.0">
  <xsl:output method="xml" encoding="UTF-8"/>
  <xsl:template match="text()"/>
  <xsl:template match="/m:record">
    <xsl:variable name="id" select="normalize-space(m:controlfield[@tag='001'])"/>
    <z:record z:id="{$id}" type="update">
      <z:index name="Local-number:0"><xsl:value-of select="$id"/></z:index>
      <z:index name="Date-of-publication:n"><xsl:value-of select="substring(m:controlfield[@tag='008'], 8, 4)"/></z:index>
      <z:index name="Code-language:w"><xsl:value-of select="substring(m:controlfield[@tag='008'], 36, 3)"/></z:index>
      <xsl:for-each select="m:datafield[@tag='020']/m:subfield[@code='a']">
        <z:index name="ISBN:w Any:w"><xsl:value-of select="."/></z:index>
      </xsl:for-each>
      <xsl:for-each select="m:datafield[@tag='100' or @tag='110' or @tag='700' or @tag='710']/m:subfield[@code='a']">
        <z:index name="Author:w Author:p Any:w"><xsl:value-of select="."/></z:index>
      </xsl:for-each>
      <xsl:for-each select="m:datafield[@tag='245']">
        <z:index name="Title:w Any:w"><xsl:value-of select="m:subfield[@code='a']"/><xsl:text> </xsl:text><xsl:value-of select="m:subfield[@code='b']"/></z:index>
        <z:index name="Title:p Title:s"><xsl:value-of select="normalize-space(translate(m:subfield[@code='a'], ':/;=,.', '      '))"/></z:index>
      </xsl:for-each>
      <xsl:for-each select="m:datafield[@tag='264' or @tag='260']/m:subfield[@code='b']">
        <z:index name="Publisher:w Any:w"><xsl:value-of select="."/></z:index>
      </xsl:for-each>
      <xsl:for-each select="m:datafield[@tag='650' or @tag='651']/m:subfield[@code='a']">
        <z:index name="Subject-heading:w Subject-heading:p Any:w"><xsl:value-of select="."/></z:index>
      </xsl:for-each>
    </z:record>
  </xsl:template>
</xsl:stylesheet>
"""

_INDEX_TYPES = """index w
completeness 0
position 1
alwaysmatches 1
firstinfield 1
icuchain words-nb.xml

index p
completeness 1
icuchain phrases-nb.xml

index 0
completeness 0
position 1
charmap @

index n
completeness 0
charmap numeric.chr

sort s
completeness 1
icuchain phrases-nb.xml
"""


def _icu_chain(*, tokenize: bool) -> str:
    steps = ['  <transform rule="[:Control:] Any-Remove"/>', '  <transform rule="Any-NFC"/>']
    if tokenize:
        steps += ['  <tokenize rule="l"/>', '  <transform rule="[[:WhiteSpace:][:Punctuation:]] Remove"/>']
    else:
        steps.append('  <transform rule="[:Punctuation:] Remove"/>')
    steps += ["  <display/>", '  <casemap rule="l"/>']
    return '<icu_chain locale="nb">\n' + "\n".join(steps) + "\n</icu_chain>\n"


_CQL_TO_PQF = """set.cql = info:srw/cql-context-set/1/cql-v1.2
set.dc = info:srw/cql-context-set/1/dc-v1.1
set.bath = http://zing.z3950.org/cql/bath/2.0/
set.rec = info:srw/cql-context-set/2/rec-1.1
set = info:srw/cql-context-set/1/dc-v1.1
index.cql.serverChoice = 1=1016
index.cql.anywhere = 1=1016
index.cql.allRecords = 1=_ALLRECORDS 2=103
index.rec.id = 1=12 4=3
index.dc.identifier = 1=7
index.dc.title = 1=4
index.dc.creator = 1=1003
index.dc.subject = 1=21
index.dc.publisher = 1=1018
index.dc.date = 1=31 4=109
index.dc.language = 1=54
index.bath.isbn = 1=7
index.bath.name = 1=1003
index.bath.topicalSubject = 1=21
relation.< = 2=1
relation.le = 2=2
relation.<= = 2=2
relation.eq = 2=3
relation.= = 2=3
relation.== = 2=3 6=3
relation.exact = 2=3 6=3
relation.ge = 2=4
relation.>= = 2=4
relation.> = 2=5
relation.<> = 2=6
relation.all = 2=3
relation.any = 2=3
relation.adj = 2=3
position.first = 3=1
position.any = 3=3
position.last = 3=4
position.firstAndLast = 3=3 6=3
structure.exact = 4=1
structure.all = 4=2
structure.any = 4=2
structure.* = 4=1
truncation.right = 5=1
truncation.left = 5=2
truncation.both = 5=3
truncation.none = 5=100
truncation.z3958 = 5=104
relationModifier.relevant = 2=102
relationModifier.stem = 2=101
"""


def _yazgfs(port: int) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<yazgfs>
  <listen id="main">tcp:127.0.0.1:{port}</listen>
  <server id="zebra" listenref="main">
    <directory>.</directory>
    <config>zebra.cfg</config>
    <cql2rpn>cql2pqf.txt</cql2rpn>
    <maximumrecordsize>2000000</maximumrecordsize>
    <retrievalinfo>
      <retrieval syntax="xml" name="marcxml" identifier="info:srw/schema/1/marcxml-v1.1">
        <backend syntax="xml" name="marcxml"/>
      </retrieval>
      <retrieval syntax="usmarc">
        <backend syntax="xml" name="marcxml"><marc inputformat="xml" outputformat="marc" outputcharset="utf-8"/></backend>
      </retrieval>
      <retrieval syntax="usmarc" name="F">
        <backend syntax="xml" name="marcxml"><marc inputformat="xml" outputformat="marc" outputcharset="utf-8"/></backend>
      </retrieval>
      <retrieval syntax="xml" name="zebra::*"/>
    </retrievalinfo>
    <explain xmlns="http://explain.z3950.org/dtd/2.0/">
      <serverInfo protocol="SRU" version="1.2"><host>127.0.0.1</host><port>{port}</port><database>{DATABASE}</database></serverInfo>
      <databaseInfo><title lang="en" primary="true">Consortium catalogue test peer (MARC 21; nob, nno, sme, fkv)</title></databaseInfo>
      <indexInfo>
        <set identifier="info:srw/cql-context-set/1/cql-v1.2" name="cql"/>
        <set identifier="info:srw/cql-context-set/1/dc-v1.1" name="dc"/>
        <set identifier="http://zing.z3950.org/cql/bath/2.0/" name="bath"/>
        <set identifier="info:srw/cql-context-set/2/rec-1.1" name="rec"/>
        <index><title>any</title><map><name set="cql">serverChoice</name></map></index>
        <index><title>title</title><map><name set="dc">title</name></map></index>
        <index><title>author</title><map><name set="dc">creator</name></map></index>
        <index><title>subject</title><map><name set="dc">subject</name></map></index>
        <index><title>publisher</title><map><name set="dc">publisher</name></map></index>
        <index><title>year</title><map><name set="dc">date</name></map></index>
        <index><title>language</title><map><name set="dc">language</name></map></index>
        <index><title>ISBN</title><map><name set="bath">isbn</name></map></index>
        <index><title>record id</title><map><name set="rec">id</name></map></index>
      </indexInfo>
      <schemaInfo>
        <schema identifier="info:srw/schema/1/marcxml-v1.1" name="marcxml" sort="false"><title>MARCXML</title></schema>
      </schemaInfo>
      <configInfo><default type="numberOfRecords">0</default></configInfo>
    </explain>
  </server>
</yazgfs>
"""
