"""Chapter 2 in Python: "In multithreading, threads run in parallel."

The article's live_tracker: each job reads the clock in a tight loop. Plotted,
threads take turns: while one runs, the other waits for the GIL. Here a pause of
more than --gap-us between two readings ends a "running interval", and each job
reports its intervals instead of every reading. It does not ask which core it
is on (the C tracker does): reading /proc would release the GIL for the system
call, and the other thread would take its turn early.

    python3 original.py --jobs 2 --seconds 1     (prints CSV; see ../python/harness.py)
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness  # noqa: E402

def live_tracker(argument):
    """Read the clock `samples` times; a pause longer than `gap` seconds ends a running
    interval. Returns (samples, running intervals). The gap comes as an argument, not
    a global: a worker started by "spawn" or "forkserver" would not see a global set
    after the script started."""
    samples, gap = argument
    intervals = []
    start = last = time.perf_counter()
    for _ in range(samples):
        now = time.perf_counter()
        if now - last > gap:  # we were not running in between
            intervals.append((start, last, -1))  # -1: core not asked
            start = now
        last = now
    intervals.append((start, last, -1))
    return samples, intervals


def main():
    def own_flags(parser):
        parser.add_argument("--jobs", type=int, default=os.cpu_count())
        parser.add_argument("--seconds", type=float, default=1.0, help="how long one job takes alone")
        parser.add_argument("--gap-us", type=float, default=50, help="a longer pause ends a running interval")

    args = harness.arguments(__doc__.splitlines()[0], own_flags)
    gap = args.gap_us / 1e6
    n = harness.iterations_for(args.seconds, lambda k: live_tracker((k, gap)))
    harness.describe(samples_per_job=n, gap_us=args.gap_us)
    harness.run_all(args, live_tracker, [(n, gap)] * args.jobs)


if __name__ == "__main__":
    main()
