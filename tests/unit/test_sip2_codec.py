"""The SIP2 codec: real frames verify, every rule can fire, every message round-trips, and
no byte string makes the decoder raise.

Fixture frames are the ones captured against pysip2 0.1.0 in research/sip2.md §2.1 (and
checked there with independent checksum code), so these tests do not only agree with
themselves.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.errors import HarnessError, UsageError
from harness.sip2 import fields as F
from harness.sip2.codec import (
    Decoded,
    Frame,
    LocalEncodingError,
    LocalProtocolError,
    Message,
    Severity,
    UnsupportedCharset,
    checksum,
    decode,
    encode,
    format_date,
    parse_date,
    resolve_charset,
    verify_checksum,
)
from harness.sip2.messages import MESSAGES, Direction
from harness.sip2.model import new_decoded, new_message
from harness.sip2.rules import RULES, CodecFinding

DATE = "20261124    193218"
NORSK = "Åse Øvergård"
SAMI = "Máret Čuoŋ Šárá"  # č, ŋ, š: in neither cp850 nor latin-1

# research/sip2.md §2.1, loopback probe against pysip2 0.1.0
SC_STATUS = b"9900302.00AY1AZFCA5"
ACS_STATUS = (
    b"98YNYNNY03000320261124    1932182.00AONOTEST|AMTestbibliotek|BXYYNNYYYNNNNNNNNN|AY1AZE78F"
)
REQUEST_SC_RESEND = b"96AZFEF6"


def patron_status(name: str, **extra: str) -> Message:
    return Message.build(
        "24",
        {"patron_status": " " * 14, "language": "012", "transaction_date": DATE},
        {"AO": "NOTEST", "AA": "23456789012345", "AE": name, "BL": "Y", **extra},
    )


def rules(decoded: Decoded) -> set[str]:
    return {f.rule.id for f in decoded.findings}


# -- the tables ---------------------------------------------------------------------------------

# research/sip2.md §1.2: total fixed length per command, command code included.
FIXED_LENGTHS = {
    "93": 4, "94": 3, "99": 10, "98": 36, "23": 23, "24": 37, "01": 21, "11": 40, "12": 24,
    "09": 39, "10": 24, "63": 33, "64": 61, "35": 20, "36": 21, "37": 27, "38": 21, "17": 20,
    "18": 26, "19": 20, "20": 21, "25": 20, "26": 37, "15": 21, "16": 22, "29": 40, "30": 24,
    "65": 20, "66": 29, "97": 2, "96": 2,
}


def test_message_table_matches_the_research_layouts() -> None:
    assert {code: spec.fixed_length for code, spec in MESSAGES.items()} == FIXED_LENGTHS


def test_every_request_names_a_response_that_exists_and_comes_from_the_acs() -> None:
    for spec in MESSAGES.values():
        if spec.response is not None:
            assert spec.direction is Direction.SC_TO_ACS
            assert MESSAGES[spec.response].direction is Direction.ACS_TO_SC
    assert MESSAGES["01"].response == "24"  # Block Patron is answered by a Patron Status Response


def test_offsets_are_contiguous_and_every_id_is_named() -> None:
    for spec in MESSAGES.values():
        offset = 2
        for field in spec.fixed:
            assert field.offset == offset
            offset += field.length
        for fid in (*spec.required, *spec.optional):
            assert fid in F.FIELD_NAMES, (spec.code, fid)
    assert MESSAGES["64"].fixed_field("charged_items_count").offset == 45
    assert MESSAGES["64"].repeatable >= {"AS", "AT", "AU", "AV", "BU", "CD", "AF", "AG"}
    assert MESSAGES["66"].repeatable >= {"BM", "BN"}


def test_code_tables_have_their_spec_sizes() -> None:
    assert len(F.SUPPORTED_MESSAGES) == 16
    assert len(F.PATRON_STATUS) == 14
    assert list(F.CIRCULATION_STATUS) == [f"{n:02d}" for n in range(1, 14)]
    assert F.LANGUAGE["012"] == "Norwegian"
    assert {code for _, code in F.SUPPORTED_MESSAGES} <= set(MESSAGES)
    assert set(F.EXTENSION_FIELDS) == {"CR", "CS", "CT", "CV", "CY", "DA"}


# -- real frames --------------------------------------------------------------------------------

@pytest.mark.parametrize("frame", [SC_STATUS, ACS_STATUS, REQUEST_SC_RESEND, b"97AZFEF5"])
def test_captured_frames_verify_and_decode_cleanly(frame: bytes) -> None:
    assert verify_checksum(frame)
    assert verify_checksum(frame + b"\r")
    decoded = decode(frame + b"\r")
    assert decoded.findings == ()
    assert decoded.message is not None and decoded.ok


def test_acs_status_fields() -> None:
    message = decode(ACS_STATUS).message
    assert message is not None
    assert message.sequence == 1 and message.checksum == "E78F"
    assert message.fixed_value("protocol_version") == "2.00"
    assert message.fixed_value("date_time_sync") == DATE
    assert message.get("AO") == "NOTEST" and message.get("BX") == "YYNNYYYNNNNNNNNN"
    assert message.fixed_map()["timeout_period"] == "030"


def test_encode_reproduces_the_captured_frames() -> None:
    status = Message.build("99", {"status_code": "0", "max_print_width": "030", "protocol_version": "2.00"})
    assert encode(status, sequence=1) == SC_STATUS + b"\r"
    assert encode(Message("96")) == REQUEST_SC_RESEND + b"\r"  # AZ only, never AY
    assert encode(Message("97")) == b"97AZFEF5\r"
    acs = decode(ACS_STATUS).message
    assert acs is not None
    assert encode(acs) == ACS_STATUS + b"\r"


def test_corrupted_frame_names_the_checksum_it_expected() -> None:
    decoded = decode(b"9900302.00AY2AZFCA0\r")  # research §2.1: the ACS answered 96
    assert not verify_checksum(b"9900302.00AY2AZFCA0")
    [problem] = decoded.findings
    assert problem.rule.id == "bad_checksum" and problem.position.label == "AZ"
    assert problem.position.offset == 15 and "AZFCA4" in problem.message
    assert problem.severity is Severity.FAIL


def test_cp850_frame_from_the_research_decodes_to_norwegian_letters() -> None:
    frame = b"24              01220261124    193218AONOTEST|AA1|AE\x8fse \x9dverg\x86rd|BLY|"
    assert decode(frame, charset="cp850").message.get("AE") == NORSK  # type: ignore[union-attr]
    assert "undecodable_bytes" in rules(decode(frame, charset="utf-8"))


# -- checksums over bytes -----------------------------------------------------------------------

def test_checksum_arithmetic() -> None:
    assert checksum(b"") == "0000"
    assert checksum(b"\x01") == "FFFF"
    assert checksum(b"9900302.00AY1AZ") == "FCA5"


@pytest.mark.parametrize("name", [NORSK, "Blåbærsyltetøy på Ærøy"])
def test_norwegian_letters_checksum_over_utf8_and_cp850_bytes(name: str) -> None:
    utf8 = encode(patron_status(name), charset="utf-8", sequence=3)
    cp850 = encode(patron_status(name), charset="cp850", sequence=3)
    assert utf8 != cp850 and utf8[-5:-1] != cp850[-5:-1]  # different bytes, different sums
    assert verify_checksum(utf8) and verify_checksum(cp850)
    for frame, charset in ((utf8, "utf-8"), (cp850, "cp850")):
        decoded = decode(frame, charset=charset)
        assert decoded.findings == () and decoded.message.get("AE") == name  # type: ignore[union-attr]
    # The classic bug (research §3 P2): a checksum over code points matches neither.
    body = utf8[: utf8.rindex(b"AZ") + 2]
    by_characters = "%04X" % (-sum(map(ord, body.decode("utf-8"))) & 0xFFFF)
    assert by_characters not in (utf8[-5:-1].decode(), cp850[-5:-1].decode())


def test_sami_letters_need_utf8_and_never_get_replaced() -> None:
    frame = encode(patron_status(SAMI), charset="utf-8")
    assert verify_checksum(frame)
    assert decode(frame).message.get("AE") == SAMI  # type: ignore[union-attr]
    for charset in ("cp850", "latin-1"):
        with pytest.raises(LocalEncodingError, match=r"field AE holds 'Č' \(U\+010C\), which") as caught:
            encode(patron_status(SAMI), charset=charset)
        assert isinstance(caught.value, HarnessError)


def test_checksum_keeps_its_leading_zero() -> None:
    # The 16-bit sum must land above 0xF000 for the checksum to start with 0 (research §3 P3):
    # a long 64 with charged items does it; search for one deterministically.
    for count in range(1, 60):
        for pad in range(200):
            items = [("AU", f"0301{n:010d}") for n in range(count)]
            message = Message.build(
                "64", (" " * 14, "012", DATE, "0000", "0000", f"{count:04d}", "0000", "0000", "0000"),
                [("AO", "NOTEST"), ("AA", "1"), ("AE", "x" * pad), *items],
            )
            frame = encode(message, sequence=0)
            if frame[-5:-1].startswith(b"0"):
                assert re.fullmatch(rb".*AY0AZ0[0-9A-F]{3}\r", frame, re.DOTALL)
                assert verify_checksum(frame)
                assert decode(frame).findings == ()
                return
    pytest.fail("no message with a checksum below 0x1000 found")


# -- every rule can fire ------------------------------------------------------------------------

BAD_FRAMES: list[tuple[bytes, str, int | None, str | None]] = [
    # (frame, rule, byte offset, field id)
    (b"", "empty_frame", 0, None),
    (b"XX123", "unknown_command", 0, None),
    (b"64", "fixed_too_short", 2, None),
    (b"2400120240101    120000AOx|AAy|AEz|", "fixed_too_short", 35, None),
    (b"10Y" + b"NNN" + DATE.encode() + b"AOx|AB1|AQ2|", "fixed_field_format", 2, None),
    (b"24" + b" " * 14 + b"01220241301    120000AOx|AAy|AEz|", "fixed_field_format", 19, None),
    (b"2400" + b" " * 12 + b"012" + DATE.encode() + b"AOx|AAy|AE\xc3|", "undecodable_bytes", 47, None),
    (b"9300CNa||COb|", "field_malformed", 8, None),
    (b"9300CNa|S=HASH(0x1)|COb|", "field_id_syntax", 8, None),
    (b"9300CNa|COb", "missing_trailing_delimiter", 11, "CO"),
    (b"9300CNa|", "required_field_missing", None, "CO"),
    (b"9300CNa|COb|ZZc|", "unknown_field", 12, "ZZ"),
    (b"9300CNa|COb|CNc|", "repeated_field", 12, "CN"),
    (b"9300CNa|CO" + b"p" * 256 + b"|", "field_too_long", 8, "CO"),
    (b"24" + b" " * 14 + b"012" + DATE.encode() + b"AOx|AAy|AEz|BLx|", "field_format", 49, "BL"),
    (b"9300CNa|AY1|COb|", "misplaced_trailer", 8, "AY"),
    (b"9900302.00AY2AZFCA0", "bad_checksum", 15, "AZ"),
    (ACS_STATUS[:-4] + b"e78f", "checksum_lowercase", 85, "AZ"),
    (b"9900302.00AY1AZCA5", "checksum_length", 15, "AZ"),
    (b"9900302.00AY1AZXYZW", "checksum_not_hex", 15, "AZ"),
    (b"9900302.00AY1", "ay_without_az", 10, "AY"),
    (b"9900302.00AZFCE9", "az_without_ay", 10, "AZ"),
    (b"96AY1AZFE2B", "ay_on_resend", 2, "AY"),
    (b"9900302.00AYxAZFC5E", "sequence_syntax", 12, "AY"),
]


@pytest.mark.parametrize(("frame", "rule", "offset", "field_id"), BAD_FRAMES, ids=[r for _, r, _, _ in BAD_FRAMES])
def test_each_rule_fires_where_the_problem_is(frame: bytes, rule: str, offset: int | None, field_id: str | None) -> None:
    decoded = decode(frame)
    matching = [f for f in decoded.findings if f.rule.id == rule]
    assert matching, decoded.findings
    position = matching[0].position
    assert (position.offset if position else None) == offset
    assert (position.label or None if position else None) == field_id
    severity, clause = RULES[rule].severity, RULES[rule].clause
    assert matching[0].severity is severity and matching[0].clause == clause
    assert str(matching[0]).startswith(f"[{severity.value}] {rule}")


FRAMING_RULES = {"terminator_crlf", "terminator_lf", "stray_lf", "blank_line", "oversized", "truncated"}


def test_every_codec_rule_has_a_frame_that_fires_it() -> None:
    fired = {rule for _, rule, _, _ in BAD_FRAMES} | {"date_format"}  # dates: below
    assert fired | FRAMING_RULES == set(RULES)  # framing rules: test_sip2_framing.py


def test_tolerated_and_noted_deviations_are_not_failures() -> None:
    assert decode(b"9300CNa|COb").ok  # missing trailing | : WARN
    assert decode(b"9300CNa|COb|ZZc|").ok  # unknown field: INFO, and kept for checks
    assert decode(b"9300CNa|COb|ZZc|").message.get("ZZ") == "c"  # type: ignore[union-attr]
    assert not decode(b"9300CNa|").ok


def test_blank_nb_due_date_is_accepted_as_real_scs_send_it() -> None:
    # Evergreen's own t/03checkout.t sends 18 blanks (research §1.4 item 5).
    frame = b"11YN20060329    203000" + b" " * 18 + b"AOa|AAb|ABc|AC|"
    assert decode(frame).findings == ()


def test_last_field_without_delimiter_before_the_trailer() -> None:
    frame = encode(Message.build("93", ("0", "0"), [("CN", "a"), ("CO", "b")]), sequence=4)
    unterminated = frame.replace(b"COb|AY4", b"COb" + b"AY4")[:-5]  # drop checksum and CR
    unterminated += checksum(unterminated).encode()
    decoded = decode(unterminated)
    assert rules(decoded) == {"missing_trailing_delimiter"}
    assert decoded.message.get("CO") == "b" and decoded.message.sequence == 4  # type: ignore[union-attr]


def test_title_ending_in_az_is_not_a_checksum() -> None:
    frame = b"9300CNa|COb|CPTOPAZ|"
    assert decode(frame).findings == ()


def test_decode_keeps_framing_findings_reads_truncated_frames_and_skips_oversized_ones() -> None:
    from harness.sip2.rules import finding

    note = finding("terminator_crlf", "frame ended with CRLF", 19)
    decoded = decode(Frame(SC_STATUS, b"\r\n", True, (note,)))
    assert decoded.findings == (note,) and decoded.raw == SC_STATUS + b"\r\n"
    truncated = finding("truncated", "ended", 8)
    cut = decode(Frame(b"96AZFEF6", b"", False, (truncated,)))  # a 96 whose CR never came
    assert cut.message is not None and cut.message.code == "96" and cut.findings == (truncated,)
    oversized = finding("oversized", "too long", 5)
    assert decode(Frame(b"99003", b"", False, (oversized,))) == Decoded(None, (oversized,), b"99003")


def test_a_fixed_field_one_short_is_reported_once_at_that_field_and_later_fields_read_right() -> None:
    """One root cause, one finding at its byte; the date after it and AO, AA are read as sent."""
    short_language = b"24YYYY          0120261128    232237AOTROMSO|AATST1|AE|BLN|"
    decoded = decode(short_language)
    [problem] = decoded.findings
    assert problem.rule.id == "fixed_too_short" and problem.position is not None and problem.position.offset == 16
    assert "language is 1 byte(s) short" in problem.message
    assert decoded.message is not None and decoded.message.fixed == ("YYYY          ", "01", "20261128    232237")
    assert decoded.message.get("AO") == "TROMSO" and decoded.message.get("AA") == "TST1"
    short_date = b"24YYYY          0122026112    232237AOTROMSO|AATST1|AE|"
    [problem] = decode(short_date).findings
    assert problem.position is not None and problem.position.offset == 19 and "transaction_date" in problem.message


# -- building messages --------------------------------------------------------------------------

def test_message_accessors() -> None:
    message = Message.build("66", ("1", "0002", "0000", DATE), [("AO", "x"), ("BM", "1"), ("BM", "2")])
    assert message.get("BM") == "1" and message.get_all("BM") == ("1", "2")
    assert message.get("BN") is None and message.get_all("BN") == ()
    assert message.fixed_value("renewed_count") == "0002"
    with pytest.raises(KeyError, match="no fixed field 'no_such_field'"):
        message.fixed_value("no_such_field")
    with pytest.raises(LocalProtocolError, match=r"unknown \['bogus'\], missing \['ok'"):
        Message.build("66", {"bogus": "1"})


def test_fast_construction_gives_the_same_objects() -> None:
    assert new_message("99", ("0",), (("AO", "x"),), 1, "ABCD") == Message("99", ("0",), (("AO", "x"),), 1, "ABCD")
    assert new_decoded(None, (), b"x") == Decoded(None, (), b"x")


@pytest.mark.parametrize(
    ("message", "match"),
    [
        (Message("XX"), "unknown command 'XX'"),
        (Message("99", ("0", "030", "2.0E")), "fixed fields do not match"),
        (Message.build("93", ("0", "0"), [("CN", "a|b"), ("CO", "c")]), "holds a delimiter"),
        (Message.build("93", ("0", "0"), [("CN", "a\r"), ("CO", "c")]), "line end"),
        (Message.build("93", ("0", "0"), [("CN", "a"), ("AY", "1")]), "'AY' is not a field id"),
        (Message.build("93", ("0", "0"), [("C", "a")]), "'C' is not a field id"),
        (Message.build("93", ("0", "0"), [("CN", "a" * 256)]), "256 characters, over 255"),
    ],
)
def test_encode_refuses_what_sip2_cannot_carry(message: Message, match: str) -> None:
    with pytest.raises(LocalProtocolError, match=match):
        encode(message)


def test_encode_check_false_builds_malformed_frames_for_bad_input_tests() -> None:
    frame = encode(Message("99", ("0", "030", "2.0E")), check=False, sequence=2)
    assert frame.startswith(b"99003" b"02.0EAY2AZ") and verify_checksum(frame)
    assert rules(decode(frame)) == {"fixed_field_format"}
    with pytest.raises(LocalProtocolError, match="0-9"):
        encode(Message("99", ("0", "030", "2.00")), sequence=10)


def test_encode_options() -> None:
    status = Message("99", ("0", "030", "2.00"))
    assert encode(status, error_detection=False) == b"9900302.00\r"
    assert encode(status, error_detection=False, terminator=b"\r\n") == b"9900302.00\r\n"
    assert encode(Message("99", ("0", "030", "2.00"), sequence=7)).startswith(b"9900302.00AY7AZ")


# -- charsets -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("key", "name"),
    [("utf-8", "utf-8"), ("UTF8", "utf-8"), ("cp850", "cp850"), ("IBM850", "cp850"),
     ("latin-1", "iso8859-1"), ("iso-8859-1", "iso8859-1"), ("cp1252", "cp1252"), ("iso-8859-15", "iso8859-15")],
)
def test_profile_charset_keys_resolve(key: str, name: str) -> None:
    assert resolve_charset(key) == name


@pytest.mark.parametrize(
    ("key", "match"),
    [("klingon", "unknown character set"), ("utf-16", "ASCII"), ("hex", "ASCII"), ("shift_jis", "hide a '|'")],
)
def test_charsets_that_cannot_carry_sip2_are_refused(key: str, match: str) -> None:
    with pytest.raises(UnsupportedCharset, match=match) as caught:
        resolve_charset(key)
    assert isinstance(caught.value, UsageError)


# -- dates --------------------------------------------------------------------------------------

def test_format_date_local_and_utc() -> None:
    naive = datetime(2026, 3, 29, 2, 30, 5)
    assert format_date(naive) == "20260329    023005"
    assert format_date(naive, tz="utc") == "20260329   Z023005"
    oslo_summer = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_date(oslo_summer, tz="utc") == "20260601   Z100000"
    assert len(format_date(oslo_summer)) == 18
    with pytest.raises(ValueError, match="tz must be"):
        format_date(naive, tz="cet")  # type: ignore[arg-type]


def test_parse_date() -> None:
    assert parse_date("20260329    023005") == datetime(2026, 3, 29, 2, 30, 5)
    assert parse_date("20260329   Z023005") == datetime(2026, 3, 29, 2, 30, 5, tzinfo=UTC)
    assert parse_date("20260329   A023005") == datetime(2026, 3, 29, 2, 30, 5, tzinfo=timezone(timedelta(hours=1)))
    assert parse_date("20260329   Q023005").utcoffset() == timedelta(hours=-4)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "words"),
    [("2026032", "7 characters"), (" " * 18, "18 blanks"), ("20261301    120000", "calendar"),
     ("20260229    120000", "calendar"), ("2026032a    120000", "digits"), ("20260329  CE120000", "zone")],
)
def test_parse_date_reports_instead_of_raising(text: str, words: str) -> None:
    result = parse_date(text)
    assert isinstance(result, CodecFinding) and result.rule.id == "date_format" and words in result.message


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)))
def test_dates_round_trip(when: datetime) -> None:
    when = when.replace(microsecond=0)
    assert parse_date(format_date(when)) == when
    assert parse_date(format_date(when, tz="utc")) == when.replace(tzinfo=UTC)


# -- property tests -----------------------------------------------------------------------------

def _ascii(pattern: str) -> st.SearchStrategy[str]:
    return st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True)


FIXED_VALUES = {name: _ascii(rx) for name, rx in F.FORMATS.items()}
VALUE_FORMATS = {**F.FORMATS, **F.VARIABLE_ONLY_FORMATS}
NO_FRAMING = "|\r\n"


def _free_text(codec: str | None) -> st.SearchStrategy[str]:
    chars = st.characters(codec=codec, exclude_categories=("Cs",), exclude_characters=NO_FRAMING)
    return st.text(chars, max_size=40) | st.text(chars, min_size=250, max_size=255)


@st.composite
def messages(draw: st.DrawFn, code: str, codec: str | None) -> Message:
    spec = MESSAGES[code]
    fixed = tuple(draw(FIXED_VALUES[f.format]) for f in spec.fixed)
    chosen = list(spec.required)
    if spec.optional:
        chosen += draw(st.lists(st.sampled_from(spec.optional), unique=True))
    fields = []
    for fid in chosen:
        repeats = draw(st.integers(1, 3)) if fid in spec.repeatable else 1
        for _ in range(repeats):
            fmt = F.VARIABLE_FORMATS.get(fid)
            value = draw(_ascii(VALUE_FORMATS[fmt]) if fmt else _free_text(codec))
            fields.append((fid, value))
    return Message(code, fixed, tuple(draw(st.permutations(fields))))


@pytest.mark.parametrize("code", sorted(MESSAGES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_message_round_trips(code: str, data: st.DataObject) -> None:
    codec, charset = data.draw(st.sampled_from([(None, "utf-8"), ("cp850", "cp850"), ("latin-1", "latin-1")]))
    message = data.draw(messages(code, codec))
    detection = data.draw(st.booleans())
    sequence = data.draw(st.integers(0, 9))
    frame = encode(message, charset=charset, sequence=sequence, error_detection=detection)
    decoded = decode(frame, charset=charset)
    assert decoded.findings == ()
    assert decoded.message is not None
    assert decoded.message.fields == message.fields and decoded.message.fixed == message.fixed
    if detection:
        assert verify_checksum(frame)
        assert decoded.message.sequence == (None if code in ("96", "97") else sequence)
        assert decoded.message.checksum == frame[-5:-1].decode()


CHARSETS = ["utf-8", "cp850", "latin-1", "cp1252", "ascii"]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(CHARSETS))
def test_arbitrary_bytes_never_raise(data: bytes, charset: str) -> None:
    decoded = decode(data, charset=charset)
    assert decoded.message is not None or decoded.findings


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(MESSAGES)), st.binary(max_size=300), st.sampled_from(CHARSETS))
def test_arbitrary_bytes_after_a_valid_command_never_raise(code: str, rest: bytes, charset: str) -> None:
    decode(code.encode() + rest, charset=charset)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_valid_frames_never_raise(data: st.DataObject) -> None:
    frame = bytearray(data.draw(st.sampled_from([SC_STATUS, ACS_STATUS, REQUEST_SC_RESEND,
                                                   encode(patron_status(NORSK))])))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(frame)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        byte = data.draw(st.sampled_from([0x7C, 0x0D, 0x41, 0x59, 0x5A, 0xC3, 0xFF, 0x00, 0x20, 0x30]))
        if action == "insert":
            frame.insert(at, byte)
        elif frame and at < len(frame):
            if action == "delete":
                del frame[at]
            else:
                frame[at] = byte
    for charset in ("utf-8", "cp850"):
        decoded = decode(bytes(frame), charset=charset)
        for problem in decoded.findings:
            assert problem.rule.id in RULES
            offset = problem.position.offset if problem.position else None
            assert offset is None or 0 <= offset <= len(frame)
