"""Load and soak with Locust: the morning rush across the county, a harvest alongside.

    settings.py   the [load] section: allow_load, bounds, the workload's numbers, thresholds
    workload.py   fleets of clients and their seats (library, patron, own items), as JSON
    plan.py       endpoints and credentials per process, in a private file that never travels
    users.py      the Locust users over the harness's clients (SIP2 Client, HttpClient)
    judge.py      every reply judged cheaply: codec FAILs, reply code, AY/AB/AA echo, ok flags
    recorder.py   latency histograms and error kinds per time window, merged across workers
    child.py      one Locust process (local, master, worker) via Locust's library API
    runner.py     starts and bounds those processes from the harness process
    cleanup.py    the items the load lends are checked in before and after a run
    evaluate.py   LAST-01..03 judged from the measurements, with their evidence
    fixtures.py   the load suite's fixtures (scenarios/load/); cli.py: `harness load`

Locust runs in processes of its own because it patches sockets and threads with gevent on
import, which the harness process (the sandbox's threads, pytest) must never see.

Distributed over machines. The master runs where the reports should land; each worker runs
on a machine with the harness installed and its own copy of the profile (secrets from its
own environment; the master sends the workload, never credentials)::

    # on the master (10.0.0.5), waiting for 3 workers on port 5557:
    harness load --target targets/vendor-x.toml --remote-workers 3 --master-bind 10.0.0.5 --master-port 5557
    # on each worker machine:
    harness load --worker --master-host 10.0.0.5 --master-port 5557 --target targets/vendor-x.toml

Locust's master-worker channel (ZeroMQ) is neither encrypted nor authenticated: keep it on a
network you trust, or tunnel it (ssh -L 5557:127.0.0.1:5557 master, then --master-host
127.0.0.1). A worker whose profile names another target than the master's refuses to load.
"""
