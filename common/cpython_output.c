/* cpython_output.c — read what a chapter's original.py printed (the format is in
 * chapters/python/harness.py): runs, their tasks, tracker intervals, and what the
 * interpreter said of itself. Output that does not make sense is refused by line. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpython_output.h"
#include "csv.h"
#include "fail.h"

enum { COL_RECORD, COL_MODE, COL_WORKERS, COL_REP, COL_TASK, COL_PID, COL_TID, COL_START, COL_END, COL_CPU,
       COL_VCSW, COL_IVCSW, COL_CORE, COL_RESULT, COLUMNS };
#define HEADER "record,mode,workers,rep,task,pid,tid,start_s,end_s,cpu_s,vcsw,ivcsw,core,result"

void cpython_output_free(cpython_output *p)
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
    /* One thread either way: the chapter runs it with one build only (cpython.h, first_only). */
    if (strcmp(python_mode, "asyncio") == 0) return MODE_CPYTHON_ASYNCIO;
    if (strcmp(python_mode, "mpi") == 0 && !free_threaded) return MODE_CPYTHON_MPI;
    return MODE_COUNT;
}

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
static void read_meta(cpython_output *p, const char *line)
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

/* The largest whole number a double holds exactly (2^53): a job's checksum (a sum of
 * its loop's counter: about 8e12 for a 0.2 s job of chapter 1) stays far below it. */
#define EXACT_WHOLE 9007199254740992.0
/* The longest time a row may give, in seconds (a day): in nanoseconds it must fit
 * an int64_t. */
#define MAX_SECONDS 86400.0

/* A finite number of sane size: NaN, infinities and 1e300 are not data. The
 * checksum may be larger than the rest. */
static bool number(int column, const char *text, double *value)
{
    double most = column == COL_RESULT ? EXACT_WHOLE : 1e12;
    return csv_number(text, -most, most, value);
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
static bool read_row(cpython_output *p, char *line)
{
    char *f[COLUMNS + 1];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(line, ",", &save); t && n <= COLUMNS; t = strtok_r(NULL, ",", &save))
        f[n++] = t;
    double v[COLUMNS];
    if (n != COLUMNS) return false;
    for (int i = COL_WORKERS; i < COLUMNS; i++)
        if (!number(i, f[i], &v[i])) return false;
    pool_mode mode = cpython_mode(p->free_threaded, f[COL_MODE]);
    if (mode == MODE_COUNT || v[COL_START] < 0 || v[COL_END] < v[COL_START] || v[COL_END] > MAX_SECONDS ||
        v[COL_CPU] < 0 || v[COL_CPU] > MAX_SECONDS)
        return false;
    if (!whole(v[COL_WORKERS], 0, 65536) || !whole(v[COL_REP], 0, 100000) || !whole(v[COL_TASK], 0, MAX_TASKS) ||
        !whole(v[COL_PID], -1, 1e9) || !whole(v[COL_TID], -1, 1e9) || !whole(v[COL_CORE], -1, 65536) ||
        !whole(v[COL_VCSW], 0, 1e12) || !whole(v[COL_IVCSW], 0, 1e12) || !whole(v[COL_RESULT], -EXACT_WHOLE, EXACT_WHOLE))
        return false;
    if (strcmp(f[COL_RECORD], "run") == 0) {
        if (v[COL_TASK] < 1 || v[COL_WORKERS] < 1 || p->count >= MAX_RUNS) return false;
        p->runs = xrealloc(p->runs, (size_t)p->count + 1, sizeof *p->runs);
        cpython_pending_run *r = &p->runs[p->count++];
        *r = (cpython_pending_run){ mode, (int)v[COL_WORKERS], (int)v[COL_REP], (int)v[COL_TASK], 0, v[COL_END], NULL };
        r->records = xcalloc((size_t)r->ntasks, sizeof *r->records);
        for (int t = 0; t < r->ntasks; t++) r->records[t].task = -1;
        return true;
    }
    if (!p->count) return false;
    cpython_pending_run *r = &p->runs[p->count - 1]; /* a run's tasks and intervals follow it */
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
static void number_workers(cpython_pending_run *r)
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
int cpython_output_parse(char *text, cpython_output *p)
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
    cpython_output p = { 0 };
    int bad = cpython_output_parse(text, &p);
    *runs = bad ? 0 : p.count;
    cpython_output_free(&p);
    free(text);
    return bad;
}
