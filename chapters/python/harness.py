"""harness.py - what every chapter's original.py shares: run the jobs, time them, print CSV.

Each original.py holds one experiment from the article, written the way the
article wrote it. This file runs a job function over a list of arguments
serially, on a ThreadPoolExecutor or on a ProcessPoolExecutor (the pool's
start-up and shut-down inside the timed region, as in the C chapters), times
each job, and prints what happened as CSV on standard output:

    # python=3.11.2            (and gil=enabled|disabled, switch_interval_ms=5, ...)
    record,mode,workers,rep,task,pid,tid,start_s,end_s,cpu_s,vcsw,ivcsw,core,result
    run,threads,2,0,2,...      one row per run: task = how many jobs, end_s = wall time
    task,threads,2,0,0,...     one row per job, in job order
    running,threads,2,0,0,...  one row per running interval (the live tracker only)

Times are seconds from the run's start. The C chapter reads these rows and shows
them beside its own. Standard library only.
"""
import argparse
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

HEADER = "record,mode,workers,rep,task,pid,tid,start_s,end_s,cpu_s,vcsw,ivcsw,core,result"


def gil_enabled():
    """False only on a free-threaded build (3.13t and later) running without its GIL."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else check()


try:  # Linux has per-thread usage; elsewhere the columns stay at zero
    import resource
    RUSAGE_THREAD = resource.RUSAGE_THREAD
except (ImportError, AttributeError):
    resource = RUSAGE_THREAD = None


def thread_usage():
    """(voluntary, involuntary) context switches of this thread so far, or (0, 0)."""
    if resource is None:
        return 0, 0
    usage = resource.getrusage(RUSAGE_THREAD)
    return usage.ru_nvcsw, usage.ru_nivcsw


def current_core():
    """The core this thread runs on: field 39 of /proc/thread-self/stat (Linux)."""
    try:
        with open("/proc/thread-self/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[36])
    except (OSError, IndexError, ValueError):
        return -1


def arguments(description, extra=None):
    """The flags every original.py takes; `extra` adds a chapter's own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--modes", default="serial,threads,processes",
                        help="comma-separated: serial, threads, processes (and asyncio, for a coroutine job; mpi, for MPI ranks)")
    parser.add_argument("--workers", default=str(os.cpu_count()),
                        help="threads or processes, or a comma-separated sweep such as 4,8,16")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--switch-interval", type=float, default=5.0, metavar="MS",
                        help="the GIL's switch interval (sys.setswitchinterval), in milliseconds")
    parser.add_argument("--start-method", choices=multiprocessing.get_all_start_methods(), default=None,
                        help="how ProcessPoolExecutor starts its workers (default: this platform's, "
                             "multiprocessing.get_start_method())")
    if extra:
        extra(parser)
    args = parser.parse_args()
    args.modes = args.modes.split(",")
    args.workers = [int(w) for w in args.workers.split(",")]
    for mode in args.modes:
        if mode not in ("serial", "threads", "processes", "asyncio", "mpi"):  # mpi: chapter 13's script runs it
            parser.error("--modes: unknown mode " + mode)
    sys.setswitchinterval(args.switch_interval / 1000)
    START_METHOD[0] = args.start_method or multiprocessing.get_start_method()
    return args


def describe(**facts):
    """The preamble: which interpreter this is, and what the experiment was sized to."""
    print("# python=%d.%d.%d" % sys.version_info[:3])
    print("# implementation=" + sys.implementation.name)
    print("# gil=" + ("enabled" if gil_enabled() else "disabled"))
    print("# switch_interval_ms=%g" % (sys.getswitchinterval() * 1000))
    print("# start_method=" + START_METHOD[0])
    for key, value in facts.items():
        print("# %s=%s" % (key, value))
    print(HEADER)


# The start method of this run's process pools: [name]; set by arguments().
START_METHOD = [multiprocessing.get_start_method()]


def die_with(parent):
    """Run first in each pool worker process: if its parent dies, so does the worker, so
    a killed script leaves no worker waiting forever (Linux's PR_SET_PDEATHSIG, as the
    C chapters do). Under "forkserver" the parent is the fork server, which ends when
    the script does (parent is None then)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:  # it died before we asked
        os._exit(1)


def timed(job, task, argument):
    """Run one job and say where, when and at what cost it ran (this runs in the worker)."""
    usage = thread_usage()
    core = current_core()
    cpu = time.thread_time()
    start = time.perf_counter()
    result = job(argument)
    end = time.perf_counter()
    cpu = time.thread_time() - cpu
    after = thread_usage()
    return dict(task=task, pid=os.getpid(), tid=threading.get_native_id(), start=start, end=end, cpu=cpu,
                vcsw=after[0] - usage[0], ivcsw=after[1] - usage[1], core=core,
                result=result)


async def timed_async(job, task, argument):
    """timed() for a coroutine job on the event loop's one thread: its start and end;
    its CPU time and context switches cannot be told apart from the other tasks'."""
    core = current_core()
    start = time.perf_counter()
    result = await job(argument)
    end = time.perf_counter()
    return dict(task=task, pid=os.getpid(), tid=threading.get_native_id(), start=start, end=end, cpu=0.0,
                vcsw=0, ivcsw=0, core=core, result=result)


async def gather_all(job, argument_list):
    import asyncio  # imported by run() before its clock starts
    return await asyncio.gather(*(timed_async(job, task, a) for task, a in enumerate(argument_list)))


def run(mode, workers, job, argument_list, chunksize=1):
    """One run: every argument through `job`, in `mode`. Returns (wall seconds, records, t0).
    A process pool sends `chunksize` jobs per message (Executor.map's chunksize)."""
    tasks = range(len(argument_list))
    jobs = [job] * len(argument_list)
    if mode == "asyncio":
        # Imported only where it runs (its import takes about 80 ms, which every
        # chapter's interpreter would pay at start-up), and before the clock starts.
        import asyncio
    t0 = time.perf_counter()
    if mode == "serial":
        records = [timed(job, task, a) for task, a in zip(tasks, argument_list)]
    elif mode == "asyncio":  # `job` is a coroutine function; every task in flight at once on one thread
        records = asyncio.run(gather_all(job, argument_list))
    elif mode == "threads":
        with ThreadPoolExecutor(max_workers=workers) as executor:
            records = list(executor.map(timed, jobs, tasks, argument_list))
    else:
        # Settings reach the workers only as arguments: under "spawn" and "forkserver"
        # a worker does not inherit what the script set after it started.
        context = multiprocessing.get_context(START_METHOD[0])
        parent = None if START_METHOD[0] == "forkserver" else os.getpid()
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=die_with,
                                 initargs=(parent,)) as executor:
            records = list(executor.map(timed, jobs, tasks, argument_list, chunksize=chunksize))
    return time.perf_counter() - t0, records, t0


def row(*fields):
    print(",".join(("%.6f" % f) if isinstance(f, float) else str(f) for f in fields))


def report(mode, workers, rep, wall, records, t0):
    """Print a run's rows. A job may return (result, intervals): its running intervals."""
    row("run", mode, workers, rep, len(records), 0, 0, 0.0, wall, 0.0, 0, 0, -1, 0)
    for r in records:
        result, intervals = r["result"] if isinstance(r["result"], tuple) else (r["result"], ())
        row("task", mode, workers, rep, r["task"], r["pid"], r["tid"], r["start"] - t0, r["end"] - t0, r["cpu"],
            r["vcsw"], r["ivcsw"], r["core"], result)
        for start, end, core in intervals:
            row("running", mode, workers, rep, r["task"], r["pid"], r["tid"], start - t0, end - t0, 0.0, 0, 0,
                core, 0)


def run_all(args, job, argument_list):
    """Every mode and worker count of the command line, --reps times, printed as they finish."""
    for rep in range(args.reps):
        for mode in args.modes:
            for workers in ([1] if mode == "serial" else args.workers):
                report(mode, workers, rep, *run(mode, workers, job, argument_list))
                sys.stdout.flush()


def iterations_for(seconds, job, probe=0.2, start=10000):
    """How many loop iterations make `job` last about `seconds` here: grow a trial run
    until it takes longer than the probe, then scale. The probe is `probe` seconds at
    most and no longer than the job itself (20 ms at least): a longer trial would cost
    more time than the jobs it sizes, for an accuracy their own timing does not have."""
    probe = min(probe, max(seconds, 0.02))
    n = start
    while True:
        begin = time.perf_counter()
        job(n)
        took = time.perf_counter() - begin
        if took > probe or n > 10**10:
            return max(1, int(n * seconds / took))
        n *= 4
