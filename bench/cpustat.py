"""What else the shared machine is doing, for bench/submit.py: CPU use, quiet, fsync latency.

The benchmark shares two cores and a disk with whatever else runs on the
machine, so each measurement also records how much CPU everything else took
meanwhile ("others"), and the run starts with the disk's fsync latency.
"""

import asyncio
import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # exited meanwhile
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()  # from the 3rd field (state) on
    return (int(fields[11]) + int(fields[12])) / TICK


def process_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by a process and its direct children."""
    try:
        children = [int(p) for p in
                    Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:  # kernel without CONFIG_PROC_CHILDREN: scan every process
        children = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                if int(stat[stat.rindex(")") + 2:].split()[1]) == master:
                    children.append(int(entry.name))
    return _cpu_of(master) + sum(_cpu_of(pid) for pid in children)


def machine_cpu() -> float:
    """CPU seconds all processes on the machine have used (busy time of every core)."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK


def sampler(server_pid: int):
    """For httpload.run: cumulative CPU seconds of the server and of the whole machine."""
    return lambda: {"server": process_cpu(server_pid), "machine": machine_cpu()}


def shares(cpu: dict[str, float], seconds: float) -> dict[str, float]:
    """CPU seconds over a window as shares of one core: client, server, others."""
    used = {k: v / seconds for k, v in cpu.items()}
    if "machine" in used:
        used["others"] = max(0.0, used.pop("machine") - used.get("server", 0.0)
                             - used.get("client", 0.0))
    return used


async def wait_for_quiet(limit: float, busy: float = 0.15) -> float:
    """Wait (up to ``limit`` seconds) for a second in which the machine is nearly idle.

    Returns the CPU share (in cores) of the last second sampled.
    """
    waited, share = 0.0, 0.0
    while True:
        before = machine_cpu()
        await asyncio.sleep(1)
        share = machine_cpu() - before
        waited += 1
        if share <= busy or waited >= limit:
            return share


def fsync_ms(folder: Path, count: int = 50) -> tuple[float, float]:
    """Median and 90th percentile of a 4 KiB write + fsync in ``folder``, in ms.

    Every acknowledged checklist costs at least one (synchronous=FULL): on a
    disk shared with busy neighbours this alone can decide the figures.
    """
    times = []
    with open(folder / "fsync-probe", "wb") as probe:
        for _ in range(count):
            start = time.perf_counter()
            probe.write(b"x" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
            times.append((time.perf_counter() - start) * 1000)
    (folder / "fsync-probe").unlink()
    times.sort()
    return times[len(times) // 2], times[len(times) * 9 // 10]
