"""Chapter 13 in Python: "Processes scale past one machine; threads can't".

--part map: the same CPU-heavy jobs as chapter 1, split over MPI ranks with
mpi4py: rank r runs jobs r, r + N, r + 2N, ...; rank 0 gathers every job's
record and prints them.
--part pingpong: ranks 0 and 1 send a message back and forth (comm.Send and
comm.Recv on a bytearray: the buffer, not a pickled object), TRIPS times for
each SIZE:TRIPS of --sizes; each size is one run of one task whose result is
the size and whose time is all the trips.
Run it under mpirun, one rank per process:

    mpirun -np 2 python3 original.py --modes mpi --jobs 4 --seconds 0.5   (prints CSV; see ../python/harness.py)
    mpirun -np 2 python3 original.py --modes mpi --part pingpong --sizes 8:1000,4096:500

mpi4py calls MPI_Init when it is imported (mpi4py.rc.initialize) and
MPI_Finalize at exit.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(1, os.path.join(HERE, "..", "01-same-thing"))
import harness  # noqa: E402
from original import cpu_heavy  # noqa: E402  (chapter 1's job: the article's counting loop)
from mpi4py import MPI  # noqa: E402


def one_run(comm, n, jobs):
    """Every job once, job j on rank j % size; rank 0 gets (wall, records, t0)."""
    rank, size = comm.Get_rank(), comm.Get_size()
    comm.Barrier()
    t0 = time.perf_counter()
    mine = [harness.timed(cpu_heavy, job, n) for job in range(rank, jobs, size)]
    gathered = comm.gather((t0, mine), root=0)
    wall = time.perf_counter() - t0
    if rank != 0:
        return None
    records = sorted((r for _, part in gathered for r in part), key=lambda r: r["task"])
    # Each rank timed its jobs on perf_counter, the machine's monotonic clock on Linux
    # (the same for every rank of one machine): from the first rank out of the barrier.
    return wall, records, min(start for start, _ in gathered)


def pingpong(comm, size, trips):
    """Rank 0's record of `trips` round trips of `size` bytes (after two untimed ones);
    its result is the size."""
    rank, buffer = comm.Get_rank(), bytearray(size)
    for n in (2, trips):
        comm.Barrier()
        record = harness.timed(round_trips, 0, (comm, rank, buffer, n))
    return record


def round_trips(arguments):
    comm, rank, buffer, n = arguments
    for _ in range(n):
        exchange(comm, rank, buffer)
    return len(buffer)


def exchange(comm, rank, buffer):
    if rank == 0:
        comm.Send(buffer, dest=1)
        comm.Recv(buffer, source=1)
    elif rank == 1:
        comm.Recv(buffer, source=0)
        comm.Send(buffer, dest=0)


def run_pingpong(comm, args):
    sizes = [tuple(int(v) for v in pair.split(":")) for pair in args.sizes.split(",")]
    for rep in range(args.reps):
        for size, trips in sizes:
            record = pingpong(comm, size, trips)
            if comm.Get_rank() == 0:
                harness.report("mpi", comm.Get_size(), rep, record["end"] - record["start"], [record],
                               record["start"])
                sys.stdout.flush()


def main(description=__doc__):
    def own_flags(parser):
        parser.add_argument("--part", choices=("map", "pingpong"), default="map")
        parser.add_argument("--jobs", type=int, default=os.cpu_count())
        parser.add_argument("--seconds", type=float, default=1.0, help="how long one job takes alone")
        parser.add_argument("--sizes", default="8:1000", help="SIZE:TRIPS,...: the ping-pong's messages")

    args = harness.arguments(description.splitlines()[0], own_flags)
    comm = MPI.COMM_WORLD
    if args.part == "pingpong":
        if comm.Get_rank() == 0:
            harness.describe(part="pingpong", ranks=comm.Get_size(),
                             mpi=MPI.Get_library_version().split(",")[0].strip())
        run_pingpong(comm, args)
        return
    # Every rank sizes the jobs the same way: rank 0's count, sent to all.
    n = comm.bcast(harness.iterations_for(args.seconds, cpu_heavy) if comm.Get_rank() == 0 else None, root=0)
    if comm.Get_rank() == 0:
        harness.describe(iterations_per_job=n, ranks=comm.Get_size(), mpi=MPI.Get_library_version().split(",")[0].strip())
    for rep in range(args.reps):
        result = one_run(comm, n, args.jobs)
        if result is not None:
            harness.report("mpi", comm.Get_size(), rep, *result)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
