"""Run a command and measure its whole process tree: wall time and peak memory.

    python -I -S proctree.py CMD [ARG...]

Prints one JSON line to stderr when every process the command started has ended:

* ``wall``: spawn -> the command itself exited (what a user waits for at the prompt);
* ``done``: spawn -> the last of its descendants exited (a detached ``tuireader index``
  included: this process is a child subreaper, so orphans are re-parented to it and it waits
  for them; ``start_new_session`` does not escape that);
* ``rc``: the command's exit code;
* per group (``main``: the command and everything it started; ``index``: a descendant whose
  command line ends in ``index`` and everything *it* started), ``hwm_sum_kb``: the sum over the
  group's processes of each one's own peak RSS (``VmHWM``; an upper bound of the group's peak,
  exact when the processes peak together) and ``rss_peak_kb``: the largest sum of their
  current RSS (``VmRSS``) seen in one sample (a lower bound, but that a child caught
  between fork and exec shows its parent's pages); ``procs``: how many there were;
  ``rss_peak_all_kb``: the same largest sample over both groups at once;
* ``ru_maxrss_kb``: ``os.wait4``'s figure for the command (its own or its largest reaped
  child's peak, whichever is larger; one process only, so not the tree).

The tree is sampled every ``PROCTREE_HZ`` (default 20) per second from ``/proc``; ``VmHWM``
never decreases, so a process's peak is only missed if it grows in its last sample interval.
Run from a small fresh interpreter (``-I -S``): Linux folds the spawning process's memory into
``ru_maxrss`` across exec, which is why that figure is floored at this script's ~9 MB, while
``VmHWM`` is not. SIGTERM ends every descendant it has seen, by pid. Stdlib only.
"""

import contextlib
import ctypes
import json
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def children(pid):
    """Child pids of every thread of ``pid`` (a pool may be started from any thread)."""
    out = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
        except OSError:
            pass
    return out


def status(pid):
    """(VmHWM, VmRSS) in kB, or None once the process is gone (or a zombie)."""
    hwm = rss = None
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
    except OSError:
        return None
    return None if hwm is None else (hwm, rss or 0)


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().split(b"\0")
    except OSError:
        return []


def main():
    cmd = sys.argv[1:]
    period = 1.0 / float(os.environ.get("PROCTREE_HZ", "20"))
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    me = os.getpid()
    group = {}  # pid -> "main" | "index"
    hwm = {}  # pid -> last VmHWM seen
    peak = {"main": 0, "index": 0, "all": 0}

    def on_term(_signum, _frame):
        for pid in group:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        os._exit(143)

    signal.signal(signal.SIGTERM, on_term)
    t0 = time.perf_counter()
    top = os.posix_spawnp(cmd[0], cmd, os.environ)
    group[top] = "main"
    wall = done = None
    rc = -1
    ru_maxrss = 0
    while True:
        # reap what has ended (the command, and orphans re-parented to us)
        alive = True
        while True:
            try:
                pid, st, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                alive = False
                break
            if pid == 0:
                break
            now = time.perf_counter() - t0
            done = now
            if pid == top:
                wall, rc, ru_maxrss = now, os.waitstatus_to_exitcode(st), ru.ru_maxrss
        if not alive:
            break
        # sample the tree, classifying each process when first seen
        sums = {"main": 0, "index": 0}
        stack = [(me, None)]
        while stack:
            parent, parent_group = stack.pop()
            for pid in children(parent):
                g = group.get(pid)
                if g is None or (g == "main" and pid != top):
                    # looked at again every sample until it is "index": a child caught between
                    # fork and exec still shows its parent's command line
                    g = parent_group or "main"
                    if g == "main" and pid != top:
                        args = [a for a in cmdline(pid) if a]
                        if args and args[-1] == b"index":
                            g = "index"
                    group[pid] = g
                s = status(pid)
                if s is not None:
                    # the latest VmHWM, not the largest: exec starts a new address space, and
                    # between fork and exec the child's figures are its parent's
                    hwm[pid] = s[0]
                    sums[g] += s[1]
                stack.append((pid, g))
        for g, v in sums.items():
            peak[g] = max(peak[g], v)
        peak["all"] = max(peak["all"], sums["main"] + sums["index"])
        time.sleep(period)
    report = {
        "wall": wall,
        "done": done,
        "rc": rc,
        "ru_maxrss_kb": ru_maxrss,
        "rss_peak_all_kb": peak["all"],
    }
    for g in ("main", "index"):
        pids = [p for p, pg in group.items() if pg == g]
        report[g] = {
            "hwm_sum_kb": sum(hwm.get(p, 0) for p in pids),
            "rss_peak_kb": peak[g],
            "procs": len(pids),
        }
    print(json.dumps(report), file=sys.stderr)


main()
