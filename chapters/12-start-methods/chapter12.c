/* chapter12.c — "A process is a fork": three ways to start a worker, and forking a
 * program that has threads.
 *
 * Part 1. Three real start methods, in C, as multiprocessing has them:
 *   fork        the worker is a copy of the parent (fork(): memory shared copy-on-write,
 *               page tables copied);
 *   spawn       a fresh copy of this program (posix_spawn of /proc/self/exe), which
 *               inherits nothing but what it is told;
 *   forkserver  a small server process started first, before the parent grew, forks
 *               the workers on request (over a Unix socket pair).
 * For each, the time to start one worker per core and get a first result from each,
 * against the parent's touched memory (small, 256 MiB, 1 GiB), in rounds; and what a
 * worker sees of a global the parent set after it started: fork sees it, spawn and
 * forkserver do not.
 *
 * Part 2. A thread holds a mutex now and then; the main thread forks. The child has
 * only the thread that forked, so a lock held at that moment stays held for ever. The
 * child tries the lock with a timeout and reports what would have been a deadlock.
 * posix_spawn'd children run a fresh program: nothing to inherit.
 *
 * usage:  build/chapter12 [--max-rss-mib N] [--forks N] [--python PATH] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/12-start-methods/reference/summary.md. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "child.h"
#include "cleanup.h"
#include "clock.h"
#include "cpython.h"

extern char **environ;

#define MAX_WORKERS 64
#define WORKER_FLAG "--be-a-spawned-worker" /* argv[1] of a spawned copy of this program */

typedef enum { START_FORK, START_SPAWN, START_FORKSERVER, STARTS } start_method;
static const char *const start_names[STARTS] = { "fork", "spawn", "forkserver" };
/* fork in the processes' green (common/modes.h); spawn and the fork server in colours
 * no mode uses, so that none reads as GIL-threads or C threads. */
static const unsigned start_colours[STARTS] = { 0x2ca02c, 0x7570b3, 0xa6761d };

/* Each start-up is a run of series "fork/256MiB" (method and the parent's touched
 * memory), compared with fork at the same size in the same round; CPython's are
 * "cpython-fork/0MiB" and so on. Each run carries whether its workers saw a setting
 * the parent made after the fork server started. */
enum { VALUE_SAW_SETTING };
static const char *const value_names[] = { "saw_late_setting" };

static const char *start_family(char *out, size_t size, bool python, start_method how)
{
    snprintf(out, size, "%s%s", python ? "cpython-" : "", start_names[how]);
    return out;
}

static const char *start_key(char *out, size_t size, bool python, start_method how, long mib)
{
    char family[32];
    return series_key(out, size, start_family(family, sizeof family, python, how), (double)mib, "MiB");
}

/* The parent sizes: these steps up to --max-rss-mib, and that value itself. */
static const long size_steps[] = { 0, 256, 1024 };
#define MAX_SIZES 4
/* CPython starts its workers with parents up to this size (its runs take longer). */
#define PYTHON_MAX_MIB 256

static void declare_starts(chapter *c, const long *sizes, int count)
{
    for (int python = 0; python < 2; python++)
        for (start_method how = 0; how < STARTS; how++) /* a family's sizes together: the figure's lines */
            for (int m = 0; m < count; m++) {
                if (python && sizes[m] > PYTHON_MAX_MIB) continue;
                char key[64], family[32], ref[64], label[64];
                snprintf(label, sizeof label, "%s%s", python ? "CPython " : "C ", start_names[how]);
                chapter_series(c, start_key(key, sizeof key, python, how, sizes[m]),
                               start_family(family, sizeof family, python, how), (double)sizes[m], label,
                               python ? MODE_CPYTHON_PROCESSES : MODE_PROCESSES,
                               start_key(ref, sizeof ref, python, START_FORK, sizes[m]), 0, start_colours[how]);
            }
    chapter_values(c, value_names, 1);
}

/* Set by the parent after the fork server has started, so only a forked worker sees it. */
static int late_setting = 0;

/* What a worker sends back: its pid and the late setting as it sees it. */
typedef struct {
    int pid, setting;
} worker_answer;

static noreturn void answer(int fd)
{
    worker_answer a = { getpid(), late_setting };
    if (write(fd, &a, sizeof a) != (ssize_t)sizeof a) _exit(1);
    _exit(0);
}

/* ---- the three ways ---- */

/* posix_spawn a fresh copy of this program, registered with cleanup.h before any
 * signal can arrive (they are held off in between; the child starts with the mask
 * we had), so that an interrupted chapter kills and reaps it like its forked ones.
 * 0, or an error number. */
static int spawn_self(child_process *child, const posix_spawn_file_actions_t *actions, char *const argv[])
{
    sigset_t all, previous;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &previous);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setsigmask(&attributes, &previous);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", actions, &attributes, argv, environ);
    posix_spawnattr_destroy(&attributes);
    if (rc == 0) {
        cleanup_child(pid);
        *child = (child_process){ .pid = pid };
    }
    sigprocmask(SIG_SETMASK, &previous, NULL);
    return rc;
}

static void forked_worker(void *arg)
{
    answer(*(int *)arg);
}

/* The fork server: one byte in, one forked worker out, which answers on the same socket. */
static void fork_server(void *arg)
{
    int fd = *(int *)arg;
    signal(SIGCHLD, SIG_IGN); /* its workers are reaped by the kernel */
    char request;
    while (read(fd, &request, 1) == 1) {
        pid_t pid = fork();
        if (pid == 0) answer(fd);
    }
    _exit(0);
}

typedef struct {
    child_process server;
    int fd; /* our end of the socket pair to the fork server */
} forkserver;

static void start_fork_server(const chapter *c, forkserver *s)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "socketpair: %s", strerror(errno));
    /* Its own process group: stopping it stops the workers it forked too, and their
     * orphans come to us to be reaped (child.h), whenever the chapter is interrupted. */
    child_options options = CHILD_OPTIONS_DEFAULT;
    options.own_group = true;
    if (child_start(&s->server, &options, fork_server, &pair[1]) != 0)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "cannot start the fork server: %s", strerror(errno));
    close(pair[1]);
    s->fd = pair[0];
}

/* Keep a timed start-up as a run of its series: one record per worker. */
static void keep_run(chapter *c, start_method how, long mib, int rep, int n, const worker_answer *answers,
                     int64_t t0, int64_t t1)
{
    task_record *records = xcalloc((size_t)n, sizeof *records);
    for (int w = 0; w < n; w++)
        records[w] = (task_record){ .task = w, .worker = w, .pid = answers[w].pid, .start_ns = t0, .end_ns = t1,
                                    .core = -1, .result = answers[w].setting };
    char key[64];
    const chapter_run *run = chapter_add_run(c, start_key(key, sizeof key, false, how, mib), n, rep, n, records, t0, t1);
    chapter_set_value(c, run, VALUE_SAW_SETTING, answers[0].setting == late_setting);
}

/* Start `n` workers the given way and wait for every answer. Seconds; the answers. */
static double start_workers(const chapter *c, start_method how, int n, forkserver *server, worker_answer *answers)
{
    int pair[2];
    if (how != START_FORKSERVER && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "socketpair: %s", strerror(errno));
    child_process children[MAX_WORKERS];
    int64_t t0 = now_ns();
    for (int w = 0; w < n; w++) {
        if (how == START_FORK) {
            child_options options = CHILD_OPTIONS_DEFAULT;
            if (child_start(&children[w], &options, forked_worker, &pair[1]) != 0)
                chapter_fail(c, EXIT_EXPERIMENT_FAILED, "fork: %s", strerror(errno));
        } else if (how == START_SPAWN) {
            char fd_text[16], *argv[] = { "chapter12", WORKER_FLAG, fd_text, NULL };
            snprintf(fd_text, sizeof fd_text, "%d", pair[1]);
            posix_spawn_file_actions_t actions;
            posix_spawn_file_actions_init(&actions);
            posix_spawn_file_actions_adddup2(&actions, pair[1], 3); /* the worker's answer goes to fd 3 */
            snprintf(fd_text, sizeof fd_text, "3");
            int rc = spawn_self(&children[w], &actions, argv);
            posix_spawn_file_actions_destroy(&actions);
            if (rc != 0) chapter_fail(c, EXIT_EXPERIMENT_FAILED, "posix_spawn: %s", strerror(rc));
        } else if (write(server->fd, "x", 1) != 1) {
            chapter_fail(c, EXIT_EXPERIMENT_FAILED, "the fork server stopped answering");
        }
    }
    int from = how == START_FORKSERVER ? server->fd : pair[0];
    for (int w = 0; w < n; w++)
        if (read(from, &answers[w], sizeof *answers) != (ssize_t)sizeof *answers)
            chapter_fail(c, EXIT_EXPERIMENT_FAILED, "a %s worker did not answer", start_names[how]);
    double seconds = ns_to_s(now_ns() - t0);
    if (how != START_FORKSERVER) /* the fork server's workers are the server's to reap */
        for (int w = 0; w < n; w++) child_wait(&children[w]);
    if (how != START_FORKSERVER) close(pair[0]), close(pair[1]);
    return seconds;
}

/* ---- part 1: start-up against the parent's memory ---- */

static void measure_startup(chapter *c, forkserver *server, const long *sizes, int count)
{
    int n = c->machine.cores < MAX_WORKERS ? c->machine.cores : MAX_WORKERS;
    worker_answer answers[MAX_WORKERS];
    for (int m = 0; m < count; m++) {
        progress("parent with %ld MiB touched ...", sizes[m]);
        size_t bytes = (size_t)sizes[m] << 20;
        char *memory = bytes ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
        if (memory == MAP_FAILED) chapter_fail(c, EXIT_EXPERIMENT_FAILED, "mmap: %s", strerror(errno));
        if (memory) memset(memory, 1, bytes);
        for (start_method how = 0; how < STARTS; how++) start_workers(c, how, n, server, answers); /* warm-up */
        /* Each size its own rounds (the memory is touched once for all of them). */
        for (int rep = 0; rep < c->cli.reps && rep < CHAPTER_MAX_ROUNDS; rep++)
            for (start_method how = 0; how < STARTS; how++) {
                int64_t t0 = now_ns();
                double seconds = start_workers(c, how, n, server, answers);
                keep_run(c, how, sizes[m], rep, n, answers, t0, t0 + (int64_t)(seconds * 1e9));
            }
        if (memory) munmap(memory, bytes);
    }
}

/* Did the workers started this way see the late setting (in the median run)? */
static bool saw_setting(const chapter *c, bool python, start_method how, long mib)
{
    char key[64];
    return chapter_value(c, start_key(key, sizeof key, python, how, mib), 0, VALUE_SAW_SETTING).median == 1;
}

/* ---- part 2: fork while another thread holds a lock ---- */

static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int stop_locking;

/* Holds the lock half of the time, in 50 us turns. */
static void *locker(void *unused)
{
    (void)unused;
    /* Signals go to the main thread, which forks: it holds them off while it registers
     * a new child with cleanup (child.h), and this thread must not take them instead. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    while (!atomic_load(&stop_locking)) {
        CHECK_PTHREAD(pthread_mutex_lock(&busy_lock));
        int64_t until = now_ns() + 50000;
        while (now_ns() < until) {
        }
        CHECK_PTHREAD(pthread_mutex_unlock(&busy_lock));
        sleep_ns(50000);
    }
    return NULL;
}

/* In the forked child: only this thread exists. Is the lock free? */
static void try_the_lock(void *unused)
{
    (void)unused;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 20 * 1000000;
    if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
    _exit(pthread_mutex_timedlock(&busy_lock, &deadline) == 0 ? 0 : 3); /* 3: it would have deadlocked */
}

/* A line every few seconds while many children are started (--forks 100000 takes
 * minutes): how far, and how many found the lock held so far. */
static void say_how_far(const char *what, int done, int total, int stuck, int64_t *last_ns)
{
    if (now_ns() - *last_ns < 3000000000LL) return;
    *last_ns = now_ns();
    progress_milestone("%s %d of %d children: %d found the lock held", what, done, total, stuck);
}

/* How many of `forks` forked children found the lock held for good; and posix_spawn'd
 * children, which start a fresh program. */
static void fork_with_threads(chapter *c, int forks, int *stuck, int *spawned_stuck)
{
    pthread_t thread;
    atomic_store(&stop_locking, 0);
    CHECK_PTHREAD(pthread_create(&thread, NULL, locker, NULL));
    *stuck = 0;
    int64_t last_ns = now_ns();
    for (int i = 0; i < forks; i++) {
        say_how_far("forked", i, forks, *stuck, &last_ns);
        child_options options = CHILD_OPTIONS_DEFAULT;
        child_process child;
        if (child_start(&child, &options, try_the_lock, NULL) != 0)
            chapter_fail(c, EXIT_EXPERIMENT_FAILED, "fork: %s", strerror(errno));
        int status = child_wait(&child);
        *stuck += WIFEXITED(status) && WEXITSTATUS(status) == 3;
    }
    /* The same many spawned children: a fresh program has no lock to inherit. */
    *spawned_stuck = 0;
    for (int i = 0; i < forks / 10; i++) {
        say_how_far("spawned", i, forks / 10, *spawned_stuck, &last_ns);
        char *argv[] = { "chapter12", WORKER_FLAG, "-1", NULL };
        child_process spawned;
        int rc = spawn_self(&spawned, NULL, argv);
        if (rc != 0) chapter_fail(c, EXIT_EXPERIMENT_FAILED, "posix_spawn: %s", strerror(rc));
        int status = child_wait(&spawned);
        *spawned_stuck += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    atomic_store(&stop_locking, 1);
    CHECK_PTHREAD(pthread_join(thread, NULL));
}

/* ---- real CPython: the same with multiprocessing's contexts ---- */

/* A CPython run's series: its start method and the parent's size (the context); its
 * tasks report the method's index times 10, plus 1 where they saw the late setting. */
static void name_python_run(pool_mode mode, int workers, int ntasks, const task_record *records, void *ctx, char *key,
                            size_t size)
{
    (void)mode, (void)workers;
    int how = ntasks > 0 ? (int)(records[0].result / 10) : -1;
    if (how < 0 || how >= STARTS) how = START_FORK; /* never: original.py reports one of the three */
    start_key(key, size, true, (start_method)how, *(const long *)ctx);
}

static void run_cpython(chapter *c, cpython *py, const long *sizes, int count)
{
    py->reps = c->cli.scale == SCALE_TINY ? 1 : 3; /* tiny: shows that it runs; each rep starts 3 pools */
    py->name_series = name_python_run;
    for (int m = 0; m < count && sizes[m] <= PYTHON_MAX_MIB; m++) {
        long mib = sizes[m];
        py->name_ctx = &mib;
        int from = c->run_count;
        if (!cpython_run(py, NULL, 10, "--modes processes --workers %d --start-methods fork,spawn,forkserver "
                         "--memory-mib %ld", c->machine.cores, mib))
            break;
        for (int i = from; i < c->run_count; i++)
            chapter_set_value(c, c->runs[i], VALUE_SAW_SETTING, c->runs[i]->records[0].result % 10 == 1);
    }
    py->name_series = NULL;
}

static void python_table(chapter *c, const cpython *py, const long *sizes, int count)
{
    char key[64];
    if (!chapter_series_ran(c, start_key(key, sizeof key, true, START_FORK, 0))) return;
    char version[64] = "?", method[64] = "?";
    cpython_fact(py, "default_start_method", method, sizeof method);
    for (int i = 0; i < py->count; i++)
        if (py->interpreters[i].ran) snprintf(version, sizeof version, "%s", py->interpreters[i].label);
    report_text(c->report, "%s's default start method on this machine: %s.", version, method);
    const char *columns[] = { "start method", "parent MiB", "ms to start (interval)", "saw LATE" };
    report_table(c->report, "The same in real CPython: a ProcessPoolExecutor with one worker per core answers one "
                 "task per worker (median and interval over 3 reps):", 4, columns);
    for (int m = 0; m < count; m++)
        for (start_method how = 0; how < STARTS; how++) {
            mode_summary s = chapter_series_summary(c, start_key(key, sizeof key, true, how, sizes[m]), 0);
            if (!s.ran) continue;
            char a[64];
            report_cell(c->report, "CPython %s", start_names[how]);
            report_cell(c->report, "%ld", sizes[m]);
            report_cell(c->report, "%s", estimate_text(stats_scaled(s.wall, 1e3), "%.1f", a, sizeof a));
            report_cell(c->report, "%s", saw_setting(c, true, how, sizes[m]) ? "yes" : "no");
            report_end_row(c->report);
        }
    char spawn[64];
    cpython_agreement(py, "ms to start one worker per core with a small parent, spawn / fork", "C",
                      chapter_vs_reference(c, start_key(spawn, sizeof spawn, false, START_SPAWN, sizes[0]), 0),
                      MODE_CPYTHON_PROCESSES,
                      chapter_vs_reference(c, start_key(key, sizeof key, true, START_SPAWN, sizes[0]), 0));
}

/* ---- the report ---- */

/* One method's start-up time / another's at one size, paired within each round. */
static estimate ratio_to(const chapter *c, long mib, start_method how, start_method base)
{
    char key[64], ref[64];
    return chapter_series_ratio(c, start_key(key, sizeof key, false, how, mib), 0,
                                start_key(ref, sizeof ref, false, base, mib), 0);
}

static void table(chapter *c, const long *sizes, int count)
{
    const char *columns[] = { "parent MiB", "start method", "ms to start (95% CI)", "vs fork (95% CI)",
                              "saw a setting made after start-up" };
    report_table(c->report, "1. Start one worker per core and get an answer from each (median and 95% interval over "
                 "rounds; vs fork: paired within each round):", 5, columns);
    for (int m = 0; m < count; m++)
        for (start_method how = 0; how < STARTS; how++) {
            char a[64], b[64], key[64];
            mode_summary s = chapter_series_summary(c, start_key(key, sizeof key, false, how, sizes[m]), 0);
            report_cell(c->report, "%ld", sizes[m]);
            report_cell(c->report, "%s", start_names[how]);
            report_cell(c->report, "%s", estimate_text(stats_scaled(s.wall, 1e3), "%.2f", a, sizeof a));
            report_cell(c->report, "%s", how == START_FORK ? "1" : estimate_text(s.vs_reference, "%.2fx", b, sizeof b));
            report_cell(c->report, "%s", saw_setting(c, false, how, sizes[m]) ? "yes" : "no");
            report_end_row(c->report);
        }
}

/* The fastest method at one size, if the intervals say so: its name, or "none". */
static const char *fastest(const chapter *c, long mib, char *out, size_t size)
{
    snprintf(out, size, "none of them (the intervals overlap)");
    for (start_method how = 0; how < STARTS; how++) {
        bool best = true;
        for (start_method other = 0; other < STARTS && best; other++)
            if (other != how) best = stats_below(ratio_to(c, mib, how, other), 1.0) == CALL_TRUE;
        if (best) snprintf(out, size, "%s", start_names[how]);
    }
    return out;
}

static void verdict(chapter *c, const long *sizes, int count, int forks, int stuck, int spawned_stuck)
{
    char small[64], large[64];
    bool fork_saw = saw_setting(c, false, START_FORK, sizes[0]), spawn_saw = saw_setting(c, false, START_SPAWN, sizes[0]),
         server_saw = saw_setting(c, false, START_FORKSERVER, sizes[0]);
    bool differ = fork_saw != spawn_saw || fork_saw != server_saw;
    report_verdict(c->report, "%s on this machine: the three start methods behaved differently — a forked worker "
                   "%s the setting made after start-up, spawned and fork-server workers %s%s; the fastest to start "
                   "with a small parent was %s, with %ld MiB %s; and %d of %d children forked while another thread "
                   "was taking a lock found it held for ever (%d of %d spawned ones did).",
                   /* what a worker inherits is no matter of noise, but a verdict needs its rounds too */
                   differ && c->cli.reps >= STATS_MIN_VALUES ? "FALSE" : stats_call_word(CALL_UNDECIDED),
                   fork_saw ? "saw" : "did not see", spawn_saw ? "saw it" : "did not",
                   server_saw != spawn_saw ? " (the fork server's did)" : "", fastest(c, sizes[0], small, sizeof small),
                   sizes[count - 1], fastest(c, sizes[count - 1], large, sizeof large), stuck, forks, spawned_stuck,
                   forks / 10);
    report_headline(c->report, "%s: a forked worker %s the later setting, a spawned one %s; fastest start: %s; %d "
                    "of %d forks hung", differ && c->cli.reps >= STATS_MIN_VALUES ? "FALSE" :
                    stats_call_word(CALL_UNDECIDED), fork_saw ? "saw" : "did not see", spawn_saw ? "did" : "did not",
                    strncmp(small, "none", 4) == 0 ? "no clear winner" : small, stuck, forks);
}

static void tell_the_figure(chapter *c, int forks, int stuck, int spawned_stuck)
{
    chapter_plot_var(c, "forks", "%d", forks);
    chapter_plot_var(c, "stuck", "%d", stuck);
    chapter_plot_var(c, "spawned", "%d", forks / 10);
    chapter_plot_var(c, "spawned_stuck", "%d", spawned_stuck);
}

/* ---- a spawned copy of this program: answer and leave ---- */

static int be_a_spawned_worker(const char *fd_text)
{
    int fd = atoi(fd_text);
    if (fd < 0) { /* part 2's spawned child: is there any lock held here? */
        struct timespec deadline = { 0 };
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 1;
        return pthread_mutex_timedlock(&busy_lock, &deadline) == 0 ? 0 : 3;
    }
    answer(fd);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], WORKER_FLAG) == 0) return be_a_spawned_worker(argv[2]);
    int max_rss_mib = 0, forks = 0;
    static const double rss_by_scale[] = { 256, 1024, 1024 }, forks_by_scale[] = { 50, 400, 2000 };
    const cli_extra extras[] = {
        { "--max-rss-mib", "N", "largest parent memory to start workers from (a default over a quarter of free "
          "memory is lowered to it)", CLI_INT, 0, 65536, &max_rss_mib, rss_by_scale, NULL },
        { "--forks", "N", "children to fork beside a thread that takes a lock", CLI_INT, 10, 100000, &forks,
          forks_by_scale, NULL },
    };
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY,
                  (chapter_flags){ .honours = CLI_PYTHON, .extras = extras, .extra_count = 2 }, argc, argv);
    cpython py;
    cpython_open(&py, &c);
    max_rss_mib = chapter_memory_flag(&c, "--max-rss-mib", max_rss_mib);
    long sizes[MAX_SIZES];
    int count = chapter_sweep_to(size_steps, 3, max_rss_mib, sizes);
    declare_starts(&c, sizes, count);

    /* The fork server first, while this process is small and has no setting yet. */
    forkserver server;
    start_fork_server(&c, &server);
    late_setting = 42;

    measure_startup(&c, &server, sizes, count);
    close(server.fd);
    child_stop(&server.server);
    int stuck = 0, spawned_stuck = 0;
    progress("forking %d children beside a thread that takes a lock ...", forks);
    fork_with_threads(&c, forks, &stuck, &spawned_stuck);
    chapter_meta(&c, "deadlocked_pct", "%.1f", 100.0 * stuck / forks);

    run_cpython(&c, &py, sizes, count);
    table(&c, sizes, count);
    python_table(&c, &py, sizes, count);
    const char *lock_columns[] = { "children", "started by", "found the lock held for ever" };
    report_table(c.report, "2. Children started while another thread takes a lock for 50 us, then leaves it for at "
                 "least 50 us, over and over:", 3, lock_columns);
    report_cell(c.report, "%d", forks);
    report_cell(c.report, "fork");
    report_cell(c.report, "%d (%.0f%%)", stuck, 100.0 * stuck / forks);
    report_end_row(c.report);
    report_cell(c.report, "%d", forks / 10);
    report_cell(c.report, "posix_spawn");
    report_cell(c.report, "%d", spawned_stuck);
    report_end_row(c.report);
    verdict(&c, sizes, count, forks, stuck, spawned_stuck);
    tell_the_figure(&c, forks, stuck, spawned_stuck);
    cpython_close(&py);
    return chapter_finish(&c);
}
