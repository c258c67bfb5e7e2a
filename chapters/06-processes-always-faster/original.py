"""Chapter 6 in Python: the post's process pool of tiny tasks, one per message or in chunks.

Many tasks of a few microseconds of bytecode each (the same loop as chapter 1's
cpu_heavy), run serially and then on a ProcessPoolExecutor with one worker per core
(--workers), sending --chunksizes tasks per message (Executor.map's chunksize: "For
very long iterables, using a large value for chunksize can significantly improve
performance compared to the default size of 1", the concurrent.futures docs). Each
task is also timed by the harness (two getrusage calls and a read of /proc per
task), the same in every mode.

Prints the workbook's CSV (chapters/python/harness.py); every task's result is the
chunksize of its run (0: serial), so the chapter can tell the runs apart.

    python3 chapters/06-processes-always-faster/original.py --tasks 2000 --chunksizes 1,16,256 --workers 2
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness  # noqa: E402


def tiny(argument):
    """A tiny task: `iterations` steps of a bytecode loop; returns its run's chunksize."""
    iterations, chunksize = argument
    count = 0
    for i in range(iterations):
        count += i
    return chunksize


def loop(n):
    return tiny((n, 0))


def main():
    def own_flags(parser):
        parser.add_argument("--tasks", type=int, default=2000)
        parser.add_argument("--task-us", type=float, default=3.0, help="how long one task's loop takes alone")
        parser.add_argument("--chunksizes", default="1,16,256")

    args = harness.arguments(__doc__.splitlines()[0], own_flags)
    if sorted(args.modes) != ["processes", "serial"] or len(args.workers) != 1:
        sys.exit("original.py: this chapter runs --modes serial,processes on one --workers count")
    chunksizes = [int(k) for k in args.chunksizes.split(",")]
    if args.tasks < 1 or min(chunksizes) < 1:
        sys.exit("original.py: --tasks and every chunksize must be at least 1")
    n = harness.iterations_for(args.task_us / 1e6, loop, probe=0.05)
    harness.describe(iterations_per_task=n, tasks=args.tasks)
    for rep in range(args.reps):
        wall, records, t0 = harness.run("serial", 1, tiny, [(n, 0)] * args.tasks)
        harness.report("serial", 1, rep, wall, records, t0)
        for k in chunksizes:
            wall, records, t0 = harness.run("processes", args.workers[0], tiny, [(n, k)] * args.tasks, chunksize=k)
            harness.report("processes", args.workers[0], rep, wall, records, t0)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
