"""gunicorn settings shared by `make run`, the benchmarks and tests/test_server.py.

Workers, threads and the address come from the command line (the Makefile's
WORKERS, THREADS and PORT). What is here: no control socket, and the SQLite
connection each worker keeps (models/db.py). Only gunicorn's public settings.
"""

# gunicorn 25.1+ opens a control socket (for gunicornc) in the user's home by
# default: nothing here uses it, and two servers on one machine (the app and
# bench/submit.py's baseline) would share its path.
control_socket_disable = True


def post_fork(server, worker) -> None:
    """In each worker, after the fork: keep its database connections between requests."""
    from models import db

    db.keep_connections()


def worker_exit(server, worker) -> None:
    """In each worker, as it exits: close the connections it kept."""
    from models import db

    db.close_kept()
