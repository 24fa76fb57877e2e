"""SRU 1.1, 1.2 and 2.0: a sans-I/O response parser, CQL, and a thin client.

    rules.py       what the parser can report: rule -> severity + clause (LoC SRU, OASIS Part 3)
    model.py       the responses as frozen values (records, diagnostics, explain, scan)
    parse.py       bytes -> Parsed(response, problems); never raises on a target's bytes
    zeerex.py      the explain record (ZeeRex 2.0) -> ExplainInfo
    cql.py         the CQL query model, a builder that quotes and escapes, and the serialiser
    cql_parser.py  CQL 1.2 text -> the query model (for the sandbox server, and round trips)
    settings.py    the [sru] profile section (SruSettings)
    client.py      SruClient over harness.http.HttpClient: explain, searchRetrieve, scan, paging
"""
