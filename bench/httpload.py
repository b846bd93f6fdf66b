"""A cheap HTTP/1.1 load generator for bench/submit.py: asyncio, raw sockets, keep-alive.

The server and this client share two cores, so every microsecond the client
spends is taken from the server. Requests are hand-built bytes; a response is
read as its head (status line and headers) plus Content-Length bytes of body.
No redirects are followed and no cookies are kept unless the caller asks.
"""

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CSRF_INPUT = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes


class Connection:
    """One keep-alive connection, reopened when the server closes it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> Response:
        """Send one complete request and read its response."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("connection", "").lower() == "close":
            body = await self.reader.read()
        else:
            raise ValueError("response without Content-Length on a keep-alive connection")
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(int(lines[0][9:12]), headers, body)

    def close(self) -> None:
        """Drop the socket; the next request opens a new one."""
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def build(method: str, path: str, host: str, cookie: str = "", body: bytes = b"",
          content_type: str = "application/x-www-form-urlencoded") -> bytes:
    """The bytes of one HTTP/1.1 request."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\n"
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    if method == "POST":
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


def cookie_of(response: Response, name: str = "session") -> str | None:
    """``name=value`` from the response's Set-Cookie, if it sets that cookie."""
    value = response.headers.get("set-cookie", "")
    return value.split(";", 1)[0] if value.startswith(name + "=") else None


def csrf_token(body: bytes) -> str:
    """The value of the page's hidden csrf_token input."""
    found = CSRF_INPUT.search(body)
    if not found:
        raise ValueError("no csrf_token input in: " + body[:300].decode(errors="replace"))
    return found.group(1).decode()


@dataclass
class Result:
    """One measured phase: counts, latencies of the requests completed in it, CPU used."""

    seconds: float = 0.0
    ok: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    first_error: str = ""
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used in the window
    total_ok: int = 0  # successes including warm-up and drain, to check against the database

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds (nearest rank)."""
        return percentile(self.latencies, p)


def percentile(seconds: list[float], p: float) -> float:
    """The p-th percentile of latencies in seconds, in milliseconds (nearest rank)."""
    if not seconds:
        return float("nan")
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


async def _client(conn: Connection, next_request: Callable[[], bytes], expected: int,
                  delay: float, start: float, stop: float, result: Result) -> None:
    """After ``delay``, send requests back to back until ``stop``.

    Only requests that end between ``start`` and ``stop`` are recorded.
    """
    clock = time.perf_counter
    await asyncio.sleep(delay)
    while (sent := clock()) < stop:
        raw = next_request()
        try:
            response = await conn.request(raw)
            status, detail = response.status, response.body
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            conn.close()
            status, detail = None, repr(exc).encode()
        done = clock()
        if status == expected:
            result.total_ok += 1
        if done < start or done > stop:
            continue
        if status == expected:
            result.ok += 1
            result.latencies.append(done - sent)
        else:
            result.errors += 1
            if not result.first_error:
                snippet = detail[:400].decode(errors="replace").replace("\n", " ")
                result.first_error = f"status {status}: {snippet}"


async def run(conns: list[Connection], makers: list[Callable[[], bytes]], expected: int,
              warmup: float, seconds: float,
              cpu: Callable[[], dict[str, float]] = lambda: {}) -> Result:
    """All clients at once: ``warmup`` seconds unrecorded, then ``seconds`` measured.

    ``cpu`` returns cumulative CPU seconds by name (say, of the server's processes);
    it is sampled when the measured window opens and closes, along with this
    process's own CPU time, and the differences land in ``Result.cpu``.

    Clients start one by one over the first half of the warm-up: opened in one
    burst, gunicorn's first worker to wake accepts nearly all the connections
    (49 of 64 on 4 workers) and keeps them for as long as they are kept alive.
    """
    result = Result(seconds=seconds)
    loop = asyncio.get_running_loop()
    samples = []

    def sample() -> None:
        samples.append({"client": time.process_time(), **cpu()})

    start = time.perf_counter() + warmup
    stop = start + seconds
    timers = [loop.call_later(warmup, sample), loop.call_later(warmup + seconds, sample)]
    ramp = warmup / 2 / max(len(conns), 1)
    await asyncio.gather(*(_client(c, m, expected, i * ramp, start, stop, result)
                           for i, (c, m) in enumerate(zip(conns, makers))))
    for timer in timers:
        timer.cancel()
    if len(samples) == 2:
        result.cpu = {k: samples[1][k] - samples[0].get(k, 0.0) for k in samples[1]}
    for conn in conns:
        conn.close()
    return result
