"""Chapter 7 in Python: the article's rules of thumb, swept in CPython.

--part cpu: one fixed CPU workload (chapter 1's cpu_heavy, in --tasks tasks of
--seconds each) on a ProcessPoolExecutor of each --workers count: n_processes =
n_cores?

--part io: the pages whose URLs come on standard input, each fetched with urllib
(chapter 4's download) and then "parsed" with --cpu-ms of bytecode, on a
ThreadPoolExecutor of each --workers count: n_threads = m x n_cores? For Python
code that holds the GIL the parsing runs one thread at a time.

Prints the workbook's CSV (chapters/python/harness.py).

    python3 chapters/07-rules-of-thumb/original.py --part cpu --modes processes --workers 1,2,4 --tasks 64
    urls | python3 chapters/07-rules-of-thumb/original.py --part io --modes threads --workers 2,4,6,8 --cpu-ms 1
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "04-threads-useless"))
import harness  # noqa: E402
from original import download  # noqa: E402  (chapter 4's urllib job)


def cpu_heavy(n):
    """Chapter 1's job: count up to n, one bytecode loop iteration at a time."""
    count = 0
    for i in range(n):
        count += i
    return count


def fetch_and_parse(argument):
    """One page, then its CPU part: the page's size, or -1 if it failed."""
    url, timeout, iterations = argument
    size = download((url, timeout))
    cpu_heavy(iterations)
    return size


def main():
    def own_flags(parser):
        parser.add_argument("--part", choices=("cpu", "io"), required=True)
        parser.add_argument("--tasks", type=int, default=64, help="--part cpu: how many tasks")
        parser.add_argument("--seconds", type=float, default=0.005, help="--part cpu: one task alone")
        parser.add_argument("--cpu-ms", type=float, default=1.0, help="--part io: CPU work after each page")
        parser.add_argument("--timeout", type=float, default=30.0, help="--part io: seconds to wait for one page")

    args = harness.arguments(__doc__.splitlines()[0], own_flags)
    wanted = ["processes"] if args.part == "cpu" else ["threads"]
    if args.modes != wanted:
        sys.exit("original.py: --part %s runs --modes %s" % (args.part, wanted[0]))
    if args.part == "cpu":
        n = harness.iterations_for(args.seconds, cpu_heavy)
        # What Python counts as "cores": logical CPUs, in the system and usable here
        # (os.process_cpu_count is new in 3.13; before it, the affinity mask says,
        # where there is one: not on macOS).
        if hasattr(os, "process_cpu_count"):
            usable = os.process_cpu_count()
        else:
            usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        harness.describe(part="cpu", tasks=args.tasks, iterations_per_task=n, cpu_count=os.cpu_count(),
                         process_cpu_count=usable)
        harness.run_all(args, cpu_heavy, [n] * args.tasks)
    else:
        urls = [line.strip() for line in sys.stdin if line.strip()]
        n = harness.iterations_for(args.cpu_ms / 1000, cpu_heavy, probe=0.05) if args.cpu_ms > 0 else 0
        harness.describe(part="io", requests=len(urls), iterations_per_parse=n)
        harness.run_all(args, fetch_and_parse, [(url, args.timeout, n) for url in urls])


if __name__ == "__main__":
    main()
