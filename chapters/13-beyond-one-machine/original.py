"""Chapter 13 in Python: "Processes scale past one machine; threads can't".

The same CPU-heavy jobs as chapter 1, split over MPI ranks with mpi4py: rank r
runs jobs r, r + N, r + 2N, ...; rank 0 gathers every job's record and prints
them. Run it under mpirun, one rank per process:

    mpirun -np 2 python3 original.py --modes mpi --jobs 4 --seconds 0.5   (prints CSV; see ../python/harness.py)

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


def main(description=__doc__):
    def own_flags(parser):
        parser.add_argument("--jobs", type=int, default=os.cpu_count())
        parser.add_argument("--seconds", type=float, default=1.0, help="how long one job takes alone")

    args = harness.arguments(description.splitlines()[0], own_flags)
    comm = MPI.COMM_WORLD
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
