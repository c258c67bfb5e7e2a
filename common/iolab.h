/* iolab.h — what chapters 4, 5 and 8 share: the requests, the server (or real URLs),
 * one fetch task, and per run the fetch records and the server's peak in flight.
 *
 *   iolab_open()   start the latency server (before any thread) or read --urls
 *   iolab_run()    fetch every URL once in a pool mode; keeps records and the peak
 *   iolab_close()  stop the server
 *
 * Adds data.csv columns: url, http_status, bytes, pss_kib, error, peak_in_flight
 * (empty for a chapter's runs that were not fetches). */
#ifndef TVP_IOLAB_H
#define TVP_IOLAB_H

#include "chapter.h"
#include "cpython.h"
#include "http.h"

typedef struct {
    int requests;          /* --requests (a chapter's default by scale; iolab_requests_by_scale) */
    const char *profile;   /* --profile (likewise; iolab_profiles_by_scale) */
    const char *urls_file; /* --urls (NULL: the local server) */
} iolab_flags;

/* The three flags as cli_extras, for chapter_begin(). */
#define IOLAB_EXTRAS(flags, requests_by_scale, profiles_by_scale)                                        \
    { "--requests", "N", "requests to make (refused with --urls)", CLI_INT, 1, 1024, &(flags).requests,     \
      requests_by_scale, NULL },                                                                           \
    { "--profile", "P", "server latency: uniform:SECONDS | article | lognormal:MEDIAN,SIGMA (refused "       \
                        "with --urls)", CLI_TEXT, 0, 0, &(flags).profile, NULL, profiles_by_scale },         \
    { "--urls", "FILE", "fetch these URLs (one per line) instead of the local server", CLI_TEXT, 0, 0,       \
      &(flags).urls_file, NULL, NULL }
#define IOLAB_EXTRA_COUNT 3
#define IOLAB_DEFAULTS { 0, NULL, NULL }
/* The I/O chapters' defaults: 16 requests; short waits at class scale (the rounds
 * that make an interval must fit in 20 s), the post's mean at paper scale. */
extern const double iolab_requests_by_scale[3];
extern const char *const iolab_profiles_by_scale[3];

typedef struct {
    const chapter_run *run;
    fetch_record *fetches; /* one per request, in shared memory */
    int peak;              /* server's peak in flight during the run; -1 with --urls */
    long parent_pss_kib;   /* the chapter's own PSS when the run ended */
} iolab_run_record;

typedef struct {
    chapter *chapter;
    lab_server server;
    latency_profile profile;
    const char *profile_text;
    int local;            /* 1: the local server; 0: --urls */
    char **urls;
    int count;
    double connect_timeout_s, timeout_s;
    uint64_t parse_iterations; /* CPU work after each fetch ("parse the body"); 0: none */
    iolab_run_record *runs;
    int run_count;
    fetch_record *current; /* the run in progress writes here */
} iolab;

/* Exits 2 on a bad --profile or --urls file, 1 if the server cannot start. */
void iolab_open(iolab *lab, chapter *c, const iolab_flags *flags);
void iolab_close(iolab *lab);

/* The worker counts to sweep: the post's 4, 8 and 16, or only --workers if given.
 * Fills `counts` (room for 3) and returns how many. */
int iolab_worker_sweep(const chapter *c, int counts[3]);

/* Restart the local server with another profile (while no thread is running). */
void iolab_restart(iolab *lab, const char *profile);
/* Time one map outside the chapter's records: wall seconds, and the seconds until
 * the first request started (how long the pool took to get going). */
double iolab_time_once(iolab *lab, pool_mode mode, int workers, double *startup_s);

/* Fetch every URL once in `mode` with `workers`. */
const iolab_run_record *iolab_run(iolab *lab, pool_mode mode, int workers, int rep, gil_t *gil);
/* Fetch every URL at once from one thread with libcurl's multi interface. Its
 * records' cpu_s is the loop's CPU time shared equally among the requests. */
const iolab_run_record *iolab_run_event_loop(iolab *lab, int rep);
/* Fresh shared memory for one run's fetch records. */
fetch_record *iolab_new_fetches(const iolab *lab);

/* Fetch the same URLs with real CPython: the chapter's original.py in `modes`
 * ("serial,threads"), over the worker counts of the sweep. The URLs go to its
 * standard input; `extra` (NULL: none) is appended to its arguments, split at
 * spaces. Returns how many interpreters' rows were added. */
int iolab_run_cpython(iolab *lab, cpython *py, const char *modes, const int *sweep, int sweep_count,
                      const char *extra);

/* The lab's record of a chapter run; NULL for runs the lab did not make. */
const iolab_run_record *iolab_find(const iolab *lab, const chapter_run *run);
int iolab_failures(const iolab_run_record *r, int count);
/* Total PSS of the run's processes (each worker process's largest, plus the parent's). */
long iolab_memory_kib(const iolab_run_record *r, int count);
/* How many different threads, and processes, did the fetching. */
int iolab_threads_used(const iolab_run_record *r, int count);
int iolab_processes_used(const iolab_run_record *r, int count);

/* The best time `workers` workers could take if requests cost nothing but their
 * latency, taken in order by whichever worker is free (as Executor.map). NAN with --urls. */
double iolab_ideal_s(const iolab *lab, int workers);
/* The server's peak in flight since the last reset (resets it); -1 with --urls. */
int iolab_take_peak(iolab *lab);

/* The measured table every I/O chapter prints: one row per mode and worker count
 * (medians over reps) with the ideal time, speedup, peak in flight, failures, memory. */
void iolab_table(const iolab *lab, const char *caption);
/* Median wall time of a mode at a worker count (0: any); NAN if it did not run. */
double iolab_wall_s(const iolab *lab, pool_mode mode, int workers);
/* ideal.csv (workers, ideal_s at 1 worker and at each count of the sweep: the counts
 * that were measured, so that the figure joins the ideal's points as it joins the
 * measured ones) and plot variables for the figure. */
void iolab_write_figure_data(iolab *lab, const int *sweep, int sweep_count, pool_mode gantt_mode, int gantt_workers);

/* Workers are useful for I/O when they finish in under 1/1.5 of the serial time. */
#define IOLAB_USEFUL_BELOW (1 / 1.5)

/* Append "FALSE for C threads: 16 of them fetched the pages 14.6x (14.4x-14.9x) faster
 * than serial code" to `out`: the call on a negative claim ("useless", "bad for
 * I/O"), three-way, from the time ratio to serial paired per round. */
void iolab_verdict_part(const iolab *lab, pool_mode mode, int workers, char *out, size_t size);
/* The same in short, for the headline: "FALSE for C threads (14.6x serial's speed)"
 * ("(14.6x)" after a first part). */
void iolab_headline_part(const iolab *lab, pool_mode mode, int workers, char *out, size_t size);

/* One round of the I/O chapters: serial, then every worker count of the sweep on
 * GIL-threads and C threads (as --runtime asks), and on processes if asked. */
void iolab_sweep_round(iolab *lab, int rep, const int *sweep, int sweep_count, gil_t *gil, bool with_processes);

/* Requests that failed in the runs of `mode` (with `workers`, 0: any). */
int iolab_failed_requests(const iolab *lab, pool_mode mode, int workers);

#endif
