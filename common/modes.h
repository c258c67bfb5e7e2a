/* modes.h — the one catalogue of the ways a chapter runs its work.
 *
 * Each row: the enum value, the name in the CSVs' mode column, the label people
 * read, the colour every figure draws it in, the serial mode it is compared with
 * (the same language's), and whether pool_map() runs it. Everything else — the
 * enum, the name and label look-ups, the figures' mode_color()/mode_label() (written
 * into each run's plot-vars.gp) — is generated from this table. To add a mode, add
 * a row. */
#ifndef TVP_MODES_H
#define TVP_MODES_H

#include <stdbool.h>
#include <stdio.h>

/*      enum value                    csv name                label                              colour    compared with               pooled */
#define MODE_CATALOGUE(X)                                                                                                                          \
    X(MODE_SERIAL,                   "serial",               "serial",                          0x7f7f7f, MODE_SERIAL,                true)   \
    X(MODE_GIL_THREADS,              "gil-threads",          "GIL-threads",                     0xd62728, MODE_SERIAL,                true)   \
    X(MODE_THREADS,                  "threads",              "C threads",                       0x1f77b4, MODE_SERIAL,                true)   \
    X(MODE_PROCESSES,                "processes",            "processes",                       0x2ca02c, MODE_SERIAL,                true)   \
    /* one thread multiplexing I/O (chapter 8): not a pool */                                                                                  \
    X(MODE_EVENT_LOOP,               "event-loop",           "event loop",                      0x9467bd, MODE_SERIAL,                false)  \
    /* real CPython running a chapter's original.py (common/cpython), with the GIL... */                                                       \
    X(MODE_CPYTHON_SERIAL,           "cpython-serial",       "CPython serial",                  0x8c564b, MODE_CPYTHON_SERIAL,        false)  \
    X(MODE_CPYTHON_THREADS,          "cpython-threads",      "CPython threads",                 0xff7f0e, MODE_CPYTHON_SERIAL,        false)  \
    X(MODE_CPYTHON_PROCESSES,        "cpython-processes",    "CPython processes",               0xbcbd22, MODE_CPYTHON_SERIAL,        false)  \
    /* ...and a free-threaded build (3.13t and later) without it */                                                                            \
    X(MODE_FREE_THREADED_SERIAL,     "cpython-ft-serial",    "free-threaded CPython serial",    0x5f5f5f, MODE_FREE_THREADED_SERIAL,  false)  \
    X(MODE_FREE_THREADED_THREADS,    "cpython-ft-threads",   "free-threaded CPython threads",   0x17becf, MODE_FREE_THREADED_SERIAL,  false)  \
    X(MODE_FREE_THREADED_PROCESSES,  "cpython-ft-processes", "free-threaded CPython processes", 0x98df8a, MODE_FREE_THREADED_SERIAL,  false)  \
    /* CPython's own event loop (chapter 8's original.py): asyncio, one thread */                                                               \
    X(MODE_CPYTHON_ASYNCIO,          "cpython-asyncio",      "CPython asyncio",                 0xe377c2, MODE_CPYTHON_SERIAL,        false)  \
    /* MPI ranks started by mpirun (chapter 13, common/mpirun), in C and in CPython (mpi4py) */                                                 \
    X(MODE_MPI,                      "mpi",                  "MPI ranks",                       0x6a3d9a, MODE_SERIAL,                false)  \
    X(MODE_CPYTHON_MPI,              "cpython-mpi",          "CPython MPI ranks (mpi4py)",      0xcab2d6, MODE_CPYTHON_SERIAL,        false)

#define MODE_ENUM_VALUE(id, name, label, colour, serial, pooled) id,
typedef enum { MODE_CATALOGUE(MODE_ENUM_VALUE) MODE_COUNT } pool_mode;
#undef MODE_ENUM_VALUE

/* "serial", "gil-threads", "cpython-ft-threads", ...: the CSV's mode column. "?" if unknown. */
const char *pool_mode_name(pool_mode mode);
/* "serial", "GIL-threads", "C threads", "free-threaded CPython threads", ...: for people. */
const char *pool_mode_label(pool_mode mode);
/* The serial mode a mode is compared with: CPython modes with CPython's serial run,
 * the rest with C's. */
pool_mode pool_mode_serial_of(pool_mode mode);
/* Is it real CPython's (compared with a CPython serial run)? */
bool pool_mode_is_cpython(pool_mode mode);
/* Its colour in every figure, 0xRRGGBB. */
unsigned pool_mode_colour(pool_mode mode);
/* Does pool_map() run it? (serial, GIL-threads, C threads, processes) */
bool pool_mode_is_pooled(pool_mode mode);
/* The mode whose CSV name is `name`; MODE_COUNT if none. */
pool_mode pool_mode_from_name(const char *name);

/* gnuplot definitions of mode_color(m) and mode_label(m), m a CSV name. */
void modes_write_gnuplot(FILE *out);

#endif
