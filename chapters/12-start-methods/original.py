"""Chapter 12 in real CPython: the three ways multiprocessing starts a worker.

For each start method (multiprocessing.get_context("fork" | "spawn" | "forkserver"),
passed to ProcessPoolExecutor as mp_context), the time to start one worker per core and
get an answer from each, with the parent holding --memory-mib of touched memory; and
whether a worker sees a global the script set after it was imported (LATE): a forked
worker inherits it, a spawned or fork-server worker imports the script afresh and
does not.

Prints the workbook's CSV (chapters/python/harness.py): one "processes" run per rep and
method; each task's result is 10 x the method's index in --start-methods + 1 if that
worker saw LATE, else + 0 (that is how the chapter tells the methods apart). Standard
library only.

    python3 chapters/12-start-methods/original.py --start-methods fork,spawn,forkserver --memory-mib 256
"""
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness  # noqa: E402

LATE = None  # set by main(), after import: only a forked worker sees it


def probe(task):
    """A worker's answer: did it see the script's LATE?"""
    return LATE is not None


def main():
    global LATE

    def extra(parser):
        parser.add_argument("--start-methods", default="fork,spawn,forkserver")
        parser.add_argument("--memory-mib", type=int, default=0, help="touched memory the parent holds")

    args = harness.arguments(__doc__.splitlines()[0], extra)
    methods = args.start_methods.split(",")
    for method in methods:
        if method not in multiprocessing.get_all_start_methods():
            raise SystemExit("original.py: unknown start method " + method)
    LATE = "set after import"
    ballast = bytearray(args.memory_mib << 20)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page
    workers = args.workers[0]
    harness.START_METHOD[0] = "+".join(methods)  # each run names its own context
    harness.describe(default_start_method=multiprocessing.get_start_method(), memory_mib=args.memory_mib)
    for rep in range(args.reps):
        for index, method in enumerate(methods):
            context = multiprocessing.get_context(method)
            parent = None if method == "forkserver" else os.getpid()
            t0 = time.perf_counter()
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=harness.die_with,
                                     initargs=(parent,)) as executor:
                records = list(executor.map(harness.timed, [probe] * workers, range(workers), range(workers)))
            wall = time.perf_counter() - t0
            for r in records:
                r["result"] = 10 * index + (1 if r["result"] else 0)
            harness.report("processes", workers, rep, wall, records, t0)
            sys.stdout.flush()
    del ballast


if __name__ == "__main__":
    main()
