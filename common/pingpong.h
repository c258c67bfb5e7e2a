/* pingpong.h — what a message costs between two workers on one machine (chapter 13).
 *
 * One side sends SIZE bytes, the other sends them back: a round trip, repeated. The
 * ways here are the ones a program on one machine has without MPI:
 *   PINGPONG_PIPE     two processes (fork), one pipe each way: the kernel copies the
 *                     bytes in and out (pipe(7))
 *   PINGPONG_SHM      two processes sharing an mmap'd buffer (MAP_SHARED): the sender
 *                     copies in, the receiver copies out; an atomic flag says whose turn
 *   PINGPONG_THREADS  two threads of one process, the same buffer and flag
 * A waiting side spins on the flag and yields the CPU (sched_yield) between looks, so
 * it also works when both sides share one CPU. chapter 13's MPI ranks
 * (rank/mpi_rank.c) time the same exchange with MPI_Send and MPI_Recv, with the same
 * trip counts (pingpong_trips). */
#ifndef TVP_PINGPONG_H
#define TVP_PINGPONG_H

#include <stddef.h>

typedef enum { PINGPONG_PIPE, PINGPONG_SHM, PINGPONG_THREADS, PINGPONG_WAYS } pingpong_way;

/* The largest message any way here carries. */
#define PINGPONG_LARGEST (64L << 20)

/* How many round trips to time for `size` bytes: `most` for small messages, fewer for
 * large ones (about 16 MiB each way in all), never fewer than 8. */
int pingpong_trips(long size, int most);

/* `trips` round trips of `size` bytes (after two untimed ones): the seconds they took
 * into *seconds, 0. On failure (no pipe, no process, a side that died), -1 with the
 * reason in `error`. */
int pingpong_run(pingpong_way way, long size, int trips, double *seconds, char *error, size_t error_size);

#endif
