/* chapter10.c — "Threads cannot speed up CPU work in Python": unless the work is C code
 * that releases the GIL.
 *
 * Each job checksums the same amount of data with zlib's crc32(), in buffers of one
 * size, from 64 B to 1 MiB. Per buffer, a little bookkeeping runs with the GIL held
 * (the Python loop around the call: `for buf in bufs: zlib.crc32(buf)`), then the
 * call itself. Like CPython's zlib.crc32 (Modules/zlibmodule.c, zlib_crc32_impl),
 * the call releases the GIL only for buffers over 5 KiB; below that it holds it. The
 * jobs run serially, on GIL-threads that release the GIL that way, on GIL-threads
 * whose C code never releases it, on C threads and on processes, in rounds.
 *
 * The GIL-held share f of the work is measured from the GIL's hold records. The GIL
 * is a lock, not a serial phase: one thread's held part can overlap another's call
 * with the GIL released, so n threads take at best max(f, 1 / n) of the serial time
 * (Amdahl's law with critical sections: Eyerman and Eeckhout, ISCA 2010); the figure
 * draws that bound beside the measurement. Real CPython runs zlib.crc32 and
 * hashlib.sha256 (3.11's Modules/_hashopenssl.c releases the GIL for buffers of at
 * least HASHLIB_GIL_MINSIZE, 2048 bytes) the same way, at sizes on both sides of
 * each threshold.
 *
 * usage:  build/chapter10 [--jobs N] [--python PATH] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/10-releases-the-gil/reference/summary.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "clock.h"
#include "cpython.h"
#include "work.h"

/* Faster means a time ratio below 0.8 (1.25x faster), over the whole interval: real
 * parallel work, beyond the few percent by which two runs of the same work on
 * different threads can differ. */
#define FASTER_BELOW 0.8
#define MAX_ROUNDS 100
/* zlib.crc32 releases the GIL for buffers longer than this (Modules/zlibmodule.c). */
#define RELEASE_OVER (5 * 1024)
/* The Python-level loop around each call, as GIL-held "bytecode": gil_tick()s. */
#define BOOKKEEPING_TICKS 200

/* On both sides of each threshold: hashlib's 2048 (held at 2047, released from 2048)
 * and zlib's 5 KiB (held at 5120, released from 5121). */
static const size_t sizes[] = { 64, 512, 2047, 2048, 5120, 5121, 32768, 1048576 };
#define SIZES (int)(sizeof sizes / sizeof *sizes)

/* What each job runs: serial code, GIL-threads whose C code releases the GIL (over
 * RELEASE_OVER) or holds it, C threads, processes; one series per variant and size. */
typedef enum { RUN_SERIAL, RUN_RELEASING, RUN_HOLDING, RUN_C_THREADS, RUN_PROCESSES, VARIANTS } variant;
static const struct {
    const char *family, *label;
    pool_mode mode;
    unsigned colour; /* 0: the mode's */
} variants[VARIANTS] = {
    { "serial", "serial", MODE_SERIAL, 0 },
    { "releasing", "GIL-threads, C code releases the GIL", MODE_GIL_THREADS, 0 },
    { "holding", "GIL-threads, C code holds the GIL", MODE_GIL_THREADS, 0x7f0000 },
    { "threads", "C threads", MODE_THREADS, 0 },
    { "processes", "processes", MODE_PROCESSES, 0 },
};

/* Each run of the releasing GIL-threads carries the share of the serial run's time
 * some thread held the GIL, and the best ratio that share allows. */
enum { VALUE_HELD_SHARE, VALUE_BOUND };
static const char *const value_names[] = { "gil_held_share", "best_ratio" };

/* "releasing/4096B": variant v at size s. */
static const char *key_of(char *out, size_t size, const char *family, int s)
{
    return series_key(out, size, family, (double)sizes[s], "B");
}

static void declare_series(chapter *c)
{
    char key[64], ref[64];
    for (variant v = 0; v < VARIANTS; v++) /* a family's sizes together: modes.csv's rows, the figure's lines */
        for (int s = 0; s < SIZES; s++)
            chapter_series(c, key_of(key, sizeof key, variants[v].family, s), variants[v].family, (double)sizes[s],
                           variants[v].label, variants[v].mode, key_of(ref, sizeof ref, "serial", s), 0,
                           variants[v].colour);
    chapter_values(c, value_names, 2);
}

typedef struct {
    const unsigned char *data; /* 1 MiB of bytes, shared by every job (read only) */
    size_t size;               /* this run's buffer size */
    size_t calls;              /* buffers per job */
    bool release;              /* does the "C extension" release the GIL above RELEASE_OVER? */
} checksum_job;

/* The Python loop's own work per buffer, with the GIL held. */
static uint64_t bookkeeping(uint64_t x)
{
    for (int i = 0; i < BOOKKEEPING_TICKS; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        gil_tick();
    }
    return x;
}

static int64_t checksum_task(void *ctx, int task)
{
    const checksum_job *job = ctx;
    uLong crc = crc32(0L, Z_NULL, 0);
    uint64_t state = (uint64_t)task;
    for (size_t call = 0; call < job->calls; call++) {
        state = bookkeeping(state);
        const unsigned char *buffer = job->data + (call * 4099) % (1048576 - job->size + 1);
        if (job->release && job->size > RELEASE_OVER) {
            gil_release(); /* Py_BEGIN_ALLOW_THREADS */
            crc = crc32(crc, buffer, (uInt)job->size);
            gil_acquire(); /* Py_END_ALLOW_THREADS */
        } else {
            crc = crc32(crc, buffer, (uInt)job->size);
        }
    }
    return (int64_t)(crc ^ (state & 1));
}

/* ---- the rounds ---- */

/* The best n threads on min(n, cores) cores can do when a share f of the serial time
 * holds the GIL: the held parts never overlap each other (at least f), and the work
 * cannot split finer than the cores (at least 1 / n). The held parts may overlap the
 * released ones, so the bound is max(f, 1 / n), not Amdahl's f + (1 - f) / n
 * (S. Eyerman and L. Eeckhout, "Modeling critical sections in Amdahl's law and its
 * implications for multicore design", ISCA 2010). */
static double best_ratio(double f, int threads, int cores)
{
    int n = threads < cores ? threads : cores;
    double split = 1.0 / (n > 0 ? n : 1);
    return f > split ? f : split;
}

/* Seconds some thread held the GIL during a run. */
static double held_seconds(gil_t *gil)
{
    size_t n;
    const gil_hold *holds = gil_holds(gil, &n);
    double held = 0;
    for (size_t i = 0; i < n; i++) held += ns_to_s(holds[i].end_ns - holds[i].start_ns);
    return held;
}

static const chapter_run *run_one(chapter *c, variant v, checksum_job *job, int s, int rep, double *held_s)
{
    job->release = v != RUN_HOLDING;
    gil_t *gil = variants[v].mode == MODE_GIL_THREADS ? gil_create(c->cli.switch_interval_ms / 1000.0) : NULL;
    char key[64];
    const chapter_run *run = chapter_run_series(c, key_of(key, sizeof key, variants[v].family, s), c->cli.workers, rep,
                                                checksum_task, job, c->cli.jobs, gil);
    if (gil) *held_s = held_seconds(gil);
    gil_destroy(gil);
    return run;
}

static void run_round(chapter *c, checksum_job *jobs, int rep)
{
    for (int s = 0; s < SIZES; s++) {
        const chapter_run *serial = NULL, *releasing = NULL;
        double held = 0, unused;
        for (variant v = 0; v < VARIANTS; v++) {
            if (v == RUN_C_THREADS && !chapter_wants(c, MODE_THREADS)) continue;
            if ((v == RUN_RELEASING || v == RUN_HOLDING) && !chapter_wants(c, MODE_GIL_THREADS)) continue;
            const chapter_run *run = run_one(c, v, &jobs[s], s, rep, v == RUN_RELEASING ? &held : &unused);
            if (v == RUN_SERIAL) serial = run;
            if (v == RUN_RELEASING) releasing = run;
        }
        if (!serial || !releasing || serial->time_s <= 0) continue;
        double share = fmin(1, held / serial->time_s);
        chapter_set_value(c, releasing, VALUE_HELD_SHARE, share);
        chapter_set_value(c, releasing, VALUE_BOUND, best_ratio(share, c->cli.workers, c->machine.cores));
    }
}

/* Variant v at size s against serial at s, paired within each round. */
static estimate vs_serial(const chapter *c, int s, variant v)
{
    char key[64];
    return chapter_vs_reference(c, key_of(key, sizeof key, variants[v].family, s), 0);
}

static estimate releasing_value(const chapter *c, int s, int value)
{
    char key[64];
    return chapter_value(c, key_of(key, sizeof key, variants[RUN_RELEASING].family, s), 0, value);
}

/* ---- real CPython: zlib.crc32 and hashlib.sha256 ---- */

/* CPython's kernels: each its own family, on threads and serially (GIL'd or free-threaded). */
typedef struct {
    const char *kernel, *label;
    pool_mode colour_of; /* whose colour its line takes */
} python_kernel_def;
static const python_kernel_def kernels[] = {
    { "crc32", "CPython zlib.crc32", MODE_CPYTHON_THREADS },
    { "sha256", "CPython hashlib.sha256", MODE_CPYTHON_PROCESSES },
};

/* "cpython-crc32" (threads), "cpython-crc32-serial", and the free-threaded "cpython-ft-..." */
static void python_family(char *out, size_t size, const char *kernel, pool_mode mode)
{
    bool free_threaded = pool_mode_serial_of(mode) == MODE_FREE_THREADED_SERIAL;
    bool serial = pool_mode_serial_of(mode) == mode;
    snprintf(out, size, "cpython-%s%s%s", free_threaded ? "ft-" : "", kernel, serial ? "-serial" : "");
}

static void declare_python_series(chapter *c)
{
    const pool_mode modes[] = { MODE_CPYTHON_SERIAL, MODE_CPYTHON_THREADS, MODE_FREE_THREADED_SERIAL,
                                MODE_FREE_THREADED_THREADS };
    for (size_t k = 0; k < sizeof kernels / sizeof *kernels; k++)
        for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
            for (int s = 0; s < SIZES; s++) {
                char family[64], reference_family[64], key[96], ref[96], label[96];
                python_family(family, sizeof family, kernels[k].kernel, modes[m]);
                python_family(reference_family, sizeof reference_family, kernels[k].kernel,
                              pool_mode_serial_of(modes[m]));
                snprintf(label, sizeof label, "%s%s%s", pool_mode_serial_of(modes[m]) == MODE_FREE_THREADED_SERIAL
                         ? "free-threaded " : "", kernels[k].label, pool_mode_serial_of(modes[m]) == modes[m]
                         ? ", serial" : "");
                bool threads = pool_mode_serial_of(modes[m]) != modes[m];
                chapter_series(c, key_of(key, sizeof key, family, s), family, (double)sizes[s], label, modes[m],
                               key_of(ref, sizeof ref, reference_family, s), 0,
                               threads && modes[m] == MODE_CPYTHON_THREADS ? pool_mode_colour(kernels[k].colour_of) : 0);
            }
}

/* Each CPython run's series: its kernel (the context), its mode, and its buffer size,
 * which its jobs return. */
static void name_python_run(pool_mode mode, int workers, int ntasks, const task_record *records, void *ctx, char *key,
                            size_t size)
{
    (void)workers;
    char family[64];
    python_family(family, sizeof family, ctx, mode);
    snprintf(key, size, "%s/%lldB", family, ntasks > 0 ? (long long)records[0].result : -1LL);
}

/* One interpreter run per kernel, every size in each rep (interleaved). */
static void python_kernel(chapter *c, cpython *py, const char *kernel, double job_s)
{
    char list[128] = "";
    for (int s = 0; s < SIZES; s++) snprintf(list + strlen(list), sizeof list - strlen(list), "%s%zu", s ? "," : "", sizes[s]);
    py->name_series = name_python_run;
    py->name_ctx = (void *)kernel;
    cpython_run(py, NULL, 4 * job_s * c->cli.jobs * py->reps * SIZES, "--modes serial,threads --jobs %d --workers %d "
                "--kernel %s --sizes %s --seconds %.4f", c->cli.jobs, c->cli.workers, kernel, list, job_s);
}

/* A kernel's threads / serial at size s in the GIL'd CPython. */
static estimate python_ratio(const chapter *c, const char *kernel, int s)
{
    char family[64], key[96];
    python_family(family, sizeof family, kernel, MODE_CPYTHON_THREADS);
    return chapter_vs_reference(c, key_of(key, sizeof key, family, s), 0);
}

/* ---- the report ---- */

static void table(chapter *c)
{
    const char *columns[] = { "buffer bytes", "GIL-threads, releasing", "best possible", "GIL held", "GIL-threads, holding",
                              "C threads", "processes" };
    report_table(c->report, "Threads' time / serial time for the same checksums (median and 95% interval over rounds, "
                 "paired within each round; best possible: max(GIL held, 1 / threads), the bound the measured GIL-held "
                 "share allows):", 7, columns);
    for (int s = 0; s < SIZES; s++) {
        char a[64], b[64], d[64], e[64], f[64];
        estimate share = releasing_value(c, s, VALUE_HELD_SHARE);
        report_cell(c->report, "%zu%s", sizes[s], sizes[s] > RELEASE_OVER ? " (released)" : "");
        report_cell(c->report, "%s", estimate_text(vs_serial(c, s, RUN_RELEASING), "%.2fx", a, sizeof a));
        report_cell(c->report, "%s", estimate_text(releasing_value(c, s, VALUE_BOUND), "%.2fx", b, sizeof b));
        report_cell(c->report, "%.0f%%", 100 * share.median);
        report_cell(c->report, "%s", estimate_text(vs_serial(c, s, RUN_HOLDING), "%.2fx", d, sizeof d));
        report_cell(c->report, "%s", estimate_text(vs_serial(c, s, RUN_C_THREADS), "%.2fx", e, sizeof e));
        report_cell(c->report, "%s", estimate_text(vs_serial(c, s, RUN_PROCESSES), "%.2fx", f, sizeof f));
        report_end_row(c->report);
    }
    report_text(c->report, "GIL held: the time some thread held the GIL during the releasing GIL-threads' run, as a "
                "share of the serial run's time (at most 100 %%: threads that hold the GIL throughout can run slower "
                "than serial code); the held parts of the %d threads cannot overlap each other.", c->cli.workers);
}

/* The sizes at which threads were faster over the whole interval ("4096, 32768"), the
 * three-way call on the claim "threads cannot speed it up" from them, and the first. */
static three_way sizes_faster_among(const estimate *ratios, int first, int last, char *list, size_t size)
{
    bool faster = false, undecided = false;
    list[0] = '\0';
    for (int s = first; s <= last; s++) {
        three_way below = stats_below(ratios[s], FASTER_BELOW);
        if (below == CALL_TRUE) {
            snprintf(list + strlen(list), size - strlen(list), "%s%zu", faster ? ", " : "", sizes[s]);
            faster = true;
        }
        undecided |= below == CALL_UNDECIDED;
    }
    if (faster) snprintf(list + strlen(list), size - strlen(list), " bytes");
    else snprintf(list, size, "no size");
    /* One size at which threads were surely faster refutes "cannot"; only sizes that
     * were all surely not faster support it. */
    return faster ? CALL_FALSE : undecided ? CALL_UNDECIDED : CALL_TRUE;
}

static three_way sizes_faster(const estimate *ratios, char *list, size_t size)
{
    return sizes_faster_among(ratios, 0, SIZES - 1, list, size);
}

/* The last size at which the emulated C code holds the GIL. */
static int last_held_size(void)
{
    int last = -1;
    for (int s = 0; s < SIZES; s++)
        if (sizes[s] <= RELEASE_OVER) last = s;
    return last;
}

static void verdict(chapter *c)
{
    estimate emulated[SIZES], by_crc[SIZES], by_sha[SIZES];
    bool have_python = false;
    for (int s = 0; s < SIZES; s++) {
        emulated[s] = vs_serial(c, s, RUN_RELEASING);
        by_crc[s] = python_ratio(c, "crc32", s);
        by_sha[s] = python_ratio(c, "sha256", s);
        have_python |= by_crc[s].n > 0 || by_sha[s].n > 0;
    }
    char e_list[160], crc_list[160], sha_list[160], held_list[160], p_part[400] = "", a[64];
    three_way e_call = sizes_faster(emulated, e_list, sizeof e_list);
    three_way crc_call = sizes_faster(by_crc, crc_list, sizeof crc_list);
    three_way sha_call = sizes_faster(by_sha, sha_list, sizeof sha_list);
    /* The claim is about Python: CPython decides it when it ran (one kernel that
     * surely ran faster on threads refutes it), else the emulation. */
    three_way p_call = crc_call == CALL_FALSE || sha_call == CALL_FALSE       ? CALL_FALSE
                       : crc_call == CALL_TRUE && sha_call == CALL_TRUE       ? CALL_TRUE
                                                                              : CALL_UNDECIDED;
    if (have_python)
        snprintf(p_part, sizeof p_part, "; in CPython at %s with zlib.crc32 and at %s with hashlib.sha256", crc_list,
                 sha_list);
    /* Where the C code holds the GIL: were the GIL-threads faster anywhere? (Measured, not assumed.) */
    int held = last_held_size();
    three_way held_call = sizes_faster_among(emulated, 0, held, held_list, sizeof held_list);
    /* "Cannot speed up" on CPUs that did well under their count's worth: the machine
     * decided it, not the GIL; and nothing is decided from fewer rounds than make an
     * interval (--scale tiny). */
    three_way call = c->rounds < STATS_MIN_VALUES ? CALL_UNDECIDED
                                                 : chapter_parallel_call(c, have_python ? p_call : e_call, CALL_TRUE);
    report_verdict(c->report, "%s on this machine: threads were faster than serial (below 0.8x over the whole "
                   "interval) under the emulated GIL at %s%s. At %zu bytes the GIL-threads took %s the serial time; "
                   "at the sizes where the C code holds the GIL (%zu to %zu bytes) they were faster at %s%s.",
                   stats_call_word(call), e_list, p_part, sizes[SIZES - 1],
                   estimate_text(emulated[SIZES - 1], "%.2fx", a, sizeof a), sizes[0], sizes[held], held_list,
                   held_call == CALL_UNDECIDED ? " (some undecided)" : "");
    char python_short[120] = "";
    if (have_python)
        snprintf(python_short, sizeof python_short, "; CPython's, %.2fx (crc32) and %.2fx (sha256)",
                 by_crc[SIZES - 1].median, by_sha[SIZES - 1].median);
    report_headline(c->report, "%s: at %zu KiB, threads took %.2fx serial's time under the emulated GIL%s",
                    stats_call_word(call), sizes[SIZES - 1] / 1024, emulated[SIZES - 1].median, python_short);
}

static void python_table(chapter *c, const cpython *py)
{
    if (python_ratio(c, "crc32", 0).n == 0 && python_ratio(c, "sha256", 0).n == 0) return;
    const char *columns[] = { "CPython's C code", "buffer bytes", "threads / serial (95% CI)" };
    report_table(c->report, "Real CPython: threads' time / serial time (median and 95% interval over reps, the "
                 "sizes interleaved; zlib.crc32 releases the GIL over 5120 bytes, hashlib.sha256 from 2048):", 3,
                 columns);
    for (size_t k = 0; k < sizeof kernels / sizeof *kernels; k++)
        for (int s = 0; s < SIZES; s++) {
            estimate e = python_ratio(c, kernels[k].kernel, s);
            if (!e.n) continue;
            char a[64];
            report_cell(c->report, "%s", kernels[k].label);
            report_cell(c->report, "%zu", sizes[s]);
            report_cell(c->report, "%s", estimate_text(e, "%.2fx", a, sizeof a));
            report_end_row(c->report);
        }
    cpython_agreement(py, "threads' time / serial time at 1 MiB (zlib.crc32, the GIL released)", "GIL-threads",
                      vs_serial(c, SIZES - 1, RUN_RELEASING), MODE_CPYTHON_THREADS, python_ratio(c, "crc32", SIZES - 1));
}

int main(int argc, char **argv)
{
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY,
                  (chapter_flags){ .honours = CLI_JOBS | CLI_RUNTIME | CLI_SWITCH_INTERVAL | CLI_PYTHON },
                  argc, argv);
    cpython py;
    cpython_open(&py, &c);
    c.round_budget_s = 8; /* CPython's 12 runs come after the rounds: the chapter stays within 20 s */
    declare_series(&c);
    declare_python_series(&c);

    /* 1 MiB of data, and for each size as many calls as make a job of the scale's length. */
    unsigned char *data = xcalloc(1048576, 1);
    for (size_t i = 0; i < 1048576; i++) data[i] = (unsigned char)(i * 2654435761u >> 24);
    double job_s = cli_work_seconds(c.cli.scale) / 10 / c.cli.jobs;
    checksum_job jobs[SIZES];
    for (int s = 0; s < SIZES; s++) {
        jobs[s] = (checksum_job){ data, sizes[s], 1, true };
        int64_t t0 = thread_cpu_ns();
        checksum_task(&jobs[s], 0); /* one call: how long does it take here? */
        for (jobs[s].calls = 16; ns_to_s(thread_cpu_ns() - t0) < 0.01; jobs[s].calls *= 2) {
            t0 = thread_cpu_ns();
            checksum_task(&jobs[s], 0);
        }
        double per_call = ns_to_s(thread_cpu_ns() - t0) / (double)jobs[s].calls;
        jobs[s].calls = (size_t)fmax(1, job_s / per_call);
        chapter_meta(&c, "calls_per_job", "%zu bytes: %zu", sizes[s], jobs[s].calls);
    }

    /* What the CPUs deliver together on this chapter's own work: a job of crc32 calls
     * on 1 MiB buffers (a job of the scale's length, no GIL in the probe's processes). */
    chapter_capacity_workload(&c, "zlib.crc32 on 1 MiB", checksum_task, &jobs[SIZES - 1]);
    char decisive[64];
    chapter_decide_by(&c, key_of(decisive, sizeof decisive, chapter_wants(&c, MODE_GIL_THREADS) ? "releasing"
                                 : "threads", SIZES - 1), 0, NULL, 0);
    for (int rep = -1; chapter_next_round(&c, &rep);) run_round(&c, jobs, rep);

    /* CPython's jobs twice the C ones (its calls cost more around them), 6 reps: the
     * fewest whose interval reaches 95 % (stats.h: [min, max], 96.9 %). At the tiny
     * scale (tests: nothing is decided) 2 show the rows. */
    py.reps = c.cli.scale == SCALE_TINY ? 2 : 6;
    python_kernel(&c, &py, "crc32", 2 * job_s);
    python_kernel(&c, &py, "sha256", 2 * job_s);

    table(&c);
    python_table(&c, &py);
    verdict(&c);
    free(data);
    cpython_close(&py);
    return chapter_finish(&c);
}
