"""gunicorn settings shared by `make run` and the benchmarks (bench/submit.py, bench/load.py).

Workers, threads and the address come from the command line (the Makefile's
WORKERS, THREADS and PORT). What is here: no control socket, and how a
worker closes a client's connection.
"""

import gunicorn.util

# gunicorn 25.1+ opens a control socket (for gunicornc) in the user's home by
# default: nothing here uses it, and two servers on one machine (the app and
# bench/submit.py's baseline) would share its path.
control_socket_disable = True

MAX_DRAIN = 65536  # bytes of an unread request body read off before closing, as gunicorn does


def close_without_lingering(sock) -> None:
    """Close a client's socket once the response is sent, without waiting for the client.

    Since version 26 gunicorn half-closes and then waits up to 2 s for the
    client to close its side (RFC 9112 section 9.6), so that request bytes the
    app never read cannot turn the close into a reset that cuts the response
    short. A sync worker serves nobody while it waits: every response costs it
    the client's round trip (a phone on a weak network: hundreds of ms), and a
    client that never closes holds it for the full 2 s. On 2 cores at 64
    clients the wait left 15 % of the CPU idle (bench/submit.py: 397
    submissions/s with it, 468 without).

    The bytes that cause the reset are the ones already received and never
    read: those are still read off (up to MAX_DRAIN), only without waiting for
    more, then the socket is closed.
    """
    try:
        sock.setblocking(False)
        drained = 0
        while drained < MAX_DRAIN:
            data = sock.recv(MAX_DRAIN)
            if not data:
                break
            drained += len(data)
    except OSError:  # BlockingIOError: nothing else has arrived
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


def on_starting(server) -> None:
    """In the master, before the workers are forked: they inherit the new close."""
    gunicorn.util.close_graceful = close_without_lingering
