"""SIP2 dates: 18 characters, YYYYMMDDZZZZHHMMSS.

3M SIP2 2.00 (as quoted in research §1.1): ZZZZ is four blanks for local time, "local time
is preferred"; otherwise "a Z character in the last (right hand) position" for UTC, or another
zone letter there ("Q for Atlantic Standard Time"). Other letters follow the military zones,
as FOLIO's DateTimeMapper maps whole-hour offsets: A-M (no J) east, N-Y west, J = local.

"Local" is the consortium's: Norwegian time, Europe/Oslo (CET, CEST in summer), whatever zone
the machine running the harness is set to. A self-check in Tromsø and its library system
mean that by four blanks; the harness writes and reads them so (:data:`LOCAL_ZONE`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from harness.sip2.rules import CodecFinding, finding


def _military_zones() -> dict[str, timezone]:
    zones = {"Z": UTC}
    east = "ABCDEFGHIKLM"  # +1 .. +12; J is skipped (it means the observer's local time)
    west = "NOPQRSTUVWXY"  # -1 .. -12
    for hours, letter in enumerate(east, start=1):
        zones[letter] = timezone(timedelta(hours=hours))
    for hours, letter in enumerate(west, start=1):
        zones[letter] = timezone(timedelta(hours=-hours))
    return zones


ZONES = _military_zones()
LOCAL_ZONES = frozenset({"    ", "   J"})
# The zone four blanks mean in this consortium (tzdata: the system's, else the tzdata package).
LOCAL_ZONE = ZoneInfo("Europe/Oslo")


def local_now() -> datetime:
    """Now, as a naive wall-clock time in :data:`LOCAL_ZONE` (what four blanks carry)."""
    return datetime.now(LOCAL_ZONE).replace(tzinfo=None)


def instant(when: datetime) -> datetime:
    """The moment a parsed SIP2 date names, in UTC: naive (local) dates are Norwegian time."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=LOCAL_ZONE)
    return aware.astimezone(UTC)


def zone_name(text: str) -> str:
    """How a date's ZZZZ part reads, for evidence: 'Norwegian local time', 'UTC', 'zone A'."""
    zone = text[8:12] if len(text) == 18 else ""
    if zone in LOCAL_ZONES:
        return f"local time ({LOCAL_ZONE.key})"
    return "UTC" if zone == "   Z" else f"zone {zone.strip() or '?'}"


def format_date(when: datetime, tz: Literal["local", "utc"] = "local") -> str:
    """18-character SIP2 date. Aware datetimes are converted; naive ones are taken as given.

    ``tz="local"`` writes four blanks (the spec's preference) and Norwegian wall-clock time
    (:data:`LOCAL_ZONE`); ``tz="utc"`` writes ``   Z`` and UTC.
    """
    if tz == "utc":
        if when.tzinfo is not None:
            when = when.astimezone(UTC)
        return f"{when:%Y%m%d}   Z{when:%H%M%S}"
    if tz != "local":
        raise ValueError(f"tz must be 'local' or 'utc', not {tz!r}")
    if when.tzinfo is not None:
        when = when.astimezone(LOCAL_ZONE)
    return f"{when:%Y%m%d}    {when:%H%M%S}"


def parse_date(text: str) -> datetime | CodecFinding:
    """A datetime (naive for local time, aware for a zone letter), or a finding saying why not."""
    if len(text) != 18:
        return finding("date_format", f"{len(text)} characters, not 18: {text!r}")
    if text.isspace():
        return finding("date_format", "18 blanks: no date given")
    zone = text[8:12]
    digits = text[:8] + text[12:]
    if not (digits.isascii() and digits.isdigit()):
        return finding("date_format", f"date and time must be digits: {text!r}")
    if zone in LOCAL_ZONES:
        tzinfo = None
    elif zone[:3] == "   " and zone[3] in ZONES:
        tzinfo = ZONES[zone[3]]
    else:
        return finding("date_format", f"zone {zone!r} is neither 4 blanks nor 3 blanks + a letter")
    # Slices, not strptime: strptime accepts one-digit months and would misread "13".
    parts = (digits[0:4], digits[4:6], digits[6:8], digits[8:10], digits[10:12], digits[12:14])
    year, month, day, hour, minute, second = (int(part) for part in parts)
    try:
        parsed = datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        return finding("date_format", f"not a calendar date/time: {text!r} ({exc})")
    return parsed.replace(tzinfo=tzinfo)
