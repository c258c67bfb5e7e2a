/* cpython.c — find python3 and original.py, run it (common/capture), and turn what
 * it printed (common/cpython_output) into chapter runs; compare them with C's. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "capture.h"
#include "child.h"
#include "cpython.h"
#include "fail.h"

/* ---- finding things ---------------------------------------------------------- */

/* The chapter's folder's original.py (CHAPTER_DIR), next to the build folder the
 * program runs from (build/chapterN, or build/tsan/chapterN). */
static void find_script(const char *chapter_dir, char script[PATH_MAX])
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    script[0] = '\0';
    if (n < 0) return;
    self[n] = '\0';
    const char *dir = dirname(self), *ups[] = { "..", "../.." };
    for (int i = 0; i < 2 && !script[0]; i++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%s/%s/original.py", dir, ups[i], chapter_dir);
        if (access(path, R_OK) != 0 || !realpath(path, script)) script[0] = '\0';
    }
}

void cpython_open(cpython *py, chapter *c)
{
    memset(py, 0, sizeof *py);
    py->chapter = c;
    py->reps = c->cli.reps;
    const char *python = c->cli.python;
    py->disabled = python && strcmp(python, "none") == 0;
    if (py->disabled) return;
    cpython_interpreter *first = &py->interpreters[0];
    if (python) {
        if (!child_find_command(python, first->path, sizeof first->path)) {
            chapter_fail(c, EXIT_BAD_INPUT, "--python: %s is not an executable file (a path, a command on PATH, or none)",
                         python);
        }
        snprintf(first->name, sizeof first->name, "%s", python);
        py->count = 1;
    } else if (child_find_command("python3", first->path, sizeof first->path)) {
        snprintf(first->name, sizeof first->name, "python3");
        py->count = 1;
    }
    /* The free-threaded builds install as python3.13t, python3.14t, ... */
    for (int minor = 30; minor >= 13 && py->count < 2; minor--) {
        char name[32];
        snprintf(name, sizeof name, "python3.%dt", minor);
        if (child_find_command(name, py->interpreters[py->count].path, PATH_MAX))
            snprintf(py->interpreters[py->count++].name, sizeof py->interpreters[0].name, "%s", name);
    }
    find_script(c->identity.dir, py->script);
}

static bool imports(const char *python, const char *module)
{
    char code[96];
    snprintf(code, sizeof code, "import %s", module);
    char *argv[] = { (char *)python, "-I", "-c", code, NULL };
    capture_result r;
    if (capture_run(argv, NULL, 30, &r) != 0) return false;
    bool ok = !r.timed_out && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
    capture_free(&r);
    return ok;
}

bool cpython_require_module(cpython *py, const char *module, const char *fallback)
{
    if (py->disabled) return false;
    py->first_only = true;
    cpython_interpreter *first = &py->interpreters[0];
    if (py->count && imports(first->path, module)) return true;
    if (!py->chapter->cli.python && fallback && imports(fallback, module)) {
        snprintf(first->path, sizeof first->path, "%s", fallback);
        snprintf(first->name, sizeof first->name, "%s", fallback);
        py->count = 1;
        return true;
    }
    char *why = xasprintf("no python3 here imports %s (%s does not%s%s)", module, py->count ? first->path : "python3",
                          fallback && !py->chapter->cli.python ? ", nor " : "",
                          fallback && !py->chapter->cli.python ? fallback : "");
    warn_user(py->chapter->program, "CPython skipped: %s", why);
    report_text(py->chapter->report, "Real CPython was not run: %s.", why);
    free(why);
    py->disabled = true;
    return false;
}

/* ---- one interpreter ---------------------------------------------------------- */

static void skip(cpython *py, const cpython_interpreter *in, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void skip(cpython *py, const cpython_interpreter *in, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = xvasprintf(fmt, ap);
    va_end(ap);
    /* `why` may quote the interpreter's own words: one line, and plain text in the summary. */
    fail_one_line(why);
    char *shown = report_escape_markdown(why);
    warn_user(py->chapter->program, "%s: %s", in->path, why);
    report_text(py->chapter->report, "%s rows are missing: %s.", in->name, shown);
    free(shown);
    free(why);
}

/* chapters/0N-slug/original.py: the script's path from the workbook's top folder. */
static const char *relative_script(const cpython *py)
{
    const char *at = strstr(py->script, "/chapters/");
    return at ? at + 1 : py->script;
}

/* data.csv's preamble: which interpreter, and what the script said of itself
 * ("python_iterations_per_job=...", ...). */
static void describe_in_preamble(cpython *py, const cpython_interpreter *in, char *facts)
{
    const char *prefix = in->free_threaded ? "python_free_threaded" : "python";
    chapter_meta(py->chapter, prefix, "%s (%s)", in->label, in->path);
    if (!facts) return; /* a script that said nothing of itself */
    for (char *save = NULL, *fact = strtok_r(facts, "\n", &save); fact; fact = strtok_r(NULL, "\n", &save)) {
        char *value = strchr(fact, '=');
        if (!value) continue;
        *value++ = '\0';
        char *key = xasprintf("%s_%s", prefix, fact);
        chapter_meta(py->chapter, key, "%s", value);
        free(key);
    }
}

#define PYTHON_FLAGS_ISOLATED "-I"
#define PYTHON_FLAGS_NO_BYTECODE "-B"

static bool run_one(cpython *py, cpython_interpreter *in, const char *const *args, const char *input, double expected_s)
{
    progress("CPython: %s %s ...", in->path, py->script);
    /* Isolated (-I: no PYTHON* variables, no user site-packages, no script folder on
     * sys.path, so a student's sitecustomize or usercustomize cannot run inside the
     * measurement) and writing no __pycache__ into the source tree (-B). */
    char *argv[128];
    int argc = 0;
    for (int i = 0; py->launcher && py->launcher[i] && argc < 60; i++) argv[argc++] = py->launcher[i];
    char *const own[] = { in->path, PYTHON_FLAGS_ISOLATED, PYTHON_FLAGS_NO_BYTECODE, py->script };
    for (int i = 0; i < 4; i++) argv[argc++] = own[i];
    for (int i = 0; args[i] && argc < 127; i++) argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    capture_result r;
    int started = capture_run(argv, input, 30 + 10 * expected_s, &r), start_error = errno;
    char err[300];
    capture_last_line(&r.err, err, sizeof err);
    bool ok = false;
    cpython_output p = { 0 };
    if (started != 0) {
        struct rlimit files;
        char limit[64] = "";
        if (start_error == EMFILE && getrlimit(RLIMIT_NOFILE, &files) == 0)
            snprintf(limit, sizeof limit, " (ulimit -n is %llu)", (unsigned long long)files.rlim_cur);
        skip(py, in, "it could not be started: %s%s", strerror(start_error), limit);
    } else if (r.timed_out) {
        skip(py, in, "original.py did not finish within %.0f s and was stopped", 30 + 10 * expected_s);
    } else if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
        skip(py, in, "original.py failed (%s %d)%s%s", WIFEXITED(r.status) ? "exit status" : "signal",
             WIFEXITED(r.status) ? WEXITSTATUS(r.status) : WTERMSIG(r.status), *err ? ": " : "", err);
    } else if (r.out.overflowed) {
        skip(py, in, "original.py printed more than %d MiB: not what the chapter expects", CAPTURE_MAX_OUTPUT >> 20);
    } else {
        int bad = r.out.text ? cpython_output_parse(r.out.text, &p) : 1;
        if (bad) {
            skip(py, in, "line %d of original.py's output is not what the chapter expects", bad);
        } else if (in != &py->interpreters[0] && !p.free_threaded) {
            skip(py, in, "it is not a free-threaded build (its GIL is on), so it adds nothing to %s",
                 py->interpreters[0].name);
        } else {
            ok = true;
        }
    }
    if (ok) {
        in->free_threaded = p.free_threaded;
        snprintf(in->label, sizeof in->label, "%sCPython %s", p.free_threaded ? "free-threaded " : "", p.version);
        char command[400] = "";
        for (int i = 0; args[i]; i++)
            snprintf(command + strlen(command), sizeof command - strlen(command), " %s", args[i]);
        /* Which start method its process pools used: fork copies the script's state into
         * each worker, spawn and forkserver start them fresh (chapters/python/harness.py). */
        const char *method = p.facts ? strstr(p.facts, "start_method=") : NULL;
        char pools[80] = "";
        if (method && strstr(command, "processes"))
            snprintf(pools, sizeof pools, "; its process pools were started by \"%.*s\"",
                     (int)strcspn(method + 13, "\n"), method + 13);
        char launcher[300] = "";
        for (int i = 0; py->launcher && py->launcher[i]; i++)
            snprintf(launcher + strlen(launcher), sizeof launcher - strlen(launcher), "%s ",
                     i || !strrchr(py->launcher[0], '/') ? py->launcher[i] : strrchr(py->launcher[0], '/') + 1);
        report_text(py->chapter->report, "Real CPython: %s ran `%s%s %s %s %s%s`%s%s.", in->label, launcher, in->name,
                    PYTHON_FLAGS_ISOLATED, PYTHON_FLAGS_NO_BYTECODE, relative_script(py), command, input ? " with the URLs on its standard input" : "", pools);
        free(py->last_facts);
        py->last_facts = p.facts ? xstrdup(p.facts) : NULL;
        if (!in->ran) describe_in_preamble(py, in, p.facts); /* once, if a chapter runs the script twice */
        int64_t base = now_ns();
        for (int i = 0; i < p.count; i++) {
            cpython_pending_run *run = &p.runs[i];
            for (int t = 0; t < run->ntasks; t++) {
                run->records[t].start_ns += base;
                run->records[t].end_ns += base;
            }
            char series[96];
            snprintf(series, sizeof series, "%s", pool_mode_name(run->mode));
            if (py->name_series) py->name_series(run->mode, run->workers, run->ntasks, run->records, py->name_ctx,
                                                 series, sizeof series);
            chapter_add_run(py->chapter, series, run->workers, run->rep, run->ntasks, run->records, base,
                            base + (int64_t)(run->wall_s * 1e9));
            run->records = NULL; /* the chapter has them */
        }
        if (p.span_count) {
            py->spans = xrealloc(py->spans, py->span_count + p.span_count, sizeof *py->spans);
            memcpy(py->spans + py->span_count, p.spans, p.span_count * sizeof *p.spans);
            py->span_count += p.span_count;
        }
    }
    cpython_output_free(&p);
    capture_free(&r);
    return ok;
}

/* Did any run of this mode, whatever its series, happen? */
static bool mode_ran(const chapter *c, pool_mode mode)
{
    for (int i = 0; i < c->run_count; i++)
        if (c->runs[i]->mode == mode) return true;
    return false;
}

/* The figure draws CPython's modes when python_modes lists them. */
static void tell_the_figure(cpython *py)
{
    char modes[300] = "";
    for (pool_mode mode = MODE_CPYTHON_SERIAL; mode < MODE_COUNT; mode++)
        if (pool_mode_is_cpython(mode) && mode_ran(py->chapter, mode))
            snprintf(modes + strlen(modes), sizeof modes - strlen(modes), "%s%s", *modes ? " " : "",
                     pool_mode_name(mode));
    chapter_plot_string(py->chapter, "python_modes", "%s", modes);
    const cpython_interpreter *in = py->interpreters[0].ran ? &py->interpreters[0] : &py->interpreters[1];
    chapter_plot_string(py->chapter, "python_label", "%s", in->label);
    chapter_plot_string(py->chapter, "python_version", "%s", strrchr(in->label, ' ') + 1);
}

int cpython_run(cpython *py, const char *input, double expected_s, const char *args_format, ...)
{
    chapter *c = py->chapter;
    if (py->disabled) return 0;
    if (!py->count) {
        warn_user(c->program, "CPython skipped: python3 is not on PATH (--python PATH names one)");
        report_text(c->report, "Real CPython was not run: python3 is not on this machine.");
        return 0;
    }
    if (!py->script[0]) {
        warn_user(c->program, "CPython skipped: %s/original.py was not found next to the build folder",
                  c->identity.dir);
        return 0;
    }
    va_list ap;
    va_start(ap, args_format);
    char *chapter_args = xvasprintf(args_format, ap);
    va_end(ap);
    double interval_ms = py->switch_interval_ms > 0 ? py->switch_interval_ms : c->cli.switch_interval_ms;
    char *text = xasprintf("%s --reps %d --switch-interval %g", chapter_args, py->reps, interval_ms);
    const char *args[48];
    int n = 0;
    for (char *save = NULL, *a = strtok_r(text, " ", &save); a && n < 47; a = strtok_r(NULL, " ", &save)) args[n++] = a;
    args[n] = NULL;
    int ran = 0;
    for (int i = 0; i < (py->first_only ? 1 : py->count); i++) {
        bool ok = run_one(py, &py->interpreters[i], args, input, expected_s);
        py->interpreters[i].ran |= ok; /* a chapter may run the script twice (chapter 5) */
        ran += ok;
    }
    free(text);
    free(chapter_args);
    if (ran) tell_the_figure(py);
    return ran;
}

const cpython_interpreter *cpython_for(const cpython *py, pool_mode mode)
{
    bool free_threaded = pool_mode_serial_of(mode) == MODE_FREE_THREADED_SERIAL;
    if (pool_mode_serial_of(mode) == MODE_SERIAL) return NULL;
    for (int i = 0; i < py->count; i++)
        if (py->interpreters[i].ran && py->interpreters[i].free_threaded == free_threaded) return &py->interpreters[i];
    return NULL;
}

/* "agree within noise" when the intervals overlap; otherwise how far apart. */
static void agreement(estimate a, estimate b, char *out, size_t size)
{
    if (a.n < STATS_MIN_VALUES || b.n < STATS_MIN_VALUES)
        snprintf(out, size, "%.0f %% apart (too few rounds for intervals)", 100 * fabs(a.median - b.median) / b.median);
    else if (a.lo <= b.hi && b.lo <= a.hi)
        snprintf(out, size, "they agree within noise (the intervals overlap)");
    else if (!stats_decides(a) || !stats_decides(b))
        snprintf(out, size, "%.0f %% apart (the intervals do not overlap, but hold the median less than 95 %% of the "
                 "time: that decides nothing)", 100 * fabs(a.median - b.median) / b.median);
    else
        snprintf(out, size, "they differ by %.0f %% (the intervals do not overlap)",
                 100 * fabs(a.median - b.median) / b.median);
}

void cpython_agreement(const cpython *py, const char *what, const char *c_label, estimate c_side,
                       pool_mode python_mode, estimate python)
{
    const cpython_interpreter *in = cpython_for(py, python_mode);
    if (!in || c_side.n == 0 || python.n == 0) return;
    char a[64], b[64], agree[120];
    agreement(c_side, python, agree, sizeof agree);
    report_text(py->chapter->report, "The C program against real CPython (%s), %s, median and interval over rounds: "
                "%s %s, %s %s: %s.", in->name, what, c_label, estimate_text(c_side, "%.2f", a, sizeof a),
                pool_mode_label(python_mode), estimate_text(python, "%.2f", b, sizeof b), agree);
}

void cpython_compare(const cpython *py, const char *what, estimate gil_threads, estimate cpython, estimate c_threads,
                     estimate free_threaded)
{
    const cpython_interpreter *without = cpython_for(py, MODE_FREE_THREADED_THREADS);
    cpython_agreement(py, what, "GIL-threads", gil_threads, MODE_CPYTHON_THREADS, cpython);
    if (without && free_threaded.n > 0) {
        char a[64], b[64], c_part[100] = "";
        if (c_threads.n > 0)
            snprintf(c_part, sizeof c_part, ", and %s for C threads", estimate_text(c_threads, "%.2f", b, sizeof b));
        report_text(py->chapter->report, "Without a GIL (%s, %s): %s was %s for its threads%s.", without->label,
                    without->name, what, estimate_text(free_threaded, "%.2f", a, sizeof a), c_part);
    }
}

void cpython_check_cpu_time(const cpython *py)
{
    mode_summary serial = chapter_summary(py->chapter, MODE_CPYTHON_SERIAL);
    mode_summary threads = chapter_summary(py->chapter, MODE_CPYTHON_THREADS);
    if (!serial.ran || !threads.ran || serial.cpu_s <= 0) return;
    double change = threads.cpu_s / serial.cpu_s - 1;
    if (fabs(change) > 0.03)
        report_text(py->chapter->report, "CPython's threads used %.0f %% %s CPU time than its serial run for the same "
                    "work (median over rounds). CPU time does not count the time a thread waits for the GIL, so this "
                    "is a difference in how fast the same bytecode ran, not the GIL's hand-overs; it moves CPython's "
                    "time ratios by as much.", 100 * fabs(change), change < 0 ? "less" : "more");
}

bool cpython_fact(const cpython *py, const char *key, char *out, size_t size)
{
    size_t n = strlen(key);
    for (const char *line = py->last_facts; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, key, n) == 0 && line[n] == '=') {
            snprintf(out, size, "%.*s", (int)strcspn(line + n + 1, "\n"), line + n + 1);
            return true;
        }
    return false;
}

void cpython_close(cpython *py)
{
    free(py->last_facts);
    py->last_facts = NULL;
    free(py->spans);
    py->spans = NULL;
    py->span_count = 0;
}
