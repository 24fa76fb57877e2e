"""Cooperation across protocols: the stories that prove the consortium can work as one.

The scenarios live in ``scenarios/cooperation/``; each crosses several protocols (a MARC
import found over SRU, Z39.50 and OAI-PMH; a SIP2 loan seen in search holdings) and shows
evidence from every protocol it crosses in one list, in the order the exchanges happened.
Cooperation is not a protocol unit: it has no profile section and no endpoint of its own. It
uses the units' settings and clients, and a path whose protocol the profile does not
configure (or whose unit the harness lacks) is simply not observed.

    defects.py   the cooperation defects: faults only the crossing shows
    sandbox.py   where the sandbox applies them (the search index SRU and Z39.50 share)
"""
