"""Reading bench/load.py's database back: what was stored against what the clients saw.

Every acknowledged checklist must be stored exactly once under its uuid,
with the id the server gave; the figures and the verdict are printed.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import cpustat
import httpload

if TYPE_CHECKING:
    from load import Run, Submission


def stored_rows(path: str) -> tuple[list[tuple], dict]:
    """(id, uuid, comments) of every checklist, and other figures of the database."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT id, uuid, json_extract(answers, '$.comments')"
                            " FROM checklists").fetchall()
        extra = {
            "versions": conn.execute("SELECT count(*) FROM entry_versions"
                                     " WHERE entry_kind = 'checklist'").fetchone()[0],
            "audit_creates": conn.execute(
                "SELECT count(*) FROM audit_log WHERE action = 'create'"
                " AND entry_kind = 'checklist'").fetchone()[0],
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0]}
        return rows, extra
    finally:
        conn.close()


def verify(path: str, queues: list[list[Submission]]) -> dict:
    """Compare the clients' acknowledgements with the rows in the database."""
    rows, extra = stored_rows(path)
    subs = {sub.uuid: sub for queue in queues for sub in queue}
    by_uuid = {r[1]: r for r in rows}
    markers = Counter(r[2] for r in rows)
    acked = [s for s in subs.values() if s.acks]
    lost = [s for s in acked if s.uuid not in by_uuid]
    mismatched = [s for s in acked if s.uuid in by_uuid and (
        {a[1] for a in s.acks} != {by_uuid[s.uuid][0]} or {a[2] for a in s.acks} != {s.uuid})]
    return {
        "sent": len(subs), "sent_twice": sum(1 for s in subs.values() if s.twice),
        "acknowledged": len(acked), "stored": len(rows),
        # rows beyond one per submission sent: a second row under another uuid (its
        # comments name the same submission) or a row nobody sent
        "duplicates": len(rows) - len(set(by_uuid) & set(subs)),
        "same_marker": sum(n - 1 for n in markers.values() if n > 1),
        "lost": len(lost), "mismatched": len(mismatched),
        "unacknowledged": sum(1 for s in subs.values() if not s.acks),
        "stored_unacknowledged": sum(1 for s in subs.values() if not s.acks and s.uuid in by_uuid),
        "examples": [s.uuid for s in lost[:3] + mismatched[:3]],
        **extra,
    }


def report(args, run: Run, figures: dict, log: Path) -> bool:
    """Print the figures; True when nothing was lost or duplicated."""
    seconds = run.finished - run.started
    k = run.killed
    print(f"{figures['sent']} checklists from {args.clients} clients ({figures['sent_twice']} "
          f"sent twice), gunicorn --workers {args.workers} --threads {args.threads} "
          f"{args.gunicorn_args}".rstrip() + ", "
          f"{seconds:.1f} s, {figures['acknowledged'] / seconds:.0f} checklists/s")
    if k.get("pid"):
        replaced = (f"replaced by {k['replaced_by']} in {k['replaced_in']:.2f} s"
                    if "replaced_by" in k else "NOT replaced")
        print(f"killed worker {k['pid']} (SIGKILL) at {k['at']:.1f} s, after "
              f"{k['acknowledged']} acknowledged, {k['in_flight']} requests in flight; it held "
              f"{k['held'][k['pid']]} of the clients' connections (workers: "
              + ", ".join(str(n) for n in k["held"].values()) + f"); {replaced}")
    elif k:
        print(f"kill: {k}")
    print(f"sent {figures['sent']}  requests {run.requests}  acknowledged "
          f"{figures['acknowledged']}  stored {figures['stored']}  duplicates "
          f"{figures['duplicates']}  lost {figures['lost']}  uuid/id mismatches "
          f"{figures['mismatched']}  unacknowledged {figures['unacknowledged']} "
          f"(of which stored {figures['stored_unacknowledged']})")
    print("answers: " + ", ".join(f"{status}: {n}" for status, n in sorted(run.statuses.items()))
          + f"; saved by the server, connection lost before the answer, confirmed by the "
          f"retry (200): {run.saved_before_failure}")
    errors = ", ".join(f"{kind} {n}" for kind, n in run.errors.most_common()) or "none"
    print(f"errors (each retried unless 4xx): {errors}")
    if k.get("pid"):
        near = sum(1 for t in run.error_times if k["at"] <= t <= k["at"] + 5)
        other = sorted(t for t in run.error_times if not k["at"] <= t <= k["at"] + 5)
        print(f"  of which within 5 s after the kill: {near}, at other times: {len(other)}"
              + (" (at s: " + " ".join(f"{t:.1f}" for t in other[:20]) + ")" if other else ""))
    for kind, detail in run.first_error.items():
        print(f"  first {kind}: {detail[:200]}")
    used = cpustat.shares(run.cpu, seconds)
    print(f"latency of acknowledged requests: p50 {httpload.percentile(run.latencies, 50):.1f} ms, "
          f"p99 {httpload.percentile(run.latencies, 99):.1f} ms; cpu (cores): "
          + " ".join(f"{name} {share:.2f}" for name, share in used.items()))
    tracebacks = log.read_text(errors="replace").count("Traceback")
    print(f"database: integrity {figures['integrity']}, checklist versions "
          f"{figures['versions']}, audit 'create' records {figures['audit_creates']}; "
          f"tracebacks in the server log: {tracebacks}")
    if figures["examples"]:
        print("examples of lost or mismatched uuids: " + ", ".join(figures["examples"]))
    ok = (figures["lost"] == 0 and figures["duplicates"] == 0 and figures["mismatched"] == 0
          and figures["same_marker"] == 0
          and figures["integrity"] == "ok"
          and figures["versions"] == figures["audit_creates"] == figures["stored"])
    print(("PASS" if ok else "FAIL") + ": zero lost, zero duplicated, uuids and ids match"
          + ("" if ok else " - NOT MET"))
    return ok
