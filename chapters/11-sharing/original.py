"""Chapter 11 in Python: threads that add 1 to one shared counter, with the GIL on.

The GIL makes one bytecode instruction atomic, not a line of Python. `counter.value
+= 1` is a load, an add and a store; when `value` is a property, the load and the
store are calls of Python functions, and CPython may hand the GIL to another thread
at the start of any call (3.10 and later check the "eval breaker" at calls and
backward jumps: Python/ceval.c, RESUME and JUMP_BACKWARD). A thread that loses the
GIL between its load and its store writes back an old value when it returns: every
addition the other thread made meanwhile is lost. The Python FAQ lists `i = i+1`
among the operations that are not thread-safe ("What kinds of global value mutation
are thread-safe?").

--way picks how the threads add:
    property    counter.value += 1 through a property (a getter and a setter call)
    attribute   counter.n += 1 on a plain attribute (no call between load and store:
                3.11 happens not to switch there; nothing promises it)
    locked      the property, inside `with lock:`

--additions is the total, split evenly over the threads (as in the C program); every
task's result is the counter's final value, read after the run, so the chapter can
count what was lost.

    python3 original.py --way property --workers 1,2 --additions 200000   (prints CSV; see ../python/harness.py)
"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness  # noqa: E402


class Counter:
    def __init__(self):
        self._value = 0
        self.n = 0

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, v):
        self._value = v


SHARED = [Counter()]  # the run's counter, new for every run
LOCK = threading.Lock()


def add_through_property(additions):
    counter = SHARED[0]
    for _ in range(additions):
        counter.value += 1
    return 0


def add_to_attribute(additions):
    counter = SHARED[0]
    for _ in range(additions):
        counter.n += 1
    return 0


def add_under_lock(additions):
    counter = SHARED[0]
    for _ in range(additions):
        with LOCK:
            counter.value += 1
    return 0


WAYS = {"property": (add_through_property, lambda c: c.value),
        "attribute": (add_to_attribute, lambda c: c.n),
        "locked": (add_under_lock, lambda c: c.value)}


def main():
    def own_flags(parser):
        parser.add_argument("--way", choices=sorted(WAYS), required=True)
        parser.add_argument("--additions", type=int, default=200000, help="additions in all, split over the threads")

    args = harness.arguments(__doc__.splitlines()[0], own_flags)
    if args.modes != ["threads"]:
        sys.exit("original.py: this chapter runs threads only (--modes threads)")
    job, final = WAYS[args.way]
    harness.describe(way=args.way, additions=args.additions)
    for rep in range(args.reps):
        for workers in args.workers:
            SHARED[0] = Counter()
            wall, records, t0 = harness.run("threads", workers, job, [args.additions // workers] * workers)
            for r in records:
                r["result"] = final(SHARED[0])
            harness.report("threads", workers, rep, wall, records, t0)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
