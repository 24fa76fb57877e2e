"""SIP2 2.00 vocabulary as data: variable field ids, fixed-field formats and code tables.

Everything here is a table a check reads; nothing here decides anything. The message layouts
that use these formats are in :mod:`harness.sip2.messages`.

Source: 3M Standard Interchange Protocol 2.00 (Rev 2.12, 2006), as quoted by the
implementations cross-checked in ``research/sip2.md`` §1 (Koha/Evergreen, FOLIO edge-sip2,
pysip2). Offsets and positions are 0-based.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# ---------------------------------------------------------------------------------------------
# Variable fields: "a two-character field identifier, the value, and the field delimiter |".
# 3M SIP2 2.00, "Fields" (the field id table at the end of the document).
FIELD_NAMES: Mapping[str, str] = MappingProxyType({
    "AA": "patron identifier",
    "AB": "item identifier",
    "AC": "terminal password",
    "AD": "patron password",
    "AE": "personal name",
    "AF": "screen message",
    "AG": "print line",
    "AH": "due date",
    "AJ": "title identifier",
    "AL": "blocked card msg",
    "AM": "library name",
    "AN": "terminal location",
    "AO": "institution id",
    "AP": "current location",
    "AQ": "permanent location",
    "AS": "hold items",
    "AT": "overdue items",
    "AU": "charged items",
    "AV": "fine items",
    "AY": "sequence number",
    "AZ": "checksum",
    "BD": "home address",
    "BE": "e-mail address",
    "BF": "home phone number",
    "BG": "owner",
    "BH": "currency type",
    "BI": "cancel",
    "BK": "transaction id",
    "BL": "valid patron",
    "BM": "renewed items",
    "BN": "unrenewed items",
    "BO": "fee acknowledged",
    "BP": "start item",
    "BQ": "end item",
    "BR": "queue position",
    "BS": "pickup location",
    "BT": "fee type",
    "BU": "recall items",
    "BV": "fee amount",
    "BW": "expiration date",
    "BX": "supported messages",
    "BY": "hold type",
    "BZ": "hold items limit",
    "CA": "overdue items limit",
    "CB": "charged items limit",
    "CC": "fee limit",
    "CD": "unavailable hold items",
    "CF": "hold queue length",
    "CG": "fee identifier",
    "CH": "item properties",
    "CI": "security inhibit",
    "CJ": "recall date",
    "CK": "media type",
    "CL": "sort bin",
    "CM": "hold pickup date",
    "CN": "login user id",
    "CO": "login password",
    "CP": "location code",
    "CQ": "valid patron password",
})

# 3M SIP2 extensions (Rev 1.20, 2005): allowed in any message, never reported as unknown.
# CT/CV carry the routing of a returned item (SIP-05: return anywhere, bookbus, deposits).
EXTENSION_FIELDS: Mapping[str, str] = MappingProxyType({
    "CR": "collection code",
    "CS": "call number",
    "CT": "destination location",
    "CV": "alert type",
    "CY": "hold patron id",
    "DA": "hold patron name",
})

# Vendor fields seen in the wild (research §1.2). Not 3M: a decoder still reports them as
# unknown ("fields with unrecognized field identifiers should be ignored"), but names them.
VENDOR_FIELDS: Mapping[str, str] = MappingProxyType({
    "PA": "patron expiry (Envisionware)",
    "PB": "birth date (Envisionware)",
    "PC": "patron class (Envisionware)",
    "PI": "internet profile",
    "XI": "internal id (Evergreen)",
    "WS": "owner institution ISIL (Danish RFID extension, 2011)",
})

# Fields that carry a secret by definition: masked in every transcript (DESIGN.md, SEC-02).
SECRET_FIELDS = frozenset({"CO", "AD"})

# The two error-detection fields: only ever at the end, as AY<digit>AZ<4 hex>.
TRAILER_FIELDS = frozenset({"AY", "AZ"})


def field_name(field_id: str) -> str:
    """Readable name of a field id, for findings and transcripts."""
    return (
        FIELD_NAMES.get(field_id)
        or EXTENSION_FIELDS.get(field_id)
        or VENDOR_FIELDS.get(field_id)
        or "unknown field"
    )


# ---------------------------------------------------------------------------------------------
# Fixed-field formats: a name -> a regular expression over the field's characters (always
# ASCII). The message table refers to these names; the codec compiles one pattern per message.

# 3M SIP2 2.00, "date and time": 18 characters YYYYMMDDZZZZHHMMSS. ZZZZ is four blanks for
# local time, or blanks with a zone letter in the last position ("   Z" = UTC).
DATE18 = (
    r"\d{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"(?: {4}| {3}[A-Z])"
    r"(?:[01]\d|2[0-3])[0-5]\d[0-5]\d"
)

FORMATS: Mapping[str, str] = MappingProxyType({
    "YN": "[YN]",
    "YNU": "[YNU]",  # magnetic media, desensitize: U = unknown
    "01": "[01]",  # ok fields in 94, 12, 10, 16, 20, 30, 66
    "date18": DATE18,
    # nb due date (11, 29) and return date (09): many SCs send 18 blanks when the field does
    # not apply (Evergreen's own t/03checkout.t does); accepted, see research §1.4 item 5.
    "date18_or_blank": f"(?:{DATE18}| {{18}})",
    "language": r"\d{3}",
    "patron_status": "[Y ]{14}",  # "Y" or blank, never "N" (research §1.1, Flags)
    "summary": "[Y ]{10}",
    "count4_or_blank": r"(?:\d{4}| {4})",  # 64 counts: 4 blanks when unsupported
    "digits4": r"\d{4}",
    "digits3": r"\d{3}",
    "sc_status": "[012]",
    "protocol_version": r"\d\.\d\d",
    "algorithm": "[ -~]",  # UID/PWD algorithm: one printable character, "0" = not encrypted
    "circulation_status": "0[1-9]|1[0-3]",
    "security_marker": "0[0-3]",
    "fee_type": "0[1-9]|[1-9][0-9]",  # 37: 01-99
    "item_fee_type": "0[1-9]",  # 18: 01-09
    "payment_type": r"\d\d",  # 00-99
    "currency": "[A-Z]{3}",  # ISO 4217
    "hold_mode": r"[-+*]",
})

FORMAT_DESCRIPTIONS: Mapping[str, str] = MappingProxyType({
    "YN": "Y or N",
    "YNU": "Y, N or U",
    "01": "0 or 1",
    "date18": "an 18-character date YYYYMMDDZZZZHHMMSS",
    "date18_or_blank": "an 18-character date or 18 blanks",
    "language": "3 digits",
    "patron_status": "14 characters, each Y or blank",
    "summary": "10 characters, each Y or blank",
    "count4_or_blank": "4 digits, or 4 blanks if unsupported",
    "digits4": "4 digits",
    "digits3": "3 digits",
    "sc_status": "0, 1 or 2",
    "protocol_version": "a version like 2.00",
    "algorithm": "one printable ASCII character",
    "circulation_status": "01-13",
    "security_marker": "00-03",
    "fee_type": "01-99",
    "item_fee_type": "01-09",
    "payment_type": "00-99",
    "currency": "3 upper-case letters (ISO 4217)",
    "hold_mode": "+, - or *",
})

# Variable fields whose value has a defined form (3M SIP2 2.00, field descriptions).
# Everything else is free text.
VARIABLE_FORMATS: Mapping[str, str] = MappingProxyType({
    "BL": "YN",
    "CQ": "YN",
    "BO": "YN",
    "BI": "YN",
    "CI": "YN",
    "BH": "currency",
    "BT": "fee_type",
    "CK": "digits3",
    "BZ": "digits4",
    "CA": "digits4",
    "CB": "digits4",
    "BW": "date18",
    "CJ": "date18",
    "CM": "date18",
    "BY": "hold_type",
    "BX": "supported_messages",
    "CV": "alert_type",  # 3M extension
})
VARIABLE_ONLY_FORMATS: Mapping[str, str] = MappingProxyType({
    "hold_type": "[1-4]",
    "supported_messages": "[YN]{16}",
    "alert_type": r"\d\d",
})
VARIABLE_ONLY_DESCRIPTIONS: Mapping[str, str] = MappingProxyType({
    "hold_type": "1-4",
    "supported_messages": "16 characters, each Y or N",
    "alert_type": "2 digits",
})

# 3M SIP2 2.00, "Fields": variable-length fields hold at most 255 characters.
MAX_FIELD_LENGTH = 255

# ---------------------------------------------------------------------------------------------
# Code tables. Positions are 0-based.

# 3M SIP2 2.00, ACS Status (98), BX supported messages: 16 positions, Y/N each.
SUPPORTED_MESSAGES: tuple[tuple[str, str], ...] = (
    ("patron status request", "23"),
    ("checkout", "11"),
    ("checkin", "09"),
    ("block patron", "01"),
    ("SC/ACS status", "99"),
    ("request SC/ACS resend", "97"),
    ("login", "93"),
    ("patron information", "63"),
    ("end patron session", "35"),
    ("fee paid", "37"),
    ("item information", "17"),
    ("item status update", "19"),
    ("patron enable", "25"),
    ("hold", "15"),
    ("renew", "29"),
    ("renew all", "65"),
)

# 3M SIP2 2.00, Patron Status Response (24), patron status: 14 positions, Y = true, blank = false.
PATRON_STATUS: tuple[str, ...] = (
    "charge privileges denied",
    "renewal privileges denied",
    "recall privileges denied",
    "hold privileges denied",
    "card reported lost",
    "too many items charged",
    "too many items overdue",
    "too many renewals",
    "too many claims of items returned",
    "too many items lost",
    "excessive outstanding fines",
    "excessive outstanding fees",
    "recall overdue",
    "too many items billed",
)

# 3M SIP2 2.00, Patron Information (63), summary: 10 positions, at most one Y; 6-9 undefined.
SUMMARY: tuple[tuple[str, str], ...] = (
    ("hold items", "AS"),
    ("overdue items", "AT"),
    ("charged items", "AU"),
    ("fine items", "AV"),
    ("recall items", "BU"),
    ("unavailable holds", "CD"),
)

# 3M SIP2 2.00, Item Information Response (18), circulation status.
CIRCULATION_STATUS: Mapping[str, str] = MappingProxyType({
    "01": "other",
    "02": "on order",
    "03": "available",
    "04": "charged",
    "05": "charged; not to be recalled until earliest recall date",
    "06": "in process",
    "07": "recalled",
    "08": "waiting on hold shelf",
    "09": "waiting to be re-shelved",
    "10": "in transit between library locations",
    "11": "claimed returned",
    "12": "lost",
    "13": "missing",
})

# 3M SIP2 2.00, Item Information Response (18), security marker.
SECURITY_MARKER: Mapping[str, str] = MappingProxyType({
    "00": "other",
    "01": "none",
    "02": "3M Tattle-Tape Security Strip",
    "03": "3M Whisper Tape",
})

# 3M SIP2 2.00, fee type (18 fixed, 37 fixed, BT).
FEE_TYPE: Mapping[str, str] = MappingProxyType({
    "01": "other/unknown",
    "02": "administrative",
    "03": "damage",
    "04": "overdue",
    "05": "processing",
    "06": "rental",
    "07": "replacement",
    "08": "computer access charge",
    "09": "hold fee",
})

# 3M SIP2 2.00, Fee Paid (37), payment type.
PAYMENT_TYPE: Mapping[str, str] = MappingProxyType({
    "00": "cash",
    "01": "VISA",
    "02": "credit card",
})

# 3M SIP2 2.00, media type (CK).
MEDIA_TYPE: Mapping[str, str] = MappingProxyType({
    "000": "other",
    "001": "book",
    "002": "magazine",
    "003": "bound journal",
    "004": "audio tape",
    "005": "video tape",
    "006": "CD/CD-ROM",
    "007": "diskette",
    "008": "book with diskette",
    "009": "book with CD",
    "010": "book with audio tape",
})

# 3M SIP2 2.00, language (23, 24, 63, 64, 26 fixed); the list as FOLIO edge-sip2 maps it
# (parser/LanguageMapper.java). No code exists for Sámi or Kven: a target serving them can
# only show it in the text it sends (AF screen messages).
LANGUAGE: Mapping[str, str] = MappingProxyType({
    "000": "unknown (default)",
    "001": "English",
    "002": "French",
    "003": "German",
    "004": "Italian",
    "005": "Dutch",
    "006": "Swedish",
    "007": "Finnish",
    "008": "Spanish",
    "009": "Danish",
    "010": "Portuguese",
    "011": "Canadian-French",
    "012": "Norwegian",
    "013": "Hebrew",
    "014": "Japanese",
    "015": "Russian",
    "016": "Arabic",
    "017": "Polish",
    "018": "Greek",
    "019": "Chinese",
    "020": "Korean",
    "021": "North American Spanish",
    "022": "Tamil",
    "023": "Malay",
    "024": "United Kingdom",
    "025": "Icelandic",
    "026": "Belgian",
    "027": "Taiwanese",
})

# 3M SIP2 2.00, Hold (15), hold mode; hold type (BY).
HOLD_MODE: Mapping[str, str] = MappingProxyType({"+": "add", "-": "delete", "*": "change"})
HOLD_TYPE: Mapping[str, str] = MappingProxyType({
    "1": "other",
    "2": "any copy of a title",
    "3": "a specific copy",
    "4": "any copy at a single branch or sublocation",
})

# 3M SIP2 2.00, SC Status (99), status code.
SC_STATUS: Mapping[str, str] = MappingProxyType({
    "0": "SC unit is OK",
    "1": "SC printer is out of paper",
    "2": "SC is about to shut down",
})

# 3M extensions (Rev 1.20), CV alert type in 10 Checkin Response. Values as Koha and
# Evergreen emit them (C4/SIP/ILS/Transaction/Checkin.pm, OpenILS/SIP/Transaction/Checkin.pm).
ALERT_TYPE: Mapping[str, str] = MappingProxyType({
    "00": "unknown",
    "01": "hold for this library",
    "02": "hold for another branch",
    "03": "hold for interlibrary loan",
    "04": "send to another branch",
    "99": "other",
})
