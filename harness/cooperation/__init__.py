"""Cooperation across protocols: the stories that prove the consortium can work as one.

The scenarios live in ``scenarios/cooperation/``; each crosses several protocols (a MARC
import found over SRU, Z39.50 and OAI-PMH; a SIP2 loan seen in search holdings) and shows
evidence from every protocol it crosses in one list, in the order the exchanges happened.
Cooperation is not a protocol unit: it has no profile section and no endpoint of its own. It
uses the units' settings and clients, and a path whose protocol the profile does not
configure (or whose unit the harness lacks) is simply not observed.

A fault a protocol suite already reports is read past, with a control that shows the fault
without any crossing (a fixture record, the suite's own test copy, the state before the
story), and named as that suite's check's: a fault is reported once, by its owner.

    defects.py      the cooperation defects: faults only the crossing shows
    sandbox.py      where the sandbox applies them (the search index SRU and Z39.50 share)
    story.py        one story's account: per path saw / failed / owned elsewhere / not observed
    members.py      the consortium by role (a public and a school library, their patrons, items)
    records.py      the records a story imports (unique, shared on 035, Sámi and Kven letters)
    cataloguing.py  imports over the MARC channel, deleted afterwards by their receipts
    circulation.py  a SIP2 desk that checks in and cancels what it lent and reserved
    paths.py        the search path interface, the SRU path, the MARC export, polling
    z3950_path.py   the Z39.50 path (a member's database, OPAC holdings and circulation)
    oai_path.py     the OAI-PMH path (the next incremental harvest, GetRecord, library sets)
    observe.py      which paths a story can look through, from the profile and the units
    letters.py      letters compared code point by code point, with the fixture control
    privacy.py      patron data looked for in any normalisation form, case and escape
"""
