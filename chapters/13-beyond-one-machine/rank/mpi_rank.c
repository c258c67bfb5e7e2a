/* mpi_rank.c — what each MPI rank of chapter 13 runs (build/mpi-rank, started by
 * mpirun, never by hand; common/mpirun.h builds its command line).
 *
 *   mpi-rank map ITERATIONS JOBS       chapter 1's cpu_heavy jobs, job j on rank j % ranks
 *   mpi-rank pingpong TRIPS SIZE...    ranks 0 and 1 send each SIZE bytes back and forth,
 *                                      pingpong_trips(SIZE, TRIPS) times (common/pingpong.h)
 *
 * Rank 0 prints one line per fact on its standard output, which mpirun forwards:
 *   ready RANKS                        every rank is through MPI_Init and a barrier
 *   map RANKS WALL_NS                  the barrier's end to the last job's record at rank 0
 *   job TASK RANK PID START_NS END_NS CPU_NS RESULT   times from that rank's barrier end
 *   pingpong SIZE TRIPS NS             TRIPS round trips of SIZE bytes took NS
 * Anything wrong is one line on standard error and exit 2. A rank whose mpirun dies
 * dies too (PR_SET_PDEATHSIG), so a killed run leaves no rank behind. */
#include <inttypes.h>
#include <mpi.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "clock.h"
#include "pingpong.h"
#include "work.h"

#define MOST_SIZES 32

#ifdef __SANITIZE_ADDRESS__
/* Under AddressSanitizer, leak checking is off in the ranks (LeakSanitizer asks this
 * function, whatever ASAN_OPTIONS says): Open MPI 4.1 leaves memory of its unloaded
 * components allocated at MPI_Finalize, which is not this program's to free. Every
 * other check (overflows, use after free, UBSan) still runs. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
    return 1;
}
#endif

/* One job's record, as rank 0 gathers it: plain int64s, so MPI_INT64_T carries it. */
enum { F_TASK, F_RANK, F_PID, F_START, F_END, F_CPU, F_RESULT, FIELDS };

static long number_or_die(const char *text, long lowest, long highest, const char *what)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < lowest || v > highest) {
        fprintf(stderr, "mpi-rank: %s must be a whole number from %ld to %ld, not \"%s\"\n", what, lowest, highest,
                text);
        exit(2);
    }
    return v;
}

static void die_with_mpirun(void)
{
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1); /* it died before we asked */
}

static void run_map(int rank, int ranks, uint64_t iterations, int jobs)
{
    int mine = jobs / ranks + (rank < jobs % ranks);
    int64_t *records = calloc((size_t)(mine ? mine : 1) * FIELDS, sizeof *records);
    int64_t begun = now_ns();
    for (int j = rank, k = 0; j < jobs; j += ranks, k++) {
        int64_t *r = records + (size_t)k * FIELDS, cpu = thread_cpu_ns();
        r[F_TASK] = j;
        r[F_RANK] = rank;
        r[F_PID] = getpid();
        r[F_START] = now_ns() - begun;
        r[F_RESULT] = (int64_t)cpu_heavy(iterations);
        r[F_END] = now_ns() - begun;
        r[F_CPU] = thread_cpu_ns() - cpu;
    }
    int *counts = NULL, *offsets = NULL;
    int64_t *all = NULL;
    if (rank == 0) {
        counts = calloc((size_t)ranks, sizeof *counts);
        offsets = calloc((size_t)ranks, sizeof *offsets);
        all = calloc((size_t)jobs * FIELDS, sizeof *all);
        for (int r = 0, at = 0; r < ranks; r++) {
            counts[r] = (jobs / ranks + (r < jobs % ranks)) * FIELDS;
            offsets[r] = at;
            at += counts[r];
        }
    }
    MPI_Gatherv(records, mine * FIELDS, MPI_INT64_T, all, counts, offsets, MPI_INT64_T, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("map %d %" PRId64 "\n", ranks, now_ns() - begun);
        for (int i = 0; i < jobs; i++) {
            const int64_t *r = all + (size_t)i * FIELDS;
            printf("job %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n",
                   r[F_TASK], r[F_RANK], r[F_PID], r[F_START], r[F_END], r[F_CPU], r[F_RESULT]);
        }
    }
    free(records);
    free(counts);
    free(offsets);
    free(all);
}

/* One size: a few untimed trips (the transport sets up its buffers), then TRIPS timed. */
static void run_pingpong(int rank, int most_trips, long size, char *buffer)
{
    int trips = pingpong_trips(size, most_trips);
    for (int timed = 0; timed < 2; timed++) {
        int n = timed ? trips : 2;
        MPI_Barrier(MPI_COMM_WORLD);
        int64_t begun = now_ns();
        for (int t = 0; t < n; t++) {
            if (rank == 0) {
                MPI_Send(buffer, (int)size, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
                MPI_Recv(buffer, (int)size, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else if (rank == 1) {
                MPI_Recv(buffer, (int)size, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(buffer, (int)size, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
            }
        }
        if (timed && rank == 0) printf("pingpong %ld %d %" PRId64 "\n", size, trips, now_ns() - begun);
    }
}

int main(int argc, char **argv)
{
    die_with_mpirun();
    if (argc < 3 || (strcmp(argv[1], "map") != 0 && strcmp(argv[1], "pingpong") != 0) ||
        (strcmp(argv[1], "map") == 0 && argc != 4) || argc > 3 + MOST_SIZES) {
        fprintf(stderr, "usage: mpi-rank map ITERATIONS JOBS | mpi-rank pingpong TRIPS SIZE... (under mpirun)\n");
        return 2;
    }
    long sizes[MOST_SIZES] = { 0 }, largest = 1;
    uint64_t iterations = 0;
    int jobs = 0, trips = 0, size_count = 0;
    bool map = strcmp(argv[1], "map") == 0;
    if (map) {
        iterations = (uint64_t)number_or_die(argv[2], 1, 1L << 40, "ITERATIONS");
        jobs = (int)number_or_die(argv[3], 1, 100000, "JOBS");
    } else {
        trips = (int)number_or_die(argv[2], 1, 1000000, "TRIPS");
        for (int i = 3; i < argc; i++) {
            sizes[size_count] = number_or_die(argv[i], 1, PINGPONG_LARGEST, "SIZE");
            if (sizes[size_count] > largest) largest = sizes[size_count];
            size_count++;
        }
    }
    MPI_Init(&argc, &argv);
    int rank, ranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (!map && ranks != 2) {
        if (rank == 0) fprintf(stderr, "mpi-rank: pingpong needs exactly 2 ranks, not %d\n", ranks);
        MPI_Finalize();
        return 2;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
        printf("ready %d\n", ranks);
        fflush(stdout);
    }
    if (map) {
        run_map(rank, ranks, iterations, jobs);
    } else {
        char *buffer = calloc((size_t)largest, 1);
        for (int i = 0; i < size_count; i++) run_pingpong(rank, trips, sizes[i], buffer);
        free(buffer);
    }
    fflush(stdout);
    MPI_Finalize();
    return 0;
}
