"""Chapter 0 in Python: what starting one unit of work and waiting for it costs.

The article's starting point, measured in CPython: threading.Thread(...).start()
and .join(), against multiprocessing's Process(...).start() and .join() under each
start method this platform has (fork, spawn, forkserver; the multiprocessing docs,
"Contexts and start methods"). The target does nothing: what is timed is the start
and the wait. The kinds are interleaved (a thread, then each method, then again),
after one untimed start of each (the fork server is started on its first use).

Prints the workbook's CSV (chapters/python/harness.py): one run per start, mode
"threads" or "processes", one worker, one task whose result says which kind it was
(0 thread, 1 fork, 2 spawn, 3 forkserver).

    python3 chapters/00-spawn-cost/original.py --modes threads,processes --workers 1 --reps 20
"""
import multiprocessing
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness  # noqa: E402

KINDS = {"thread": 0, "fork": 1, "spawn": 2, "forkserver": 3}


def nothing():
    """The unit of work: none. Top level, so that spawn and forkserver can find it."""


def start_and_wait(kind):
    """One start of `kind` and its join, timed: (t0, seconds)."""
    t0 = time.perf_counter()
    if kind == "thread":
        worker = threading.Thread(target=nothing)
    else:
        worker = multiprocessing.get_context(kind).Process(target=nothing)
    worker.start()
    worker.join()
    if kind != "thread" and worker.exitcode != 0:
        sys.exit("original.py: a %s child exited with %s" % (kind, worker.exitcode))
    return t0, time.perf_counter() - t0


def main():
    available = multiprocessing.get_all_start_methods()

    def own_flags(parser):
        parser.add_argument("--start-methods", default=",".join(m for m in KINDS if m in available and m != "thread"),
                            help="comma-separated: which of fork, spawn, forkserver to time")

    args = harness.arguments(__doc__.splitlines()[0], own_flags)
    if sorted(args.modes) != ["processes", "threads"] or args.workers != [1]:
        sys.exit("original.py: this chapter times one thread or one process at a time "
                 "(--modes threads,processes --workers 1)")
    methods = [m for m in args.start_methods.split(",") if m]
    for m in methods:
        if m not in available:
            sys.exit("original.py: --start-methods: %s is not available here (%s)" % (m, ", ".join(available)))
    kinds = ["thread"] + methods
    harness.describe(default_start_method=multiprocessing.get_start_method(), kinds="+".join(kinds))
    for kind in kinds:  # untimed: first-time imports, the fork server's start
        start_and_wait(kind)
    for rep in range(args.reps):
        for kind in kinds:
            t0, seconds = start_and_wait(kind)
            record = dict(task=0, pid=os.getpid(), tid=threading.get_native_id(), start=t0, end=t0 + seconds, cpu=0.0,
                          vcsw=0, ivcsw=0, core=-1, result=KINDS[kind])
            harness.report("threads" if kind == "thread" else "processes", 1, rep, seconds, [record], t0)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
