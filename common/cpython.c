/* cpython.c — find python3 and original.py, run it as a child process group, and
 * turn its CSV into chapter runs. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "child.h"
#include "cpython.h"
#include "fail.h"

/* ---- finding things ---------------------------------------------------------- */

static bool is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* A command name is looked up on PATH, as the shell does; a name with a '/' is a path. */
static bool find_command(const char *name, char *path, size_t size)
{
    if (strchr(name, '/')) {
        snprintf(path, size, "%s", name);
        return is_executable_file(path);
    }
    const char *search = getenv("PATH");
    if (!search) return false;
    char *copy = xstrdup(search), *save = NULL;
    bool found = false;
    for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save))
        found = snprintf(path, size, "%s/%s", *dir ? dir : ".", name) < (int)size && is_executable_file(path);
    free(copy);
    return found;
}

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
        if (!find_command(python, first->path, sizeof first->path)) {
            chapter_fail(c, EXIT_BAD_INPUT, "--python: %s is not an executable file (a path, a command on PATH, or none)",
                         python);
        }
        snprintf(first->name, sizeof first->name, "%s", python);
        py->count = 1;
    } else if (find_command("python3", first->path, sizeof first->path)) {
        snprintf(first->name, sizeof first->name, "python3");
        py->count = 1;
    }
    /* The free-threaded builds install as python3.13t, python3.14t, ... */
    for (int minor = 30; minor >= 13 && py->count < 2; minor--) {
        char name[32];
        snprintf(name, sizeof name, "python3.%dt", minor);
        if (find_command(name, py->interpreters[py->count].path, PATH_MAX))
            snprintf(py->interpreters[py->count++].name, sizeof py->interpreters[0].name, "%s", name);
    }
    find_script(c->identity.dir, py->script);
}

/* ---- running the script ---------------------------------------------------- */

typedef struct {
    char *text;
    size_t length, capacity;
    bool overflowed; /* more than MAX_OUTPUT came: the rest was dropped */
} buffer;

/* More output than any chapter's script writes: a script that floods is stopped. */
#define MAX_OUTPUT (64 << 20)

static void append(buffer *b, const char *data, size_t n)
{
    if (b->length + n > MAX_OUTPUT) {
        b->overflowed = true;
        return;
    }
    if (b->length + n + 1 > b->capacity) {
        b->capacity = (b->length + n + 1) * 2;
        b->text = xrealloc(b->text, b->capacity, 1);
    }
    memcpy(b->text + b->length, data, n);
    b->length += n;
    b->text[b->length] = '\0';
}

typedef struct {
    char *argv[64];
} python_command;

static void exec_python(void *arg)
{
    child_exec(((python_command *)arg)->argv);
}

typedef struct {
    buffer out, err;
    int status;      /* from waitpid; -1 if it was stopped */
    bool timed_out;
} child_result;

/* Feed `input`, collect stdout and stderr until both close or the deadline passes. */
static void talk_to(child_process *child, int in, int out, int err, const char *input, int64_t deadline_ns,
                    child_result *r)
{
    size_t fed = 0, to_feed = input ? strlen(input) : 0;
    if (!to_feed) {
        close(in);
        in = -1;
    }
    while (out >= 0 || err >= 0) {
        struct pollfd fds[3] = { { out, POLLIN, 0 }, { err, POLLIN, 0 }, { in, POLLOUT, 0 } };
        int64_t left_ms = (deadline_ns - now_ns()) / 1000000;
        if (left_ms <= 0) {
            r->timed_out = true;
            break;
        }
        if (poll(fds, 3, left_ms > 1000 ? 1000 : (int)left_ms) < 0 && errno != EINTR) break;
        char chunk[8192];
        for (int i = 0; i < 2; i++) {
            int *fd = i == 0 ? &out : &err;
            if (*fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(*fd, chunk, sizeof chunk);
            if (n > 0) {
                append(i == 0 ? &r->out : &r->err, chunk, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(*fd);
                *fd = -1;
            }
        }
        if (in >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(in, input + fed, to_feed - fed);
            if (n > 0) fed += (size_t)n;
            if ((n < 0 && errno != EINTR && errno != EAGAIN) || fed == to_feed) {
                close(in);
                in = -1;
            }
        }
    }
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    if (err >= 0) close(err);
    r->status = -1;
    if (r->timed_out)
        child_stop(child);
    else
        r->status = child_wait(child); /* and whatever is left of its group: pool workers */
}

static void run_child(const char *python, const char *script, const char *const *args, const char *input,
                      double timeout_s, child_result *r)
{
    memset(r, 0, sizeof *r);
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) fail_at(__FILE__, __LINE__, "pipe", errno);
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    signal(SIGPIPE, SIG_IGN); /* a python3 that dies early must not kill us while we feed it */
    setenv("PYTHONDONTWRITEBYTECODE", "1", 1); /* no __pycache__ in the source tree; set before fork */
    python_command command = { { (char *)python, (char *)script } };
    for (int i = 0, argc = 2; args && args[i] && argc < 63; i++) command.argv[argc++] = (char *)args[i];
    /* Its own group: stopping it stops its pool workers too. */
    child_options options = { .death_signal = SIGKILL, .own_group = true, .stdin_fd = in[0], .stdout_fd = out[1],
                              .stderr_fd = err[1] };
    child_process child;
    if (child_start(&child, &options, exec_python, &command) != 0) fail_at(__FILE__, __LINE__, "fork", errno);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    talk_to(&child, in[1], out[0], err[0], input, now_ns() + (int64_t)(timeout_s * 1e9), r);
}

/* ---- reading its CSV ---------------------------------------------------------- */

enum { COL_RECORD, COL_MODE, COL_WORKERS, COL_REP, COL_TASK, COL_PID, COL_TID, COL_START, COL_END, COL_CPU,
       COL_VCSW, COL_IVCSW, COL_CORE, COL_RESULT, COLUMNS };
#define HEADER "record,mode,workers,rep,task,pid,tid,start_s,end_s,cpu_s,vcsw,ivcsw,core,result"

typedef struct {
    pool_mode mode;
    int workers, rep, ntasks, filled;
    double wall_s;
    task_record *records;
} pending_run;

typedef struct {
    pending_run *runs;
    int count;
    cpython_span *spans;
    size_t span_count;
    char version[40];
    bool free_threaded;
    char *facts; /* the script's other "key=value" lines, one per line */
} parsed;

static void free_parsed(parsed *p)
{
    for (int i = 0; i < p->count; i++) free(p->runs[i].records);
    free(p->runs);
    free(p->spans);
    free(p->facts);
    memset(p, 0, sizeof *p);
}

pool_mode cpython_mode(bool free_threaded, const char *python_mode)
{
    pool_mode base = free_threaded ? MODE_FREE_THREADED_SERIAL : MODE_CPYTHON_SERIAL;
    if (strcmp(python_mode, "serial") == 0) return base;
    if (strcmp(python_mode, "threads") == 0) return base + 1;
    if (strcmp(python_mode, "processes") == 0) return base + 2;
    return MODE_COUNT;
}

/* One "# key=value" line: the interpreter describes itself. */
/* "# key=value": a key of [a-z0-9_] (1 to 40), a value of printable ASCII without
 * quotes or backquotes (at most 200): what a script may say of itself. */
static bool well_formed_fact(const char *line)
{
    if (strncmp(line, "# ", 2) != 0) return false;
    const char *key = line + 2, *eq = strchr(key, '=');
    if (!eq || eq == key || eq - key > 40 || strlen(eq + 1) > 200) return false;
    for (const char *k = key; k < eq; k++)
        if (!(islower((unsigned char)*k) || isdigit((unsigned char)*k) || *k == '_')) return false;
    for (const char *v = eq + 1; *v; v++)
        if (*v < 0x20 || *v > 0x7e || *v == '"' || *v == '\'' || *v == '`' || *v == '\\') return false;
    return true;
}

/* The facts kept: at most this many bytes of them. */
#define MAX_FACTS 4096

/* One "# key=value" line: the interpreter describes itself. Anything else that
 * starts with '#' is a comment and ignored. */
static void read_meta(parsed *p, const char *line)
{
    if (!well_formed_fact(line)) return;
    if (strncmp(line, "# python=", 9) == 0) snprintf(p->version, sizeof p->version, "%s", line + 9);
    if (strcmp(line, "# gil=disabled") == 0) p->free_threaded = true;
    if (strncmp(line, "# python=", 9) != 0 && (p->facts ? strlen(p->facts) : 0) + strlen(line) < MAX_FACTS) {
        char *joined = xasprintf("%s%s\n", p->facts ? p->facts : "", line + 2);
        free(p->facts);
        p->facts = joined;
    }
}

/* A finite number of sane size: NaN, infinities and 1e300 are not data. */
static bool number(const char *text, double *value)
{
    char *end;
    errno = 0;
    *value = strtod(text, &end);
    return end != text && *end == '\0' && errno == 0 && isfinite(*value) && fabs(*value) <= 1e12;
}

/* A whole number within [lo, hi]: safe to convert to int. */
static bool whole(double v, double lo, double hi)
{
    return v == floor(v) && v >= lo && v <= hi;
}

/* Limits on what the output may ask for: the chapters run at most 1024 tasks per
 * run (their --requests and --jobs limits), a few hundred runs, and a tracker
 * interval per switch interval. */
#define MAX_TASKS 4096
#define MAX_RUNS 10000
#define MAX_SPANS 2000000

/* One data row; false if it does not make sense. */
static bool read_row(parsed *p, char *line)
{
    char *f[COLUMNS + 1];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(line, ",", &save); t && n <= COLUMNS; t = strtok_r(NULL, ",", &save))
        f[n++] = t;
    double v[COLUMNS];
    if (n != COLUMNS) return false;
    for (int i = COL_WORKERS; i < COLUMNS; i++)
        if (!number(f[i], &v[i])) return false;
    pool_mode mode = cpython_mode(p->free_threaded, f[COL_MODE]);
    if (mode == MODE_COUNT || v[COL_START] < 0 || v[COL_END] < v[COL_START]) return false;
    if (!whole(v[COL_WORKERS], 0, 65536) || !whole(v[COL_REP], 0, 100000) || !whole(v[COL_TASK], 0, MAX_TASKS) ||
        !whole(v[COL_PID], -1, 1e9) || !whole(v[COL_TID], -1, 1e9) || !whole(v[COL_CORE], -1, 65536) ||
        !whole(v[COL_VCSW], 0, 1e12) || !whole(v[COL_IVCSW], 0, 1e12) || !whole(v[COL_RESULT], -1e12, 1e12))
        return false;
    if (strcmp(f[COL_RECORD], "run") == 0) {
        if (v[COL_TASK] < 1 || v[COL_WORKERS] < 1 || p->count >= MAX_RUNS) return false;
        p->runs = xrealloc(p->runs, (size_t)p->count + 1, sizeof *p->runs);
        pending_run *r = &p->runs[p->count++];
        *r = (pending_run){ mode, (int)v[COL_WORKERS], (int)v[COL_REP], (int)v[COL_TASK], 0, v[COL_END], NULL };
        r->records = xcalloc((size_t)r->ntasks, sizeof *r->records);
        for (int t = 0; t < r->ntasks; t++) r->records[t].task = -1;
        return true;
    }
    if (!p->count) return false;
    pending_run *r = &p->runs[p->count - 1]; /* a run's tasks and intervals follow it */
    int task = (int)v[COL_TASK];
    if (r->mode != mode || task < 0 || task >= r->ntasks) return false;
    if (strcmp(f[COL_RECORD], "task") == 0) {
        if (r->records[task].task != -1) return false;
        r->records[task] = (task_record){ .task = task, .worker = -1, .pid = (int)v[COL_PID], .tid = (int)v[COL_TID],
                                          .start_ns = (int64_t)(v[COL_START] * 1e9),
                                          .end_ns = (int64_t)(v[COL_END] * 1e9), .cpu_ns = (int64_t)(v[COL_CPU] * 1e9),
                                          .core = (int)v[COL_CORE], .vcsw = (long)v[COL_VCSW],
                                          .ivcsw = (long)v[COL_IVCSW], .result = (int64_t)v[COL_RESULT] };
        r->filled++;
        return true;
    }
    if (strcmp(f[COL_RECORD], "running") == 0) {
        if (p->span_count >= MAX_SPANS) return false;
        p->spans = xrealloc(p->spans, p->span_count + 1, sizeof *p->spans);
        p->spans[p->span_count++] = (cpython_span){ mode, r->rep, task, (int)v[COL_CORE], v[COL_START], v[COL_END] };
        return true;
    }
    return false;
}

/* Workers are numbered in the order their thread (or process) first appears. */
static void number_workers(pending_run *r)
{
    for (int t = 0; t < r->ntasks; t++) {
        task_record *rec = &r->records[t];
        rec->worker = 0;
        for (int k = 0; k < t; k++) {
            if (r->records[k].tid == rec->tid && r->records[k].pid == rec->pid) {
                rec->worker = r->records[k].worker;
                break;
            }
            if (r->records[k].worker >= rec->worker) rec->worker = r->records[k].worker + 1;
        }
    }
}

/* The whole output, or the number of the first line that is wrong. */
static int parse_output(char *text, parsed *p)
{
    int line_no = 0;
    bool header = false;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line_no++;
        if (line[0] == '#') {
            read_meta(p, line);
        } else if (!header) {
            if (strcmp(line, HEADER) != 0) return line_no;
            header = true;
        } else if (!read_row(p, line)) {
            return line_no;
        }
    }
    if (!header || !p->count) return line_no + 1;
    for (int i = 0; i < p->count; i++) {
        if (p->runs[i].filled != p->runs[i].ntasks) return line_no + 1;
        number_workers(&p->runs[i]);
    }
    return 0;
}

int cpython_parse_check(const char *output, int *runs)
{
    char *text = xstrdup(output);
    parsed p = { 0 };
    int bad = parse_output(text, &p);
    *runs = bad ? 0 : p.count;
    free_parsed(&p);
    free(text);
    return bad;
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

static void last_line(const buffer *b, char *out, size_t size)
{
    out[0] = '\0';
    if (!b->text) return;
    char *end = b->text + b->length;
    while (end > b->text && (end[-1] == '\n' || end[-1] == '\r')) end--;
    char *start = end;
    while (start > b->text && start[-1] != '\n') start--;
    snprintf(out, size, "%.*s", (int)(end - start), start);
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

static bool run_one(cpython *py, cpython_interpreter *in, const char *const *args, const char *input, double expected_s)
{
    progress("CPython: %s %s ...", in->path, py->script);
    child_result r;
    run_child(in->path, py->script, args, input, 30 + 10 * expected_s, &r);
    char err[300];
    last_line(&r.err, err, sizeof err);
    bool ok = false;
    parsed p = { 0 };
    if (r.timed_out) {
        skip(py, in, "original.py did not finish within %.0f s and was stopped", 30 + 10 * expected_s);
    } else if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
        skip(py, in, "original.py failed (%s %d)%s%s", WIFEXITED(r.status) ? "exit status" : "signal",
             WIFEXITED(r.status) ? WEXITSTATUS(r.status) : WTERMSIG(r.status), *err ? ": " : "", err);
    } else if (r.out.overflowed) {
        skip(py, in, "original.py printed more than %d MiB: not what the chapter expects", MAX_OUTPUT >> 20);
    } else {
        int bad = r.out.text ? parse_output(r.out.text, &p) : 1;
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
        report_text(py->chapter->report, "Real CPython: %s ran `%s %s%s`%s%s.", in->label, in->name,
                    relative_script(py), command, input ? " with the URLs on its standard input" : "", pools);
        free(py->last_facts);
        py->last_facts = p.facts ? xstrdup(p.facts) : NULL;
        if (!in->ran) describe_in_preamble(py, in, p.facts); /* once, if a chapter runs the script twice */
        int64_t base = now_ns();
        for (int i = 0; i < p.count; i++) {
            pending_run *run = &p.runs[i];
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
    free_parsed(&p);
    free(r.out.text);
    free(r.err.text);
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
    for (pool_mode mode = MODE_CPYTHON_SERIAL; mode <= MODE_FREE_THREADED_PROCESSES; mode++)
        if (mode_ran(py->chapter, mode))
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
    for (int i = 0; i < py->count; i++) {
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
