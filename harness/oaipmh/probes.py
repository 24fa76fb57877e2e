"""The probe battery: one request per verb, argument rule and error condition, sent once a run.

Each :class:`Probe` says what a right answer is (a verb's response, or one of the error codes
§3.6 allows) and which check judges that; the pages also feed the checks that judge every
answer (HTTP status, Content-Type, schema, echo, responseDate). Requests are built from what
discovery found: a live and a deleted identifier, a set, the prefixes, the declared
granularity, so a probe tests one rule and no other (a date is written in the declared
granularity unless granularity is what the probe is about).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from harness.errors import TargetError
from harness.oaipmh.client import Arguments, OaiClient, Page
from harness.oaipmh.dates import DAY, SECONDS, format_utc, parse_utc
from harness.oaipmh.discovery import Discovery
from harness.oaipmh.harvested import detached
from harness.oaipmh.model import ParseResult
from harness.oaipmh.ownership import Check

UNKNOWN_IDENTIFIER = "oai:libharness.invalid:0000000"
UNKNOWN_PREFIX = "libharness-no-such-format"
CONTROL_IDENTIFIER = "oai:libharness.invalid:bad\x1bid"  # an XML-illegal character in an argument


@dataclass(frozen=True, slots=True)
class Probe:
    name: str
    arguments: Arguments
    expect: frozenset[str]  # error codes that answer it right; empty: the verb's own response
    judge: Check  # the check that says whether the answer is right
    why: str = ""  # the clause, for the evidence
    twin: str = ""  # the probe that shows the argument works at all; if it does not, this one proves nothing


@dataclass(frozen=True, slots=True)
class Sample:
    """Identifiers and a datestamp from the catalogue, for probes that need real ones; a probe
    that needs what the catalogue did not give is not sent."""

    live: str | None = None
    datestamp: str = "2000-01-01T00:00:00Z"  # of the live record, as the repository wrote it
    deleted: str | None = None
    set_spec: str | None = None


def _ok(name: str, arguments: Arguments, judge: Check = Check.VERBS) -> Probe:
    return Probe(name, arguments, frozenset(), judge, "OAI-PMH 2.0 §4 (the verb's response)")


def _error(name: str, arguments: Arguments, codes: str, judge: Check, why: str, twin: str = "") -> Probe:
    return Probe(name, arguments, frozenset(codes.split("|")), judge, why, twin)


def _at(stamp: str, granularity: str, shift: timedelta = timedelta()) -> str:
    parsed = parse_utc(stamp)
    value = parsed.value if parsed is not None else None
    if value is None:
        return stamp
    return format_utc(value + shift, granularity)


def build(found: Discovery, sample: Sample) -> list[Probe]:
    """Every probe this repository can be asked, given what it declared."""
    dc, marc = found.dc_prefix or "oai_dc", found.catalogue_prefix or "oai_dc"
    granularity = found.granularity
    stamp = _at(sample.datestamp, granularity)
    probes = [
        _ok("identify", (("verb", "Identify"),)),
        _ok("formats", (("verb", "ListMetadataFormats"),)),
        _ok("list_identifiers", (("verb", "ListIdentifiers"), ("metadataPrefix", marc))),
        _ok("list_records", (("verb", "ListRecords"), ("metadataPrefix", dc))),
        _ok("list_records_range", (("verb", "ListRecords"), ("metadataPrefix", marc), ("from", stamp), ("until", stamp)),
            Check.INCLUSIVE),
        _ok("day_range", (("verb", "ListIdentifiers"), ("metadataPrefix", marc), ("from", _at(stamp, DAY)),
                          ("until", _at(stamp, DAY))), Check.DAY_GRANULARITY),
    ]
    if found.no_sets_declared:
        probes += [
            _error("sets_without_hierarchy", (("verb", "ListSets"),), "noSetHierarchy", Check.ERROR_CODES, "§3.6 noSetHierarchy"),
            _error("set_without_hierarchy", (("verb", "ListRecords"), ("metadataPrefix", dc), ("set", "libharness")),
                   "noSetHierarchy", Check.ERROR_CODES, "§3.6 noSetHierarchy"),
        ]
    else:
        probes.append(_ok("sets", (("verb", "ListSets"),)))
        if sample.set_spec:
            probes.append(_ok("list_identifiers_set", (("verb", "ListIdentifiers"), ("metadataPrefix", marc), ("set", sample.set_spec)),
                              Check.SET_MEMBERS))
    if sample.live:
        probes += [
            _ok("formats_for_item", (("verb", "ListMetadataFormats"), ("identifier", sample.live))),
            _ok("get_record_dc", (("verb", "GetRecord"), ("identifier", sample.live), ("metadataPrefix", dc))),
            _ok("get_record_catalogue", (("verb", "GetRecord"), ("identifier", sample.live), ("metadataPrefix", marc))),
        ]
    if sample.deleted:
        probes.append(_ok("get_record_deleted", (("verb", "GetRecord"), ("identifier", sample.deleted), ("metadataPrefix", marc)),
                          Check.DELETED))
    return probes + _bad_arguments(dc, stamp, granularity) + _errors(found, dc, marc, sample, granularity)


def _bad_arguments(dc: str, stamp: str, granularity: str) -> list[Probe]:
    why = "OAI-PMH 2.0 §3.6 badArgument (illegal, missing or repeated argument, or illegal syntax)"
    bad = [
        ("missing_prefix", (("verb", "ListRecords"),)),
        ("missing_identifier", (("verb", "GetRecord"), ("metadataPrefix", dc))),
        ("illegal_argument", (("verb", "Identify"), ("libharness", "1"))),
        ("repeated_argument", (("verb", "ListRecords"), ("metadataPrefix", dc), ("metadataPrefix", dc))),
        ("from_not_a_date", (("verb", "ListRecords"), ("metadataPrefix", dc), ("from", "libharness"))),
        ("impossible_date", (("verb", "ListRecords"), ("metadataPrefix", dc), ("from", "2024-13-45"))),
        ("mixed_granularity", (("verb", "ListRecords"), ("metadataPrefix", dc), ("from", _at(stamp, DAY)),
                               ("until", _at(stamp, SECONDS, timedelta(days=1))))),
    ]
    probes = [_error(name, arguments, "badArgument", Check.BAD_ARGUMENTS, why) for name, arguments in bad]
    # resumptionToken is exclusive; a junk one with other arguments breaks two rules at once
    probes.append(_error("token_with_other_arguments", (("verb", "ListRecords"), ("resumptionToken", "libharness"),
                                                        ("metadataPrefix", dc)),
                         "badArgument|badResumptionToken", Check.BAD_ARGUMENTS, why + "; §4.5 resumptionToken is exclusive"))
    if granularity == DAY:  # §3.3.1: a granularity finer than the repository's is badArgument
        probes.append(_error("finer_than_declared", (("verb", "ListRecords"), ("metadataPrefix", dc),
                                                     ("from", _at(stamp, SECONDS))),
                             "badArgument", Check.BAD_ARGUMENTS, "OAI-PMH 2.0 §3.3.1 (granularity finer than supported)"))
    return probes


def _errors(found: Discovery, dc: str, marc: str, sample: Sample, granularity: str) -> list[Probe]:
    verb_why = "OAI-PMH 2.0 §3.6 badVerb (illegal, missing or repeated verb)"
    probes = [
        _error("no_verb", (), "badVerb", Check.ERROR_CODES, verb_why),
        _error("bad_verb", (("verb", "Frobnicate"),), "badVerb", Check.ERROR_CODES, verb_why),
        _error("repeated_verb", (("verb", "Identify"), ("verb", "Identify")), "badVerb", Check.ERROR_CODES, verb_why),
        _error("unofficial_verb", (("verb", "GetMetadata"), ("identifier", sample.live or UNKNOWN_IDENTIFIER),
                                   ("metadataPrefix", dc)), "badVerb", Check.ERROR_CODES, verb_why),
    ]
    cannot = "OAI-PMH 2.0 §3.6 cannotDisseminateFormat"
    probes.append(_error("unknown_prefix_list", (("verb", "ListRecords"), ("metadataPrefix", UNKNOWN_PREFIX)),
                         "cannotDisseminateFormat", Check.ERROR_CODES, cannot))
    if sample.live:
        probes.append(_error("unknown_prefix_record", (("verb", "GetRecord"), ("identifier", sample.live),
                                                       ("metadataPrefix", UNKNOWN_PREFIX)),
                             "cannotDisseminateFormat", Check.ERROR_CODES, cannot, twin="get_record_dc"))
    unknown = "OAI-PMH 2.0 §3.6 idDoesNotExist (unknown or illegal identifier)"
    probes += [
        _error("unknown_identifier", (("verb", "GetRecord"), ("identifier", UNKNOWN_IDENTIFIER), ("metadataPrefix", dc)),
               "idDoesNotExist", Check.ERROR_CODES, unknown),
        _error("unknown_identifier_formats", (("verb", "ListMetadataFormats"), ("identifier", UNKNOWN_IDENTIFIER)),
               "idDoesNotExist", Check.ERROR_CODES, unknown, twin="formats_for_item"),
        _error("quote_in_identifier", (("verb", "GetRecord"), ("identifier", 'invalid"id'), ("metadataPrefix", dc)),
               "idDoesNotExist|badArgument", Check.ERROR_CODES, unknown),
        _error("control_in_identifier", (("verb", "GetRecord"), ("identifier", CONTROL_IDENTIFIER), ("metadataPrefix", dc)),
               "idDoesNotExist|badArgument", Check.ILLEGAL_CHARACTERS, unknown),
    ]
    nothing = "OAI-PMH 2.0 §3.6 noRecordsMatch"
    future = format_utc(datetime(2099, 1, 1, tzinfo=UTC), granularity)
    probes.append(_error("nothing_after", (("verb", "ListRecords"), ("metadataPrefix", marc), ("from", future)),
                         "noRecordsMatch", Check.ERROR_CODES, nothing))
    identity = found.identity
    earliest = parse_utc(identity.earliest_datestamp) if identity else None
    if earliest is not None:  # the official validator's probe: until a year before earliestDatestamp
        before = format_utc(earliest.value - timedelta(days=366), granularity)
        probes.append(_error("until_before_earliest", (("verb", "ListRecords"), ("metadataPrefix", marc), ("until", before)),
                             "noRecordsMatch", Check.ERROR_CODES, nothing))
    return probes


@dataclass(frozen=True, slots=True)
class Answer:
    probe: Probe
    page: Page  # for an unanswered probe: an empty page with the exchange that failed
    failure: TargetError | None = None  # the network or a budget stopped this one request

    @property
    def answered(self) -> bool:
        return self.failure is None

    @property
    def codes(self) -> tuple[str, ...]:
        from harness.oaipmh.model import ErrorResponse

        response = self.page.response
        return response.codes if isinstance(response, ErrorResponse) else ()

    @property
    def right(self) -> bool:
        """The answer is what the probe asks for (whatever else is wrong with the page)."""
        if self.page.response is None:
            return False
        if self.probe.expect:
            return len(self.codes) >= 1 and set(self.codes) <= self.probe.expect
        return not self.codes


def run(client: OaiClient, probes: list[Probe]) -> list[Answer]:
    """Every probe's answer; a probe the network or a budget stopped is kept as unanswered
    (its checks are ERROR), so one dropped connection does not sink the battery."""
    answers = []
    for probe in probes:
        try:
            answers.append(Answer(probe, client.request(probe.arguments)))
        except TargetError as failure:
            exchange = client.http.transcript[-1] if client.http.transcript else None
            empty = Page(probe.arguments, 0, "", 0, 0.0, ParseResult(None), (), exchange)
            answers.append(Answer(probe, empty, detached(failure)))
    return answers


def untestable(answer: Answer, answers: list[Answer]) -> Answer | None:
    """The twin answer that makes ``answer`` prove nothing (the argument does not work at all)."""
    twin = next((a for a in answers if a.probe.name == answer.probe.twin), None)
    return twin if twin is not None and not twin.right else None
