"""Posting each message to teams to the mission's gateway (MESSAGE_WEBHOOK_URL).

The coordinator's request only stores the message and starts a thread: the
gateway may be slow or down, and that must not hold up the control room. The
thread opens its own database connection (a connection is never shared
between threads), posts the JSON (models.team_messages.webhook_payload) and
records the answer in team_messages.webhook_status: "sent", or
"failed: <reason>".

Retries: a gateway that cannot be reached, times out, or answers 429 or 5xx
is tried again after RETRY_PAUSES (3 attempts in all, about 12 seconds);
another answer (4xx: the gateway refused this message) is final. After the
last attempt the status says why it failed and nothing is retried: the
message is in the app all the same, and the coordinator sees "failed" in the
list of sent messages (then phones the teams). The message's id is in the
JSON, so a gateway can ignore a repeat (an attempt that timed out may still
have arrived).
"""

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from models import team_messages
from models.db import connect

RETRY_PAUSES = (2.0, 10.0)  # seconds before the 2nd and 3rd attempts
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Gateway:
    """Where and how to post: the URL, and how long one attempt may wait."""

    url: str
    timeout: float


class _Retry(Exception):
    """An attempt that failed in a way worth another try."""


def _attempt(gateway: Gateway, body: bytes) -> str:
    request = urllib.request.Request(
        gateway.url, data=body, method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "eom-messages/1"})
    try:
        with urllib.request.urlopen(request, timeout=gateway.timeout) as response:
            response.read(1024)
            return "sent"
    except urllib.error.HTTPError as error:
        reason = f"failed: HTTP {error.code} {error.reason}"
        if error.code in RETRY_STATUSES:
            raise _Retry(reason) from None
        return reason
    except (urllib.error.URLError, OSError, ValueError) as error:
        # URLError: refused, unknown host; OSError: a timeout; ValueError: a bad URL.
        text = getattr(error, "reason", None) or error
        raise _Retry(f"failed: {text}") from None


def post(gateway: Gateway, payload: dict) -> str:
    """Post ``payload`` with the retries above; the status to record."""
    if not gateway.url.lower().startswith(("http://", "https://")):
        return "failed: MESSAGE_WEBHOOK_URL is not an http(s) address"
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    status = "failed"
    for pause in (0.0, *RETRY_PAUSES):
        time.sleep(pause)
        try:
            return _attempt(gateway, body)
        except _Retry as retry:
            status = str(retry)
    return status


def deliver(database: str, busy_timeout_ms: int, message_id: int, gateway: Gateway) -> str:
    """Post one message and record the answer (the thread's work); returns the status."""
    db = connect(database, busy_timeout_ms)
    try:
        payload = team_messages.webhook_payload(db, message_id)
        status = post(gateway, payload)
        team_messages.set_webhook_status(db, message_id, status)
        return status
    except Exception:
        # A thread's exception would otherwise vanish; the status stays "pending".
        log.exception("message %s: the webhook could not be delivered", message_id)
        raise
    finally:
        db.close()


def start(database: str, busy_timeout_ms: int, message_id: int,
          gateway: Gateway) -> threading.Thread:
    """Deliver in a background thread, so the request that sent the message returns at once."""
    thread = threading.Thread(target=deliver, name=f"message-webhook-{message_id}",
                              args=(database, busy_timeout_ms, message_id, gateway),
                              daemon=True)
    thread.start()
    return thread
