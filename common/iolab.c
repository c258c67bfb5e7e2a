/* iolab.c — requests, fetch task and per-run records for the I/O chapters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "iolab.h"
#include "pool.h"
#include "work.h"

static const char *const columns[] = { "url", "http_status", "bytes", "pss_kib", "error", "peak_in_flight" };

static void extra_fields(csv_writer *w, const chapter_run *run, int task, void *ctx)
{
    const iolab *lab = ctx;
    const iolab_run_record *r = iolab_find(lab, run);
    if (!r) {
        for (int i = 0; i < (int)(sizeof columns / sizeof *columns); i++) csv_str(w, "");
        return;
    }
    const fetch_record *f = &r->fetches[task];
    csv_str(w, f->url);
    csv_int(w, f->status);
    csv_int(w, f->bytes);
    csv_int(w, f->pss_kib);
    csv_str(w, f->error);
    csv_int(w, r->peak);
}

static void make_local_urls(iolab *lab, int requests)
{
    http_free_urls(lab->urls, lab->count);
    lab->count = requests;
    lab->urls = xcalloc((size_t)requests, sizeof *lab->urls);
    for (int i = 0; i < requests; i++) {
        char url[128];
        snprintf(url, sizeof url, "%s/page/%d", lab->server.base_url, i);
        lab->urls[i] = xstrdup(url);
    }
}

/* The task every mode runs: fetch URL number `task`, record how it went. */
static int64_t fetch_task(void *ctx, int task)
{
    iolab *lab = ctx;
    fetch_record *f = &lab->current[task];
    http_fetch(lab->urls[task % lab->count], lab->connect_timeout_s, lab->timeout_s, f);
    /* The CPU part, back under the GIL for GIL-threads, as parsing in Python would be. */
    if (lab->parse_iterations) cpu_heavy(lab->parse_iterations);
    return f->curl_code ? -f->curl_code : f->status;
}

/* Start the server (exit 1 if it cannot start, 2 if it refuses the profile). */
static void start_server(iolab *lab, const char *profile)
{
    char error[600];
    progress("starting the latency server (profile %s)", profile);
    int rc = lab_server_start(&lab->server, profile, 1024, error, sizeof error);
    if (rc != 0) {
        chapter_fail(lab->chapter, rc == -2 ? EXIT_BAD_INPUT : EXIT_EXPERIMENT_FAILED, "%s", error);
    }
}

void iolab_restart(iolab *lab, const char *profile)
{
    char error[300];
    if (profile_parse(profile, 1, &lab->profile, error, sizeof error) != 0)
        fail_at(__FILE__, __LINE__, error, 22);
    lab_server_stop(&lab->server);
    start_server(lab, profile);
    lab->profile_text = profile;
    make_local_urls(lab, lab->count);
}

double iolab_time_once(iolab *lab, pool_mode mode, int workers, double *startup_s)
{
    fetch_record *fetches = iolab_new_fetches(lab);
    task_record *records = xcalloc((size_t)lab->count, sizeof *records);
    lab->current = fetches;
    pool_config config = { .mode = mode, .workers = workers, .chunksize = 1 };
    pool_outcome out;
    if (pool_map(&config, fetch_task, lab, lab->count, records, &out) != 0) {
        chapter_fail(lab->chapter, EXIT_EXPERIMENT_FAILED, "the %s run failed: %s", pool_mode_label(mode), out.error);
    }
    int64_t first = out.end_ns;
    for (int i = 0; i < lab->count; i++)
        if (records[i].start_ns < first) first = records[i].start_ns;
    *startup_s = ns_to_s(first - out.start_ns);
    free(records);
    pool_shared_free(fetches, (size_t)lab->count * sizeof *fetches);
    return ns_to_s(out.end_ns - out.start_ns);
}

/* Each request holds a socket: make room for the most requests in flight at once,
 * up to the hard limit, and say so when even that is too low. */
static void raise_descriptor_limit(iolab *lab)
{
    struct rlimit limit;
    rlim_t wanted = (rlim_t)lab->count + 64;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= wanted ? wanted : limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < wanted) {
        warn_user(lab->chapter->program, "%d requests at once need about %lu open files; the limit here is %lu "
                  "(ulimit -Hn): some requests may fail, and the verdict will say so", lab->count,
                  (unsigned long)wanted, (unsigned long)limit.rlim_cur);
        chapter_meta(lab->chapter, "open_files_limit", "%lu (wanted %lu)", (unsigned long)limit.rlim_cur,
                     (unsigned long)wanted);
    }
}

const double iolab_requests_by_scale[3] = { 16, 16, 16 };
const char *const iolab_profiles_by_scale[3] = { "uniform:0.01", "uniform:0.05", "uniform:0.49" };

void iolab_open(iolab *lab, chapter *c, const iolab_flags *flags)
{
    memset(lab, 0, sizeof *lab);
    lab->chapter = c;
    char error[600];
    /* With --urls the list sets the requests and the servers their latency. */
    if (flags->urls_file && (cli_given(&c->cli, "--requests") || cli_given(&c->cli, "--profile")))
        chapter_fail(c, EXIT_BAD_INPUT, "%s has no effect with --urls: the list sets the requests and its servers "
                     "their latency", cli_given(&c->cli, "--requests") ? "--requests" : "--profile");
    http_global_init();
    if (flags->urls_file) {
        if (http_read_urls(flags->urls_file, &lab->urls, &lab->count, error, sizeof error) != 0) {
            chapter_fail(c, EXIT_BAD_INPUT, "%s", error);
        }
        lab->connect_timeout_s = 5;
        lab->timeout_s = 30;
        chapter_meta(c, "urls", "%s (%d URLs)", flags->urls_file, lab->count);
        /* The lab's own traffic never uses a proxy; the user's URLs do, if one is set. */
        const char *proxies[] = { "http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy" };
        for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++)
            if (getenv(proxies[i]) && *getenv(proxies[i])) {
                chapter_meta(c, "proxy", "%s is set: the URLs were fetched through it", proxies[i]);
                report_text(c->report, "Your URLs were fetched through the proxy that %s names: its delays are part of "
                            "these times.", proxies[i]);
                break;
            }
    } else {
        const char *profile = flags->profile;
        if (profile_parse(profile, 1, &lab->profile, error, sizeof error) != 0) {
            chapter_fail(c, EXIT_BAD_INPUT, "--profile: %s", error);
        }
        start_server(lab, profile);
        lab->local = 1;
        lab->profile_text = profile;
        lab->connect_timeout_s = 2;
        lab->timeout_s = PROFILE_MAX_SECONDS + 10;
        make_local_urls(lab, flags->requests);
        chapter_meta(c, "profile", "%s", profile);
        chapter_meta(c, "server", "%s", lab->server.base_url);
    }
    chapter_meta(c, "requests", "%d", lab->count);
    raise_descriptor_limit(lab);
    chapter_columns(c, columns, (int)(sizeof columns / sizeof *columns), extra_fields, lab);
}

void iolab_close(iolab *lab)
{
    if (lab->local) lab_server_stop(&lab->server);
    for (int r = 0; r < lab->run_count; r++)
        pool_shared_free(lab->runs[r].fetches, (size_t)lab->count * sizeof(fetch_record));
    free(lab->runs);
    http_free_urls(lab->urls, lab->count);
}

int iolab_worker_sweep(const chapter *c, int counts[3])
{
    if (c->cli.workers_set) {
        counts[0] = c->cli.workers;
        return 1;
    }
    counts[0] = 4, counts[1] = 8, counts[2] = 16;
    return 3;
}

fetch_record *iolab_new_fetches(const iolab *lab)
{
    return pool_shared_alloc((size_t)lab->count * sizeof(fetch_record));
}

int iolab_take_peak(iolab *lab)
{
    latency_stats st;
    if (!lab->local) return -1;
    if (lab_server_stats(&lab->server, 1, &st) != 0) {
        chapter_fail(lab->chapter, EXIT_EXPERIMENT_FAILED, "the latency server stopped answering");
    }
    return st.peak;
}

static void iolab_keep(iolab *lab, const chapter_run *run, fetch_record *fetches)
{
    lab->runs = xrealloc(lab->runs, (size_t)lab->run_count + 1, sizeof *lab->runs);
    lab->runs[lab->run_count++] = (iolab_run_record){ run, fetches, iolab_take_peak(lab), process_pss_kib() };
}

/* No verdict from failed work: a run whose requests mostly failed ends the chapter
 * (exit 1, one line saying why); a few failures are kept and named in the verdict. */
static void check_failures(const iolab *lab, const iolab_run_record *r)
{
    int failed = iolab_failures(r, lab->count);
    if (2 * failed <= lab->count) return;
    const char *first = "";
    for (int i = 0; i < lab->count && !*first; i++)
        if (r->fetches[i].error[0]) first = r->fetches[i].error;
    chapter_fail(lab->chapter, EXIT_EXPERIMENT_FAILED, "%s with %d worker%s: %d of %d requests failed%s%s%s: no "
                 "verdict is computed from failed work", pool_mode_label(r->run->mode), r->run->workers,
                 r->run->workers == 1 ? "" : "s", failed, lab->count, *first ? " (first: " : "", first,
                 *first ? ")" : "");
}

const iolab_run_record *iolab_run(iolab *lab, pool_mode mode, int workers, int rep, gil_t *gil)
{
    iolab_take_peak(lab); /* start a new peak */
    lab->current = iolab_new_fetches(lab);
    const chapter_run *run = chapter_run_mode(lab->chapter, mode, workers, rep, fetch_task, lab, lab->count, gil);
    iolab_keep(lab, run, lab->current);
    check_failures(lab, &lab->runs[lab->run_count - 1]);
    return &lab->runs[lab->run_count - 1];
}

int iolab_failed_requests(const iolab *lab, pool_mode mode, int workers)
{
    int failed = 0;
    for (int r = 0; r < lab->run_count; r++)
        if (lab->runs[r].run->mode == mode && (!workers || lab->runs[r].run->workers == workers))
            failed += iolab_failures(&lab->runs[r], lab->count);
    return failed;
}


const iolab_run_record *iolab_run_event_loop(iolab *lab, int rep)
{
    iolab_take_peak(lab);
    fetch_record *fetches = iolab_new_fetches(lab);
    progress("%s: %d requests from one thread, round %d ...", pool_mode_label(MODE_EVENT_LOOP), lab->count, rep + 1);
    int64_t cpu0 = thread_cpu_ns(), start = now_ns();
    http_fetch_all(lab->urls, lab->count, lab->connect_timeout_s, lab->timeout_s, fetches);
    int64_t end = now_ns(), cpu = thread_cpu_ns() - cpu0;
    task_record *records = xcalloc((size_t)lab->count, sizeof *records);
    for (int i = 0; i < lab->count; i++)
        records[i] = (task_record){ .task = i, .pid = getpid(), .tid = gettid(), .start_ns = fetches[i].start_ns,
                                    .end_ns = fetches[i].end_ns, .cpu_ns = cpu / lab->count, .core = -1,
                                    .result = fetches[i].curl_code ? -fetches[i].curl_code : fetches[i].status };
    const chapter_run *run = chapter_add_run(lab->chapter, pool_mode_name(MODE_EVENT_LOOP), 1, rep, lab->count, records, start, end);
    iolab_keep(lab, run, fetches);
    check_failures(lab, &lab->runs[lab->run_count - 1]);
    return &lab->runs[lab->run_count - 1];
}

static int distinct(const iolab_run_record *r, int count, int by_thread)
{
    int n = 0;
    for (int i = 0; i < count; i++) {
        int seen = 0, id = by_thread ? r->run->records[i].tid : r->run->records[i].pid;
        for (int k = 0; k < i && !seen; k++) seen = (by_thread ? r->run->records[k].tid : r->run->records[k].pid) == id;
        n += !seen;
    }
    return n;
}

int iolab_threads_used(const iolab_run_record *r, int count)
{
    return distinct(r, count, 1);
}

int iolab_processes_used(const iolab_run_record *r, int count)
{
    return distinct(r, count, 0);
}

int iolab_run_cpython(iolab *lab, cpython *py, const char *modes, const int *sweep, int sweep_count,
                      const char *extra)
{
    char *urls = xstrdup(""), workers[64] = "";
    for (int i = 0; i < lab->count; i++) {
        char *more = xasprintf("%s%s\n", urls, lab->urls[i]);
        free(urls);
        urls = more;
    }
    double expected = lab->local ? (strstr(modes, "serial") ? iolab_ideal_s(lab, 1) : 0) : 60;
    for (int i = 0; i < sweep_count; i++) {
        snprintf(workers + strlen(workers), sizeof workers - strlen(workers), "%s%d", i ? "," : "", sweep[i]);
        if (lab->local) expected += iolab_ideal_s(lab, sweep[i]);
    }
    int ran = cpython_run(py, urls, expected * py->reps, "--modes %s --workers %s --timeout %g%s%s", modes, workers,
                          lab->timeout_s, extra ? " " : "", extra ? extra : "");
    free(urls);
    return ran;
}

const iolab_run_record *iolab_find(const iolab *lab, const chapter_run *run)
{
    for (int r = 0; r < lab->run_count; r++)
        if (lab->runs[r].run == run) return &lab->runs[r];
    return NULL;
}

int iolab_failures(const iolab_run_record *r, int count)
{
    int failed = 0;
    for (int i = 0; i < count; i++) failed += r->fetches[i].curl_code != 0 || r->fetches[i].status != 200;
    return failed;
}

long iolab_memory_kib(const iolab_run_record *r, int count)
{
    /* Each process counted once, at its largest: threads share one process. */
    long total = 0;
    for (int i = 0; i < count; i++) {
        int pid = r->run->records[i].pid, first = 1;
        long largest = 0;
        for (int k = 0; k < count; k++) {
            if (r->run->records[k].pid != pid) continue;
            if (k < i) first = 0;
            if (r->fetches[k].pss_kib > largest) largest = r->fetches[k].pss_kib;
        }
        if (first) total += largest;
    }
    if (r->run->mode == MODE_PROCESSES) total += r->parent_pss_kib; /* the parent waits too */
    return total;
}

double iolab_ideal_s(const iolab *lab, int workers)
{
    if (!lab->local) return NAN;
    double *free_at = xcalloc((size_t)workers, sizeof *free_at), makespan = 0;
    for (int i = 0; i < lab->count; i++) {
        int w = 0;
        for (int k = 1; k < workers; k++)
            if (free_at[k] < free_at[w]) w = k;
        free_at[w] += profile_latency(&lab->profile, i);
        if (free_at[w] > makespan) makespan = free_at[w];
    }
    free(free_at);
    return makespan;
}

double iolab_wall_s(const iolab *lab, pool_mode mode, int workers)
{
    mode_summary s = chapter_summary_of(lab->chapter, mode, workers);
    return s.ran ? s.wall_s.median : NAN;
}

/* The last run of a mode at a worker count, for its peak, failures and memory. */
static const iolab_run_record *last_run(const iolab *lab, pool_mode mode, int workers)
{
    const iolab_run_record *found = NULL;
    for (int r = 0; r < lab->run_count; r++)
        if (lab->runs[r].run->mode == mode && lab->runs[r].run->workers == workers) found = &lab->runs[r];
    return found;
}

/* Wall time and speed-up over the same language's serial run, each with its interval. */
static void timing_cells(const iolab *lab, pool_mode mode, int workers, int concurrency)
{
    chapter *c = lab->chapter;
    mode_summary s = chapter_summary_of(c, mode, workers);
    estimate ratio = chapter_ratio(c, pool_mode_serial_of(mode), 0, mode, workers); /* serial / this */
    double ideal = iolab_ideal_s(lab, concurrency);
    char wall[64], up[64];
    report_cell(c->report, "%s", pool_mode_label(mode));
    report_cell(c->report, "%d", workers);
    report_cell(c->report, "%s", estimate_text(s.wall, "%.3f", wall, sizeof wall));
    report_cell(c->report, isnan(ideal) ? "-" : "%.3f", ideal);
    report_cell(c->report, "%s", ratio.n ? estimate_text(ratio, "%.2fx", up, sizeof up) : "-");
}

/* Real CPython's runs (original.py): no server peak or memory measured for them. */
static void python_rows(const iolab *lab)
{
    chapter *c = lab->chapter;
    for (pool_mode mode = MODE_CPYTHON_SERIAL; mode < MODE_COUNT; mode++) {
        if (!pool_mode_is_cpython(mode)) continue;
        for (int r = 0; r < c->run_count; r++) {
            const chapter_run *run = c->runs[r];
            bool last = true;
            for (int k = r + 1; k < c->run_count; k++)
                if (c->runs[k]->mode == mode && c->runs[k]->workers == run->workers) last = false;
            if (run->mode != mode || !last) continue;
            int failed = 0;
            for (int t = 0; t < run->ntasks; t++) failed += run->records[t].result < 0;
            timing_cells(lab, mode, run->workers, run->workers);
            report_cell(c->report, "-");
            report_cell(c->report, "%d", failed);
            report_cell(c->report, "-");
            report_end_row(c->report);
        }
    }
}

void iolab_table(const iolab *lab, const char *caption)
{
    chapter *c = lab->chapter;
    const char *names[] = { "mode", "workers", "wall s (95% CI)", "ideal s", "speed-up (95% CI)", "peak in flight",
                            "failed", "memory MiB" };
    char *full = xasprintf("%s Median and 95%% interval over rounds; speed-up: the same language's serial time / "
                           "this one's, paired within each round.", caption);
    report_table(c->report, full, 8, names);
    free(full);
    for (pool_mode mode = 0; mode < MODE_COUNT; mode++)
        for (int r = 0; r < lab->run_count; r++) {
            const iolab_run_record *run = &lab->runs[r];
            if (run->run->mode != mode || run != last_run(lab, mode, run->run->workers)) continue;
            /* The event loop has one thread but every request in flight at once. */
            int concurrency = mode == MODE_EVENT_LOOP ? lab->count : run->run->workers;
            timing_cells(lab, mode, run->run->workers, concurrency);
            report_cell(c->report, run->peak < 0 ? "-" : "%d", run->peak);
            report_cell(c->report, "%d", iolab_failures(run, lab->count));
            report_cell(c->report, "%.1f", (double)iolab_memory_kib(run, lab->count) / 1024.0);
            report_end_row(c->report);
        }
    python_rows(lab);
    report_text(c->report, "ideal: the time if each request cost only its latency, taken in order by the first "
                "free worker. peak in flight: the most requests the server held at once. memory: the proportional "
                "set size (PSS) of the process(es) doing the fetching.");
    for (int r = 0; r < lab->run_count; r++)
        for (int i = 0; i < lab->count; i++)
            if (lab->runs[r].fetches[i].error[0]) {
                char *url = report_escape_markdown(lab->runs[r].fetches[i].url);
                char *error = report_escape_markdown(lab->runs[r].fetches[i].error);
                report_text(c->report, "First failure (%s): %s: %s", pool_mode_label(lab->runs[r].run->mode), url,
                            error);
                free(url);
                free(error);
                return;
            }
}

void iolab_write_figure_data(iolab *lab, const int *sweep, int sweep_count, pool_mode gantt_mode, int gantt_workers)
{
    chapter *c = lab->chapter;
    int max_workers = sweep_count > 0 ? sweep[sweep_count - 1] : 1;
    csv_writer w;
    chapter_open_csv(c, "ideal.csv", &w);
    const char *names[] = { "workers", "ideal_s" };
    csv_header(&w, names, 2);
    for (int i = -1; lab->local && i < sweep_count; i++) {
        int k = i < 0 ? 1 : sweep[i];
        if (i >= 0 && k == 1) continue; /* serial's count is there already */
        csv_int(&w, k);
        csv_num(&w, iolab_ideal_s(lab, k), 6);
        csv_end_row(&w);
    }
    chapter_commit_csv(c, &w, "ideal.csv");
    char source[200];
    if (lab->local)
        snprintf(source, sizeof source, "%d requests to the local server, profile %s", lab->count,
                 lab->profile_text);
    else
        snprintf(source, sizeof source, "%d URLs from a file", lab->count);
    chapter_plot_string(c, "note", "%d CPUs (%s), scale %s, %s, switch interval %g ms", c->machine.cores,
                     c->machine.cpu_model, cli_scale_name(c->cli.scale), source, c->cli.switch_interval_ms);
    chapter_plot_string(c, "gantt_mode", "%s", pool_mode_name(gantt_mode));
    chapter_plot_var(c, "gantt_workers", "%d", gantt_workers);
    chapter_plot_var(c, "requests", "%d", lab->count);
    chapter_plot_var(c, "max_workers", "%d", max_workers);
}

/* The call on a negative claim ("useless", "bad for I/O") from `mode`'s time ratio to
 * serial: useful (faster than serial by IOLAB_USEFUL_BELOW over the whole interval)
 * makes it FALSE; undecided where requests failed (`*failed`: how many). */
static three_way negative_claim_call(const iolab *lab, pool_mode mode, int workers, estimate ratio, int *failed)
{
    *failed = iolab_failed_requests(lab, mode, workers) + iolab_failed_requests(lab, MODE_SERIAL, 0);
    if (*failed) return CALL_UNDECIDED;
    three_way useful = stats_below(ratio, IOLAB_USEFUL_BELOW);
    return useful == CALL_TRUE ? CALL_FALSE : useful == CALL_FALSE ? CALL_TRUE : CALL_UNDECIDED;
}

void iolab_headline_part(const iolab *lab, pool_mode mode, int workers, char *out, size_t size)
{
    estimate ratio = chapter_ratio(lab->chapter, mode, workers, MODE_SERIAL, 0);
    if (ratio.n == 0) return;
    int failed;
    three_way call = negative_claim_call(lab, mode, workers, ratio, &failed);
    size_t used = strlen(out);
    if (failed)
        snprintf(out + used, size - used, "%s%s for %s (%d requests failed)", used ? ", " : "", stats_call_word(call),
                 pool_mode_label(mode), failed);
    else
        snprintf(out + used, size - used, "%s%s for %s (%.1fx%s)", used ? ", " : "", stats_call_word(call),
                 pool_mode_label(mode), ratio.median > 0 ? 1 / ratio.median : 0, used ? "" : " serial's speed");
}

void iolab_verdict_part(const iolab *lab, pool_mode mode, int workers, char *out, size_t size)
{
    const chapter *c = lab->chapter;
    estimate ratio = chapter_ratio(c, mode, workers, MODE_SERIAL, 0);
    if (ratio.n == 0) return;
    int failed;
    three_way call = negative_claim_call(lab, mode, workers, ratio, &failed);
    if (failed) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s for %s: %d requests failed in its runs or serial's, so no speed is "
                 "computed from them", used ? "; " : "", stats_call_word(CALL_UNDECIDED), pool_mode_label(mode),
                 failed);
        return;
    }
    char a[64];
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s%s for %s: %d of them fetched the pages %s faster than serial code",
             used ? "; " : "", stats_call_word(call), pool_mode_label(mode), workers,
             estimate_text(stats_inverse(ratio), "%.2fx", a, sizeof a));
}

void iolab_sweep_round(iolab *lab, int rep, const int *sweep, int sweep_count, gil_t *gil, bool with_processes)
{
    iolab_run(lab, MODE_SERIAL, 1, rep, NULL);
    for (int i = 0; i < sweep_count; i++) {
        if (chapter_wants(lab->chapter, MODE_GIL_THREADS)) iolab_run(lab, MODE_GIL_THREADS, sweep[i], rep, gil);
        if (chapter_wants(lab->chapter, MODE_THREADS)) iolab_run(lab, MODE_THREADS, sweep[i], rep, NULL);
        if (with_processes) iolab_run(lab, MODE_PROCESSES, sweep[i], rep, NULL);
    }
}
