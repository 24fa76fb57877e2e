"""Z-01 and Z-02 on Present: record syntaxes, element sets, ranges, unknown sets, sizes, OPAC.

Each check works on the profile's ``sample_query`` (any catalogue will do). A record syntax
the target does not offer is refused with Bib-1 238 or 239: the optional ones (OPAC) are
then SKIP; USMARC and MARCXML are what Z-01 asks for, so refusing them is a FAIL.
"""

from __future__ import annotations

import pytest
from lxml import etree

from harness.findings import WarningRecorder, not_tested, skip_undeclared
from harness.z3950 import checks as c
from harness.z3950 import defects, oids
from harness.z3950.client import Client
from harness.z3950.records import Record
from harness.z3950.target import Z3950Target

MARCXML_NS = "http://www.loc.gov/MARC21/slim"
XML_SYNTAXES = (oids.XML_TEXT, oids.XML_APPLICATION)
NOT_OFFERED = {238, 239}  # record not available in / record syntax not supported
OUT_OF_RANGE_CLAUSE = f"{c.Z} 3.2.3.1 (Present) and Appendix ERR: Bib-1 13, Present request out-of-range"
UNKNOWN_SET_CLAUSE = f"{c.Z} 3.2.3.1 (Present) and Appendix ERR: Bib-1 30, Specified result set does not exist"
NO_SUCH_SET = "harness-no-such-set"


def _marcxml_number(record: Record) -> str:
    try:
        root = etree.fromstring(record.data)
    except etree.XMLSyntaxError:
        return ""
    if root.tag == f"{{{MARCXML_NS}}}collection":
        root = next(iter(root), root)
    if root.tag != f"{{{MARCXML_NS}}}record":
        return ""
    return (root.findtext(f"{{{MARCXML_NS}}}controlfield[@tag='001']") or "").strip()


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.XML_AS_USMARC)
def test_present_usmarc_and_marcxml(z3950: Client, z3950_target: Z3950Target, warn: WarningRecorder) -> None:
    """Present gives the same record in USMARC (element sets F and B) and in MARCXML, each under its syntax's OID

    nb: Present gir samme post i USMARC (elementsett F og B) og i MARCXML, hver under sin syntaks' OID
    """
    c.sample_search(z3950, z3950_target.settings.sample_query, at_least=1)
    wrong, numbers = [], {}
    for label, syntax, element_set in (("USMARC", oids.USMARC, None), ("USMARC F", oids.USMARC, "F"),
                                       ("USMARC B", oids.USMARC, "B"), ("MARCXML", oids.XML_TEXT, None)):
        present = z3950.present(1, 1, record_syntax=syntax, element_set=element_set)
        record = (present.records or (None,))[0]
        if record is None or record.diagnostic is not None:
            diagnostics = present.diagnostics + ((record.diagnostic,) if record and record.diagnostic else ())
            wrong.append(f"{label}: no record ({c.describe(diagnostics)})")
            continue
        if syntax == oids.USMARC:
            numbers[label] = c.control_number(record) if record.syntax == oids.USMARC else ""
            ok = record.syntax == oids.USMARC and numbers[label]
        else:
            numbers[label] = _marcxml_number(record) if record.syntax in XML_SYNTAXES else ""
            ok = record.syntax in XML_SYNTAXES and numbers[label]
        if not ok:
            wrong.append(f"{label}: a record under {oids.name_of(record.syntax) or 'no OID'} that is not "
                         f"{'ISO 2709 MARC with a 001' if syntax == oids.USMARC else 'a MARC 21 slim record with a 001'}: "
                         f"{record.data[:60]!r}")
    if not wrong and len(set(numbers.values())) != 1:
        wrong.append(f"the record's 001 differs between syntaxes: {numbers}")
    if wrong:
        raise c.fail(f"record 1 of the sample query: {wrong[0]}", clause=c.PRESENT_CLAUSE, client=z3950, details=wrong,
                     expected="USMARC (1.2.840.10003.5.10) and MARCXML (1.2.840.10003.5.109.10) of one record", last=4)
    warn.note(f"record {next(iter(numbers.values()))} in USMARC (F, B) and MARCXML")


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.NO_DIAGNOSTIC_13)
def test_present_out_of_range(z3950: Client, z3950_target: Z3950Target) -> None:
    """A Present past the end of the result set is answered with Bib-1 13

    nb: En Present forbi slutten av resultatsettet besvares med Bib-1 13
    """
    hits = c.sample_search(z3950, z3950_target.settings.sample_query, at_least=1).result_count
    present = z3950.present(hits + 1, 1, record_syntax=oids.USMARC)
    surrogates = [r.diagnostic for r in present.records or () if r.diagnostic is not None]
    if 13 not in c.bib1_codes(present.diagnostics + tuple(surrogates)):
        raise c.fail(f"Present of record {hits + 1} of {hits}: presentStatus {present.present_status}, "
                     f"{len(present.records or ())} records, {c.describe(present.diagnostics)}",
                     clause=OUT_OF_RANGE_CLAUSE, client=z3950, expected="Bib-1 13 (presentStatus failure)", last=2)


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.UNKNOWN_SET_AS_DEFAULT)
def test_unknown_result_set(z3950: Client, z3950_target: Z3950Target) -> None:
    """A Present from a result set that does not exist is answered with Bib-1 30

    nb: En Present fra et resultatsett som ikke finnes besvares med Bib-1 30
    """
    c.sample_search(z3950, z3950_target.settings.sample_query, at_least=1)
    present = z3950.present(1, 1, result_set=NO_SUCH_SET, record_syntax=oids.USMARC)
    if 30 not in c.bib1_codes(present.diagnostics):
        raise c.fail(f"Present from {NO_SUCH_SET!r}: presentStatus {present.present_status}, "
                     f"{len(present.records or ())} records, {c.describe(present.diagnostics)}",
                     clause=UNKNOWN_SET_CLAUSE, client=z3950, expected="Bib-1 30 (presentStatus failure)", last=1)


def _oversized(present_records: tuple[Record, ...], limit: int) -> list[str]:
    return [f"record {n}: {len(r.data):,} bytes, over the negotiated {limit:,}" for n, r in enumerate(present_records, 1)
            if r.diagnostic is None and len(r.data) > limit]


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.RECORD_SIZE_IGNORED)
def test_records_too_large(z3950: Client, z3950_connect: object, z3950_target: Z3950Target, warn: WarningRecorder) -> None:
    """A record larger than the negotiated sizes is replaced by surrogate diagnostic 16 or 17, not sent

    nb: En post større enn de forhandlede størrelsene erstattes av surrogatdiagnostikk 16 eller 17, den sendes ikke
    """
    query = z3950_target.settings.sample_query
    c.sample_search(z3950, query, at_least=2)
    normal = z3950.present(1, 1, record_syntax=oids.USMARC)
    if not normal.records or normal.records[0].diagnostic is not None:
        not_tested(f"record 1 of the sample query is not presented in USMARC ({c.describe(normal.diagnostics)}); "
                   "test_present_usmarc_and_marcxml judges that")
    size = max(len(normal.records[0].data) // 2, 64)
    small = z3950_connect(preferred_message_size=size, exceptional_record_size=size)  # type: ignore[operator]
    agreed = small.init_response
    limit = agreed.exceptional_record_size if agreed else size
    if limit >= len(normal.records[0].data):
        not_tested(f"asked for {size:,}-byte sizes, the target agreed to {limit:,}: its records fit")
    c.sample_search(small, query, at_least=2)
    single, several = small.present(1, 1, record_syntax=oids.USMARC), small.present(1, 2, record_syntax=oids.USMARC)
    wrong = _oversized(single.records or (), limit) + _oversized(several.records or (), limit)
    codes = c.bib1_codes(single.diagnostics + tuple(r.diagnostic for r in single.records or () if r.diagnostic))
    if not wrong and not {16, 17} & set(codes):
        wrong.append(f"Present of 1 record ({len(normal.records[0].data):,} bytes): presentStatus {single.present_status}, "
                     f"{len(single.records or ())} records, {c.describe(single.diagnostics)}")
    if wrong:
        raise c.fail(f"with preferred and exceptional sizes of {limit:,} bytes agreed, {wrong[0]}", clause=c.SIZE_CLAUSE,
                     client=small, details=wrong, expected="surrogate diagnostic 17 (or 16) in place of the record",
                     last=4)
    warn.note(f"sizes {limit:,}: the {len(normal.records[0].data):,}-byte record is replaced by Bib-1 "
              f"{', '.join(str(x) for x in codes if x in (16, 17))}")


@pytest.mark.requirement("Z-02")
@pytest.mark.failed_by(defects.OPAC_WITHOUT_HOLDINGS)
def test_opac_records(z3950: Client, z3950_target: Z3950Target, warn: WarningRecorder) -> None:
    """OPAC records carry the bibliographic record in USMARC and holdings with circulation data

    nb: OPAC-poster bærer den bibliografiske posten i USMARC og beholdning med sirkulasjonsdata
    """
    hits = c.sample_search(z3950, z3950_target.settings.sample_query, at_least=1).result_count
    present = z3950.present(1, min(hits, 5), record_syntax=oids.OPAC)
    if NOT_OFFERED & set(c.bib1_codes(present.diagnostics)):
        skip_undeclared(f"the target does not offer the OPAC record syntax ({c.describe(present.diagnostics)})")
    records = [r for r in present.records or () if r.diagnostic is None]
    if not records:
        raise c.fail(f"no OPAC record came back: presentStatus {present.present_status}, {c.describe(present.diagnostics)}",
                     clause=c.OPAC_CLAUSE, client=z3950, expected="OPAC records", last=1)
    wrong = [f"record {n}: {oids.name_of(r.syntax)} is not an OPACRecord" for n, r in enumerate(records, 1) if r.opac is None]
    wrong += [f"record {n}: no bibliographicRecord in USMARC" for n, r in enumerate(records, 1)
              if r.opac is not None and (r.opac.bibliographic is None or not c.control_number(r))]
    holdings = sum(len(r.opac.holdings) for r in records if r.opac is not None)
    if not wrong and not holdings:
        wrong.append(f"none of the {len(records)} OPAC records carries holdingsData")
    if wrong:
        raise c.fail(f"OPAC records: {wrong[0]}", clause=c.OPAC_CLAUSE, client=z3950, details=wrong,
                     expected="an OPACRecord per position with bibliographicRecord and holdingsData", last=1)
    copies = sum(len(h.circulation) for r in records if r.opac is not None for h in r.opac.holdings)
    warn.note(f"{len(records)} OPAC records, {holdings} holdings, {copies} copies with circulation data")
