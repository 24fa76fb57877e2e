"""sickle, the common Python harvester, as the reference: what a typical aggregator reads.

sickle 0.7.0 parses leniently and iterates the list the way most harvesters do; a repository
it cannot read fails OAI-01 whatever the strict parser says. Its parsing and its token loop are
sickle's own; only its transport is replaced (:class:`BoundedSickle`): each request goes
through the harness's :class:`~harness.http.HttpClient`, so a harvest by sickle has the same
deadline, byte budget and page budget as the strict one, and its exchanges are evidence. The
request is the one sickle makes: its parameters, its method, and the User-Agent of
``requests``, which sickle would send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict
from sickle import Sickle  # type: ignore[import-untyped]

from harness.http import HttpClient, HttpResponse
from harness.oaipmh.client import PageBudgetExceeded

COMMON_USER_AGENT = requests.utils.default_user_agent()  # "python-requests/2.x": what sickle sends


@dataclass(frozen=True, slots=True)
class SickleHeader:
    identifier: str
    datestamp: str
    deleted: bool


def _as_requests_response(response: HttpResponse) -> requests.Response:
    """The bounded client's answer in the shape sickle reads (status, headers, bytes, URL)."""
    shaped = requests.Response()
    shaped.status_code = response.status
    shaped.headers = CaseInsensitiveDict(dict(response.headers))
    shaped._content = response.body  # requests keeps the body there; sickle reads .content
    shaped.url = response.url
    shaped.reason = ""
    return shaped


class BoundedSickle(Sickle):  # type: ignore[misc]
    """sickle, with every request made by the harness's bounded HTTP client."""

    def __init__(self, endpoint: str, http: HttpClient, *, method: str = "GET", max_pages: int = 10_000) -> None:
        super().__init__(endpoint, http_method=method, max_retries=0)
        self.http, self.max_pages, self.pages = http, max_pages, 0

    def _request(self, kwargs: Mapping[str, Any]) -> requests.Response:
        self.pages += 1
        if self.pages > self.max_pages:
            raise PageBudgetExceeded(f"sickle's list did not end within {self.max_pages:,} pages", tuple(self.http.transcript)[-4:])
        if self.http_method == "GET":
            response = self.http.get(self.endpoint, params=dict(kwargs))
        else:
            response = self.http.post(self.endpoint, data=dict(kwargs))
        return _as_requests_response(response)


def sickle_headers(sickle: BoundedSickle, prefix: str) -> list[SickleHeader]:
    """The header of every record of ListRecords in ``prefix``, as sickle reads them."""
    return [SickleHeader(r.header.identifier, r.header.datestamp, bool(r.header.deleted))
            for r in sickle.ListRecords(metadataPrefix=prefix)]
