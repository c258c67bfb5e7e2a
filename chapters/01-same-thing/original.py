"""Chapter 1 in Python: "Multiprocessing and multithreading are basically the same thing."

The article's experiment: the same CPU-heavy jobs on threads and on processes.
In CPython the threads take turns holding the GIL, so they take as long as doing
the jobs one after another; the processes each have their own interpreter and
run at once, one per core.

    python3 original.py --jobs 4 --seconds 1     (prints CSV; see ../python/harness.py)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness  # noqa: E402


def cpu_heavy(n):
    """The article's job: count up to n, one bytecode loop iteration at a time."""
    count = 0
    for i in range(n):
        count += i
    return count


def main(description=__doc__):
    def own_flags(parser):
        parser.add_argument("--jobs", type=int, default=os.cpu_count())
        parser.add_argument("--seconds", type=float, default=1.0, help="how long one job takes alone")

    args = harness.arguments(description.splitlines()[0], own_flags)
    n = harness.iterations_for(args.seconds, cpu_heavy)
    harness.describe(iterations_per_job=n)
    harness.run_all(args, cpu_heavy, [n] * args.jobs)


if __name__ == "__main__":
    main()
