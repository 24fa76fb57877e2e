"""Init: the request the harness sends and the response a target gives.

Z39.50-2003 3.2.1.1 (Init service): protocol versions, option bits (3.2.1.1.3: "For each of
the capabilities listed, the origin indicates whether it wants to use it, and the target
whether it agrees"), preferred message size and exceptional record size (3.2.1.1.6),
implementation id/name/version, id/authentication (open or idPass), and character set
negotiation, carried in Other-information as the charneg-3 negotiation record
(1.2.840.10003.15.3) with the option bit ``negotiation`` set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from harness.z3950.asn1 import encode
from harness.z3950.diagnostics import Diagnostic
from harness.z3950.oids import CHARSET_NEGOTIATION_3, DIAG1_FORMAT, UTF8_ENCODING
from harness.z3950.reading import Reading

# Appendix ASN1, Options ::= BIT STRING: bit number -> name (bit 9 is unassigned).
OPTION_NAMES: tuple[str, ...] = (
    "search", "present", "delSet", "resourceReport", "triggerResourceCtrl", "resourceCtrl",
    "accessCtrl", "scan", "sort", "", "extendedServices", "level-1Segmentation",
    "level-2Segmentation", "concurrentOperations", "namedResultSets", "encapsulation",
    "resultCountInSort", "negotiation", "dedup", "query104", "pQESCorrelation", "stringSchema",
)
HARNESS_OPTIONS = frozenset({"search", "present", "delSet", "scan", "sort", "namedResultSets"})
DEFAULT_PREFERRED_MESSAGE_SIZE = 1024 * 1024
DEFAULT_EXCEPTIONAL_RECORD_SIZE = 8 * 1024 * 1024


def bits_to_names(value: Any, names: tuple[str, ...]) -> frozenset[str]:
    """A decoded BIT STRING (bytes, bit count) as the names of the bits set (``bit12`` if unnamed)."""
    data, count = bytes(value[0]), int(value[1])
    found = set()
    for bit in range(min(count, len(data) * 8)):
        if data[bit // 8] & (0x80 >> (bit % 8)):
            found.add(names[bit] if bit < len(names) and names[bit] else f"bit{bit}")
    return frozenset(found)


def names_to_bits(chosen: frozenset[str], names: tuple[str, ...]) -> tuple[bytes, int]:
    """The BIT STRING (bytes, bit count) with the named bits set, bit 0 first (MSB)."""
    unknown = chosen - set(names) - {""}
    if unknown:
        raise ValueError(f"unknown option bits: {', '.join(sorted(unknown))}")
    count = max((names.index(n) for n in chosen), default=0) + 1
    data = bytearray((count + 7) // 8)
    for name in chosen:
        bit = names.index(name)
        data[bit // 8] |= 0x80 >> (bit % 8)
    return bytes(data), count


_VERSION_NAMES = ("version-1", "version-2", "version-3")


def _versions_from(value: Any) -> frozenset[int]:
    return frozenset(int(v.rsplit("-", 1)[1]) if v.startswith("version-") else -1
                     for v in bits_to_names(value, _VERSION_NAMES))


def _versions_to(versions: frozenset[int]) -> tuple[bytes, int]:
    return names_to_bits(frozenset(f"version-{v}" for v in versions), _VERSION_NAMES)


# -- authentication ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OpenAuth:
    """IdAuthentication 'open': one string, commonly "user/password"."""

    text: str = field(repr=False)

    def to_asn1(self) -> tuple[str, Any]:
        return ("open", self.text.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class IdPassAuth:
    """IdAuthentication 'idPass': group id, user id, password."""

    user: str
    password: str = field(repr=False)
    group: str = ""

    def to_asn1(self) -> tuple[str, Any]:
        body = {"userId": self.user.encode("utf-8"), "password": self.password.encode("utf-8")}
        if self.group:
            body["groupId"] = self.group.encode("utf-8")
        return ("idPass", body)


Authentication = OpenAuth | IdPassAuth


def _auth_from(value: Any, reading: Reading) -> Authentication | None:
    kind, body = value
    if kind == "open":
        return OpenAuth(reading.text(body, "idAuthentication"))
    if kind == "idPass":
        return IdPassAuth(reading.text(body.get("userId"), "userId"), reading.text(body.get("password"), "password"),
                          reading.text(body.get("groupId"), "groupId"))
    return None


# -- character set negotiation (charneg-3) ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CharsetProposal:
    """The origin's proposal: character sets in order of preference ("UTF-8" is ISO 10646
    UTF-8; any other name is proposed as a private set named by that string, as YAZ does)."""

    charsets: tuple[str, ...] = ("UTF-8",)
    languages: tuple[str, ...] = ()
    records_in_selected_charsets: bool | None = True

    def to_asn1(self) -> dict[str, Any]:
        body: dict[str, Any] = {"proposedCharSets": [_charset_choice(c) for c in self.charsets]}
        if self.languages:
            body["proposedlanguages"] = [lang.encode("utf-8") for lang in self.languages]
        if self.records_in_selected_charsets is not None:
            body["recordsInSelectedCharSets"] = self.records_in_selected_charsets
        return body


@dataclass(frozen=True, slots=True)
class CharsetResponse:
    """The target's choice: ``charset`` is "UTF-8", a private set's name, or "" for none."""

    charset: str
    form: str  # "iso10646", "private", "iso2022", "none"
    language: str = ""
    records_in_selected_charsets: bool | None = None

    @property
    def utf8(self) -> bool:
        return self.charset.upper().replace("_", "-") in ("UTF-8", "UTF8")

    def to_asn1(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.form == "none":
            body["selectedCharSets"] = ("none", None)
        elif self.charset:
            body["selectedCharSets"] = _charset_choice(self.charset)
        if self.language:
            body["selectedLanguage"] = self.language.encode("utf-8")
        if self.records_in_selected_charsets is not None:
            body["recordsInSelectedCharSets"] = self.records_in_selected_charsets
        return body


def _charset_choice(name: str) -> tuple[str, Any]:
    if name.upper().replace("_", "-") in ("UTF-8", "UTF8"):
        return ("iso10646", {"encodingLevel": UTF8_ENCODING})
    return ("private", ("externallySpecified", {"encoding": ("octet-aligned", name.encode("ascii"))}))


def _charset_name(choice: Any, reading: Reading) -> tuple[str, str]:
    kind, body = choice
    if kind == "iso10646":
        level = str(body.get("encodingLevel", ""))
        return ("UTF-8" if level == UTF8_ENCODING else f"ISO 10646 {level}", kind)
    if kind == "private":
        private_kind, private = body
        if private_kind == "externallySpecified" and private["encoding"][0] == "octet-aligned":
            return (reading.text(private["encoding"][1], "private character set"), kind)
        return (f"private ({private_kind})", kind)
    return ("", kind)


def negotiation_external(record: tuple[str, Any]) -> dict[str, Any]:
    """An Other-information entry carrying a negotiation record (proposal or response)."""
    inner = encode("CharSetandLanguageNegotiation", record)
    external = {"direct-reference": CHARSET_NEGOTIATION_3, "encoding": ("single-ASN1-type", inner)}
    return {"information": ("externallyDefinedInfo", external)}


def _negotiation_in(other_info: Any, reading: Reading) -> tuple[str, dict[str, Any]] | None:
    for entry in other_info or ():
        kind, body = entry["information"]
        if kind == "externallyDefinedInfo" and str(body.get("direct-reference")) == CHARSET_NEGOTIATION_3:
            encoding, data = body["encoding"]
            if encoding != "single-ASN1-type":
                reading.note("external_undecodable", f"negotiation record as {encoding}, not single-ASN1-type",
                             "otherInfo")
                return None
            value = reading.inner("CharSetandLanguageNegotiation", bytes(data), "negotiation record")
            return value if value is not None else None
    return None


def _proposal_from(value: dict[str, Any], reading: Reading) -> CharsetProposal:
    names = tuple(_charset_name(c, reading)[0] for c in value.get("proposedCharSets", ()))
    languages = tuple(reading.text(lang, "proposedlanguages") for lang in value.get("proposedlanguages", ()))
    return CharsetProposal(names, languages, value.get("recordsInSelectedCharSets"))


def _response_from(value: dict[str, Any], reading: Reading) -> CharsetResponse:
    selected = value.get("selectedCharSets")
    name, form = _charset_name(selected, reading) if selected else ("", "")
    language = reading.text(value.get("selectedLanguage"), "selectedLanguage")
    return CharsetResponse(name, form, language, value.get("recordsInSelectedCharSets"))


# -- the PDUs ------------------------------------------------------------------------------------

def _sizes_and_ids(pdu: InitRequest | InitResponse, body: dict[str, Any]) -> dict[str, Any]:
    body |= {
        "protocolVersion": _versions_to(pdu.versions),
        "preferredMessageSize": pdu.preferred_message_size,
        "exceptionalRecordSize": pdu.exceptional_record_size,
    }
    for key, value in (("implementationId", pdu.implementation_id), ("implementationName", pdu.implementation_name),
                       ("implementationVersion", pdu.implementation_version)):
        if value:
            body[key] = value.encode("utf-8")
    if pdu.reference_id is not None:
        body["referenceId"] = pdu.reference_id
    return body


@dataclass(frozen=True, slots=True)
class InitRequest:
    """The origin's Init: what the harness proposes (defaults suit a conformance run)."""

    NAME: ClassVar[str] = "initRequest"

    options: frozenset[str] = HARNESS_OPTIONS
    versions: frozenset[int] = frozenset({2, 3})
    preferred_message_size: int = DEFAULT_PREFERRED_MESSAGE_SIZE
    exceptional_record_size: int = DEFAULT_EXCEPTIONAL_RECORD_SIZE
    authentication: Authentication | None = None
    implementation_id: str = "libharness"
    implementation_name: str = "libharness Z39.50 conformance harness"
    implementation_version: str = "0.1"
    charset: CharsetProposal | None = CharsetProposal()
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        options = self.options | ({"negotiation"} if self.charset else set())
        body = _sizes_and_ids(self, {"options": names_to_bits(frozenset(options), OPTION_NAMES)})
        if self.authentication is not None:
            body["idAuthentication"] = self.authentication.to_asn1()
        if self.charset is not None:
            body["otherInfo"] = [negotiation_external(("proposal", self.charset.to_asn1()))]
        return body

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> InitRequest:
        negotiation = _negotiation_in(value.get("otherInfo"), reading)
        charset = _proposal_from(negotiation[1], reading) if negotiation and negotiation[0] == "proposal" else None
        auth = value.get("idAuthentication")
        return cls(
            bits_to_names(value["options"], OPTION_NAMES), _versions_from(value["protocolVersion"]),
            int(value["preferredMessageSize"]), int(value["exceptionalRecordSize"]),
            _auth_from(auth, reading) if auth else None,
            reading.text(value.get("implementationId"), "implementationId"),
            reading.text(value.get("implementationName"), "implementationName"),
            reading.text(value.get("implementationVersion"), "implementationVersion"),
            charset, value.get("referenceId"),
        )


@dataclass(frozen=True, slots=True)
class InitResponse:
    """The target's Init response: accepted or not, and what it agreed to."""

    NAME: ClassVar[str] = "initResponse"

    result: bool
    options: frozenset[str] = frozenset()
    versions: frozenset[int] = frozenset({3})
    preferred_message_size: int = DEFAULT_PREFERRED_MESSAGE_SIZE
    exceptional_record_size: int = DEFAULT_EXCEPTIONAL_RECORD_SIZE
    implementation_id: str = ""
    implementation_name: str = ""
    implementation_version: str = ""
    charset: CharsetResponse | None = None
    diagnostics: tuple[Diagnostic, ...] = ()  # why an Init was refused (diag-1 in userInformationField)
    reference_id: bytes | None = None

    def offers(self, option: str) -> bool:
        """Whether the target agreed to ``option`` ("scan", "sort", "namedResultSets", ...)."""
        return option in self.options

    def to_asn1(self) -> dict[str, Any]:
        body = _sizes_and_ids(self, {"options": names_to_bits(self.options, OPTION_NAMES), "result": self.result})
        if self.charset is not None:
            body["otherInfo"] = [negotiation_external(("response", self.charset.to_asn1()))]
        if self.diagnostics:
            records = [{"diagnostic": ("defaultDiagRec", d.to_asn1()[1])} for d in self.diagnostics]
            body["userInformationField"] = {
                "direct-reference": DIAG1_FORMAT,
                "encoding": ("single-ASN1-type", encode("DiagnosticFormat", records)),
            }
        return body

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> InitResponse:
        negotiation = _negotiation_in(value.get("otherInfo"), reading)
        charset = _response_from(negotiation[1], reading) if negotiation and negotiation[0] == "response" else None
        return cls(
            bool(value["result"]), bits_to_names(value["options"], OPTION_NAMES),
            _versions_from(value["protocolVersion"]), int(value["preferredMessageSize"]),
            int(value["exceptionalRecordSize"]),
            reading.text(value.get("implementationId"), "implementationId"),
            reading.text(value.get("implementationName"), "implementationName"),
            reading.text(value.get("implementationVersion"), "implementationVersion"),
            charset, _init_diagnostics(value.get("userInformationField"), reading), value.get("referenceId"),
        )


def _init_diagnostics(external: Any, reading: Reading) -> tuple[Diagnostic, ...]:
    if not external or str(external.get("direct-reference")) != DIAG1_FORMAT:
        return ()
    encoding, data = external["encoding"]
    if encoding != "single-ASN1-type":
        return ()
    return tuple(reading.diag1(bytes(data), "userInformationField"))
