"""OAI-PMH 2.0: a strict response parser, a bounded harvester, and the sandbox provider's logic.

- :mod:`~harness.oaipmh.parse`: bytes -> typed response + problems (sans-I/O; schemas shipped)
- :mod:`~harness.oaipmh.client`: a harvester over :class:`harness.http.HttpClient`
- :mod:`~harness.oaipmh.provider`: ``respond(params, repository, now, settings)`` (pure)
- :mod:`~harness.oaipmh.rules`: the rule table, each rule beside its clause
"""
