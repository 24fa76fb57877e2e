"""OAI-PMH 2.0 as a protocol unit: a strict parser and harvester, the sandbox provider, the suite's support.

Codec and client (sans-I/O first, then the bounded harvester):

- :mod:`~harness.oaipmh.parse`: bytes -> typed response + problems (schemas shipped, no download)
- :mod:`~harness.oaipmh.rules`: the rule table, each rule beside its clause
- :mod:`~harness.oaipmh.client`: a harvester over :class:`harness.http.HttpClient` (budgets, loop guard)

The unit (``unit.py``): ``settings.py`` (``[oai]``), ``fixtures.py`` (the run's harvester after
discovery), ``defects.py`` (the sandbox's deviations), ``sandbox/`` (the provider over the
consortium). The provider is :func:`~harness.oaipmh.provider.respond`, pure, over the
:class:`~harness.oaipmh.repository.Repository` protocol.

What the suite (``scenarios/oaipmh/``) shares: ``discovery.py`` (what Identify,
ListMetadataFormats and ListSets declare), ``probes.py`` (one request per verb, argument rule
and error condition), ``harvested.py`` (a list kept small), ``ownership.py`` (which check
reports each rule), ``judging.py``, ``changes.py`` (imports through the MARC channel, undone),
``reference.py`` (sickle over the bounded transport).
"""
