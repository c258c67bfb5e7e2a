/* mpirun.h — starting MPI ranks with Open MPI's mpirun (chapter 13), the way
 * capture.h starts python3: a child in its own process group, a deadline, what it
 * printed kept, and every failure turned into one line.
 *
 *   mpirun_find()      mpirun on PATH and the ranks' program next to this one; or why not
 *   mpirun_hostfile()  check a --hostfile (outside data) and keep a private copy
 *   mpirun_run()       N ranks of the ranks' program, over shared memory or TCP
 *
 * mpirun refuses to run as root unless told (its --allow-run-as-root switch), and a
 * rank may start only where a slot is free unless oversubscription is allowed
 * (--oversubscribe): both are said on the command line the chapter prints. Ranks are
 * not bound to cores (--bind-to none), like the fork pool's workers they are set
 * against. */
#ifndef TVP_MPIRUN_H
#define TVP_MPIRUN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

/* How the ranks reach each other. MPI_SHARED_MEMORY on one machine asks for Open
 * MPI's shared-memory transport by name (--mca btl vader,self: the "vader" BTL of
 * Open MPI 4, "sm" from 5; "self" for a rank's messages to itself), so that a run
 * never measures another transport under its label; with a hostfile Open MPI picks
 * (shared memory within a host, a network between hosts). MPI_TCP asks for TCP
 * (--mca btl tcp,self), over loopback on one machine. */
typedef enum { MPI_SHARED_MEMORY, MPI_TCP } mpi_transport;

/* The largest hostfile read, its most lines, and the most slots one line may give. */
#define MPIRUN_HOSTFILE_LIMIT (64 * 1024)
#define MPIRUN_HOSTFILE_LINES 256
#define MPIRUN_MOST_SLOTS 1024

typedef struct {
    char mpirun[PATH_MAX];       /* "" until found */
    char rank_program[PATH_MAX]; /* build/mpi-rank */
    char version[64];            /* "Open MPI 4.1.4" */
    bool as_root;                /* --allow-run-as-root is given */
    int hostfile_fd;             /* the checked copy (a memfd), or -1 */
    int hosts, slots;            /* the hostfile's hosts and slots (0: no hostfile) */
    bool single_copy_off;        /* --mca btl_vader_single_copy_mechanism none: after
                                  * the shared-memory transport failed (containers) */
} mpi_launcher;

/* What one mpirun did. */
typedef struct {
    capture_result capture;   /* what rank 0 printed (through mpirun), and mpirun's errors */
    double first_line_s;      /* from the fork of mpirun to rank 0's first line ("ready") */
    double total_s;           /* from the fork to mpirun's end */
    bool shared_memory_failed; /* the failure names the shared-memory transport */
    char error[300];          /* why it failed, one line; "" when it did not */
} mpi_outcome;

/* MPI_LAUNCHER_INIT first; then mpirun_hostfile() (if one is given) and mpirun_find(),
 * in either order. */
#define MPI_LAUNCHER_INIT { .hostfile_fd = -1 }

/* Find mpirun on PATH (and its version) and `rank_program` (a path). 0; or -1 with a
 * one-line reason and how to install Open MPI in `why` (under 70 characters). */
int mpirun_find(mpi_launcher *m, const char *rank_program, char *why, size_t why_size);

/* Check the hostfile at `path` (a regular file, at most MPIRUN_HOSTFILE_LIMIT bytes,
 * each line "HOST [slots=N] [max_slots=N]" or a # comment; HOST a name or an address
 * of letters, digits, '.', '-', ':') and keep a copy only this process and its mpirun
 * can read, so the file cannot change between the check and mpirun's reading. 0; or
 * -1 with a one-line reason ("line 3: ...") in `why`. */
int mpirun_hostfile(mpi_launcher *m, const char *path, char *why, size_t why_size);

/* mpirun's command line for `ranks` ranks over `transport`, up to the program the
 * ranks run (which the caller appends: the ranks' program, or python3 and its script). */
typedef struct {
    char *argv[24]; /* NULL-terminated */
    int count;
    char np[16], hostfile[40];
} mpirun_line;
void mpirun_command(const mpi_launcher *m, int ranks, mpi_transport transport, mpirun_line *line);

/* Run it for at most `timeout_s` seconds. 0 when every rank ended well; -1 with
 * out->error otherwise (mpirun missing or not startable, the deadline, a rank that
 * died or failed, the shared-memory transport). mpirun_done() frees what it kept. */
int mpirun_run(const mpi_launcher *m, int ranks, mpi_transport transport, const char *const *rank_args,
               double timeout_s, mpi_outcome *out);
void mpirun_done(mpi_outcome *out);

void mpirun_close(mpi_launcher *m);

#endif
