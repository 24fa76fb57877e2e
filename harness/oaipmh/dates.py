"""OAI-PMH UTCdatetime (§3.3): two granularities, UTC only, strict syntax and a real calendar.

``YYYY-MM-DD`` (day) and ``YYYY-MM-DDThh:mm:ssZ`` (seconds) are the only forms; the parser,
the harvester and the provider all read and write datestamps through this module, so they
agree on what ``until=2024-06-01`` covers (the whole day: §2.7.1, from and until inclusive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
GRANULARITIES = (DAY, SECONDS)

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SECONDS = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z")


@dataclass(frozen=True, slots=True)
class UtcDatetime:
    """A parsed datestamp: the instant (aware, UTC) and the granularity it was written in."""

    value: datetime
    granularity: str

    @property
    def end(self) -> datetime:
        """The last second the datestamp covers: the day's 23:59:59 for a day datestamp."""
        if self.granularity == DAY:
            return self.value + timedelta(days=1, seconds=-1)
        return self.value


def parse_utc(text: str) -> UtcDatetime | None:
    """``text`` as an OAI-PMH UTCdatetime, or None if it is not exactly one (or no real date)."""
    match = _SECONDS.fullmatch(text)
    granularity = SECONDS
    if match is None:
        match = _DAY.fullmatch(text)
        granularity = DAY
    if match is None:
        return None
    try:
        year, month, day, *clock = (int(p) for p in match.groups())
        hour, minute, second = clock or (0, 0, 0)
        return UtcDatetime(datetime(year, month, day, hour, minute, second, tzinfo=UTC), granularity)
    except ValueError:  # 2024-13-45, 24:00:00, Feb 30
        return None


def format_utc(moment: datetime, granularity: str = SECONDS) -> str:
    """``moment`` (aware, or naive meaning UTC) written in ``granularity``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d" if granularity == DAY else "%Y-%m-%dT%H:%M:%SZ")


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime, truncated to whole seconds (the finest granularity)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.replace(microsecond=0)


def read_past(text: str) -> datetime | None:
    """A date-time as some repositories write responseDate (an offset, or no zone), in UTC.

    Only for reading past a fault another check reports: a check that needs the repository's
    clock still gets it when responseDate is local time; the responseDate check fails it.
    """
    parsed = parse_utc(text)
    if parsed is not None:
        return parsed.value
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        return None
