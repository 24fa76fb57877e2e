"""The embedded sandbox: a small, honest reference library system on loopback.

``system.Sandbox`` holds the consortium and its servers; ``defects`` is the defect
catalogue; ``marc_service`` and ``http_server`` are the MARC channel. Kept import-light:
the pytest plugin imports ``defects`` on every run.
"""
