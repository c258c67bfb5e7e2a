/* cli.c — parse and validate the shared flags. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "clock.h"
#include "cli.h"
#include "csv.h"
#include "fail.h"

/* How long --wait-quiet waits for other programs to leave the CPU, at most. */
#define DEFAULT_WAIT_QUIET_S 120

#ifndef GIT_REVISION
#define GIT_REVISION "unknown"
#endif

#define MAX_COUNT 1024
#define MAX_REPS 100
#define MIN_SWITCH_MS 0.01
#define MAX_SWITCH_MS 1000.0

static const char *const scale_names[] = { "tiny", "class", "paper" };
static const char *const runtime_names[] = { [RUNTIME_C] = "c", [RUNTIME_GIL] = "gil", [RUNTIME_BOTH] = "both" };

const char *cli_scale_name(cli_scale scale)
{
    return scale_names[scale];
}

const char *cli_runtime_name(cli_runtime runtime)
{
    return runtime_names[runtime];
}

double cli_work_seconds(cli_scale scale)
{
    /* One run of one mode: short, so that many rounds fit and each pair of runs in a
     * round is close in time (the host's slow moments last seconds). */
    static const double seconds[] = { 0.1, 0.3, 2.5 };
    return seconds[scale];
}

static cli_status usage_error(char *error, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, size, fmt, ap);
    va_end(ap);
    fail_one_line(error); /* a value quoted back may hold a newline or a terminal escape */
    return CLI_USAGE_ERROR;
}

/* Whole-string integer in [min, max]; false on anything else, overflow included. */
static bool parse_int(const char *text, long min, long max, int *value)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) return false;
    *value = (int)v;
    return true;
}

/* An extra flag's default as --help states it: the values the chapter will use. */
static void extra_default(const cli_extra *x, char *out, size_t size)
{
    if (x->by_scale)
        snprintf(out, size, "default: tiny %g, class %g, paper %g", x->by_scale[SCALE_TINY], x->by_scale[SCALE_CLASS],
                 x->by_scale[SCALE_PAPER]);
    else if (x->text_by_scale)
        snprintf(out, size, "default: tiny %s, class %s, paper %s", x->text_by_scale[SCALE_TINY],
                 x->text_by_scale[SCALE_CLASS], x->text_by_scale[SCALE_PAPER]);
    else if (x->kind == CLI_INT)
        snprintf(out, size, "default %d", *(const int *)x->value);
    else if (x->kind == CLI_NUMBER)
        snprintf(out, size, "default %g", *(const double *)x->value);
    else
        snprintf(out, size, "default %s", *(const char *const *)x->value ? *(const char *const *)x->value : "none");
}

/* Rounds by scale, at least and at most. Six is the fewest whose [min, max] is a 95 %
 * interval on the median (stats.h); more rounds let the interval leave out the extremes. */
static const int min_reps_by_scale[] = { 1, 6, 10 }, max_reps_by_scale[] = { 1, 16, 30 };

/* The class scale's most rounds, or more for a chapter whose verdict needs them. */
static int class_most_reps(const cli_options *o)
{
    return o->class_most_reps > max_reps_by_scale[SCALE_CLASS] ? o->class_most_reps : max_reps_by_scale[SCALE_CLASS];
}

static void print_help(const cli_options *o, FILE *out)
{
    fprintf(out, "usage: %s [flags]\n  The claim: %s\n\n", o->program, o->claim);
    if (cli_honours(o, CLI_JOBS))
        fprintf(out, "  --jobs N             jobs to run (1-%d; default: online cores, here %d)\n", MAX_COUNT,
                online_cores());
    if (cli_honours(o, CLI_WORKERS))
        fprintf(out, "  --workers N          threads or processes in the pool (1-%d; default: %s)\n", MAX_COUNT,
                cli_honours(o, CLI_JOBS) ? "--jobs" : "the chapter's sweep");
    fprintf(out,
            "  --scale S            tiny | class | paper (default class; tiny is for tests)\n"
            "  --reps N             rounds, interleaved (1-%d; default: tiny 1, class 6-%d and\n"
            "                       paper 10-30, more while the intervals are wide)\n", MAX_REPS,
            class_most_reps(o));
    if (cli_honours(o, CLI_RUNTIME))
        fprintf(out, "  --runtime R          which threads to run: c | gil | both (default both)\n");
    if (cli_honours(o, CLI_SWITCH_INTERVAL))
        fprintf(out, "  --switch-interval MS the GIL's switch interval (%g-%g; default 5, CPython's)\n",
                MIN_SWITCH_MS, MAX_SWITCH_MS);
    if (cli_honours(o, CLI_PYTHON))
        fprintf(out, "  --python PATH        also run the chapter's original.py with this Python (default\n"
                     "                       python3; none: do not)\n");
    fprintf(out,
            "  --out DIR            where data.csv and summary.md go (default %s, or a folder\n"
            "                       in it named from the flags that change the experiment)\n"
            "  --where              print the folder these flags' results go to, and exit\n"
            "  --quiet              print only the verdict's headline\n"
            "  --wait-quiet[=S]     first wait (at most S seconds, default %d) until no other\n"
            "                       program uses the CPU, instead of measuring beside it\n",
            o->default_out, DEFAULT_WAIT_QUIET_S);
    if (o->answer_keys && *o->answer_keys)
        fprintf(out, "  --predict K=V,...    your guesses, printed beside the measurement after the run\n"
                     "                       (%s)\n", o->answer_keys);
    for (int i = 0; i < o->extra_count; i++) {
        const cli_extra *x = &o->extras[i];
        char flag[64], fallback[96];
        snprintf(flag, sizeof flag, "%s %s", x->name, x->metavar);
        extra_default(x, fallback, sizeof fallback);
        if (x->kind == CLI_TEXT)
            fprintf(out, "  %-20s %s (%s)\n", flag, x->help, fallback);
        else
            fprintf(out, "  %-20s %s (%g-%g; %s)\n", flag, x->help, x->min, x->max, fallback);
    }
    fprintf(out, "  --help, --version\n");
}

/* Why a common flag this chapter does not honour is refused, or NULL if it honours it. */
static const char *not_honoured(const cli_options *o, const char *name)
{
    static const struct {
        const char *name;
        unsigned flag;
        const char *why;
    } common[] = {
        { "--jobs", CLI_JOBS & ~CLI_WORKERS, "it sets its own job counts" },
        { "--workers", CLI_WORKERS, "it sets its own worker counts" },
        { "--runtime", CLI_RUNTIME, "it does not run both C threads and GIL-threads to choose from" },
        { "--switch-interval", CLI_SWITCH_INTERVAL, "it runs no GIL" },
        { "--python", CLI_PYTHON, "it does not run CPython" },
        { "--predict", 0, "its README's Predict block names no quantity to guess" },
    };
    for (size_t i = 0; i < sizeof common / sizeof *common; i++) {
        if (strcmp(name, common[i].name) != 0) continue;
        if (common[i].flag == 0) return o->answer_keys && *o->answer_keys ? NULL : common[i].why;
        return cli_honours(o, common[i].flag) ? NULL : common[i].why;
    }
    return NULL;
}

static cli_status parse_extra(const cli_options *o, const cli_extra *x, const char *value, char *error, size_t size)
{
    if (x->kind == CLI_TEXT) {
        if (!*value) return usage_error(error, size, "%s: %s: expected %s, got ''", o->program, x->name, x->metavar);
        *(const char **)x->value = value;
        return CLI_RUN;
    }
    bool integer = x->kind == CLI_INT;
    bool ok = integer ? parse_int(value, (long)x->min, (long)x->max, (int *)x->value)
                      : csv_number(value, x->min, x->max, (double *)x->value);
    if (ok) return CLI_RUN;
    return usage_error(error, size, "%s: %s: expected %s from %g to %g, got '%s'", o->program, x->name,
                       integer ? "a whole number" : "a number", x->min, x->max, value);
}

static const cli_extra *find_extra(const cli_options *o, const char *name)
{
    for (int i = 0; i < o->extra_count; i++)
        if (strcmp(o->extras[i].name, name) == 0) return &o->extras[i];
    return NULL;
}

static bool takes_value(const cli_options *o, const char *name)
{
    static const char *const with_value[] = { "--jobs", "--workers", "--scale", "--reps",
                                              "--runtime", "--switch-interval", "--out",
                                              "--predict", "--python" };
    for (size_t i = 0; i < sizeof with_value / sizeof *with_value; i++)
        if (strcmp(name, with_value[i]) == 0) return true;
    return find_extra(o, name) != NULL;
}

static bool pick_word(const char *value, const char *const *words, int count, int *choice)
{
    for (int i = 0; i < count; i++)
        if (words[i] && strcmp(value, words[i]) == 0) {
            *choice = i;
            return true;
        }
    return false;
}

/* Flags that are not settings: the same experiment, run more or less, elsewhere, or
 * with another CPython beside it (--python: its version is in the preamble). */
static bool is_setting(const char *name)
{
    static const char *const not_settings[] = { "--scale", "--reps", "--out", "--predict", "--python" };
    for (size_t i = 0; i < sizeof not_settings / sizeof *not_settings; i++)
        if (strcmp(name, not_settings[i]) == 0) return false;
    return true;
}

/* "name=value" appended to o->settings; false if it does not fit. */
static bool add_setting(cli_options *o, const char *name, const char *value)
{
    size_t used = strlen(o->settings);
    int n = snprintf(o->settings + used, sizeof o->settings - used, "%s%s=%s", used ? " " : "", name + 2, value);
    return n >= 0 && (size_t)n < sizeof o->settings - used;
}

/* default_out/SETTINGS: the settings made a folder name (letters, digits, '.', '-';
 * "=" and spaces become '-' and '_', anything else '_'). */
static void out_for_settings(cli_options *o)
{
    char name[sizeof o->settings];
    size_t i = 0;
    for (; o->settings[i] && i + 1 < sizeof name; i++) {
        char ch = o->settings[i];
        name[i] = isalnum((unsigned char)ch) || ch == '.' || ch == '-' ? ch : ch == '=' ? '-' : '_';
    }
    name[i] = '\0';
    snprintf(o->out_buffer, sizeof o->out_buffer, "%s/%s", o->default_out, name);
    o->out = o->out_buffer;
}

/* Apply one "--name value" pair. */
static cli_status apply(cli_options *o, const char *name, const char *value, bool *workers_set, char *error,
                        size_t size)
{
    const char *prog = o->program;
    if (strcmp(name, "--jobs") == 0 || strcmp(name, "--workers") == 0 || strcmp(name, "--reps") == 0) {
        bool reps = strcmp(name, "--reps") == 0;
        int limit = reps ? MAX_REPS : MAX_COUNT;
        int *target = reps ? &o->reps : strcmp(name, "--jobs") == 0 ? &o->jobs : &o->workers;
        if (!parse_int(value, 1, limit, target))
            return usage_error(error, size, "%s: %s: expected a whole number from 1 to %d, got '%s'", prog, name,
                               limit, value);
        if (target == &o->workers) *workers_set = true;
    } else if (strcmp(name, "--scale") == 0) {
        int choice;
        if (!pick_word(value, scale_names, 3, &choice))
            return usage_error(error, size, "%s: --scale: expected tiny, class or paper, got '%s'", prog, value);
        o->scale = (cli_scale)choice;
    } else if (strcmp(name, "--runtime") == 0) {
        int choice;
        if (!pick_word(value, runtime_names, 4, &choice))
            return usage_error(error, size, "%s: --runtime: expected c, gil or both, got '%s'", prog, value);
        o->runtime = (cli_runtime)choice;
    } else if (strcmp(name, "--switch-interval") == 0) {
        if (!csv_number(value, MIN_SWITCH_MS, MAX_SWITCH_MS, &o->switch_interval_ms))
            return usage_error(error, size, "%s: --switch-interval: expected milliseconds from %g to %g, got '%s'",
                               prog, MIN_SWITCH_MS, MAX_SWITCH_MS, value);
    } else if (strcmp(name, "--python") == 0) {
        if (!*value) return usage_error(error, size, "%s: --python: expected a path or a command name, got ''", prog);
        o->python = value;
    } else if (strcmp(name, "--out") == 0) {
        if (!*value) return usage_error(error, size, "%s: --out: expected a directory, got ''", prog);
        o->out = value;
    } else if (strcmp(name, "--predict") == 0) {
        char reason[400];
        if (predict_parse(&o->guesses, &o->answers, value, reason, sizeof reason) != 0)
            return usage_error(error, size, "%s: %s", prog, reason);
    } else {
        return parse_extra(o, find_extra(o, name), value, error, size);
    }
    return CLI_RUN;
}

cli_status cli_parse(cli_options *o, int argc, char **argv, char *error, size_t size, FILE *out)
{
    o->jobs = online_cores();
    o->workers = 0;
    o->reps = 0; /* by scale, unless --reps says */
    o->scale = SCALE_CLASS;
    o->runtime = RUNTIME_BOTH;
    o->switch_interval_ms = 5.0;
    o->out = o->default_out;
    o->out_given = false;
    o->settings[0] = '\0';
    o->where = false;
    o->python = NULL;
    o->quiet = false;
    o->wait_quiet_s = 0;
    o->guesses.count = 0;
    o->extras_given = 0;
    if (predict_keys_from(&o->answers, o->answer_keys ? o->answer_keys : "") != 0)
        fail_at(__FILE__, __LINE__, "predict_keys_from(answer_keys): the chapter's answer keys are malformed", EINVAL);
    bool workers_set = false;
    unsigned long long given = 0; /* which extras were on the command line */

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help(o, out);
            return CLI_DONE;
        }
        if (strcmp(arg, "--version") == 0) {
            fprintf(out, "%s (threads-vs-processes) %s\n", o->program, GIT_REVISION);
            return CLI_DONE;
        }
        if (strcmp(arg, "--quiet") == 0) {
            o->quiet = true;
            continue;
        }
        if (strcmp(arg, "--where") == 0) {
            o->where = true;
            continue;
        }
        /* --wait-quiet alone (2 minutes), or --wait-quiet=SECONDS: its value is optional,
         * so it never takes the next word. */
        if (strcmp(arg, "--wait-quiet") == 0) {
            o->wait_quiet_s = DEFAULT_WAIT_QUIET_S;
            continue;
        }
        if (strncmp(arg, "--wait-quiet=", 13) == 0) {
            if (!csv_number(arg + 13, 1, 3600, &o->wait_quiet_s))
                return usage_error(error, size, "%s: --wait-quiet=SECONDS: expected 1 to 3600 seconds, got '%.20s'",
                                   o->program, arg + 13);
            continue;
        }
        /* --name value, or --name=value */
        char name[64];
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), arg);
        if (strncmp(arg, "--", 2) != 0 || !takes_value(o, name) || len >= sizeof name)
            return usage_error(error, size, "%s: unknown flag '%s' (try --help)", o->program, arg);
        const char *why = not_honoured(o, name);
        if (why) return usage_error(error, size, "%s: %s has no effect here: %s", o->program, name, why);
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        /* No value, or the next flag where the value should be: often `make chapter3
         * ARGS=--reps 12` without quotes, which hands the program "--reps" alone. */
        if (!value || (!eq && strncmp(value, "--", 2) == 0))
            return usage_error(error, size, "%s: %s needs a value (try --help; through make, quote the flags: "
                               "ARGS=\"%s VALUE\")", o->program, name, name);
        cli_status status = apply(o, name, value, &workers_set, error, size);
        if (status != CLI_RUN) return status;
        if (strcmp(name, "--out") == 0) o->out_given = true;
        if (is_setting(name) && !add_setting(o, name, value))
            return usage_error(error, size, "%s: too many flags that change the experiment to record (at most %zu "
                               "characters of them)", o->program, sizeof o->settings - 1);
        const cli_extra *x = find_extra(o, name);
        if (x) given |= 1ull << (x - o->extras);
    }
    /* Defaults by scale, for the extra flags that were not given. */
    for (int k = 0; k < o->extra_count && k < 64; k++) {
        const cli_extra *x = &o->extras[k];
        if (given & (1ull << k)) continue;
        if (x->text_by_scale && x->kind == CLI_TEXT) *(const char **)x->value = x->text_by_scale[o->scale];
        if (!x->by_scale) continue;
        if (x->kind == CLI_INT) *(int *)x->value = (int)x->by_scale[o->scale];
        else if (x->kind == CLI_NUMBER) *(double *)x->value = x->by_scale[o->scale];
    }
    o->extras_given = given;
    o->workers_set = workers_set;
    if (!workers_set) o->workers = o->jobs;
    o->max_reps = o->reps ? o->reps : o->scale == SCALE_CLASS ? class_most_reps(o) : max_reps_by_scale[o->scale];
    if (!o->reps) o->reps = min_reps_by_scale[o->scale];
    /* A run of other settings goes beside the default one, not over it. */
    if (!o->out_given && o->settings[0]) out_for_settings(o);
    if (o->where) {
        fprintf(out, "%s\n", o->out);
        return CLI_DONE;
    }
    return CLI_RUN;
}

bool cli_honours(const cli_options *o, unsigned flags)
{
    return (o->honours & flags) == flags;
}

bool cli_given(const cli_options *o, const char *name)
{
    const cli_extra *x = find_extra(o, name);
    return x && (o->extras_given & (1ull << (x - o->extras)));
}

void cli_parse_or_exit(cli_options *o, int argc, char **argv)
{
    char error[512];
    cli_status status = cli_parse(o, argc, argv, error, sizeof error, stdout);
    if (status == CLI_DONE) {
        fail_unless_stdout_written(o->program);
        exit(0);
    }
    if (status == CLI_USAGE_ERROR) {
        fprintf(stderr, "%s\n", error); /* cli_parse wrote "program: ..." already */
        exit(EXIT_BAD_INPUT);
    }
}

int cli_check_out_dir(const char *dir, char *error, size_t size)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        snprintf(error, size, "--out: %s: %s", dir, strerror(ENAMETOOLONG));
        return -1;
    }
    /* Every name in the path must fit a directory entry. */
    for (const char *part = path; *part;) {
        size_t length = strcspn(part, "/");
        if (length > NAME_MAX) {
            snprintf(error, size, "--out: a name in %.80s... is longer than %d characters", dir, NAME_MAX);
            return -1;
        }
        part += length + (part[length] == '/');
    }
    /* The folder is held open without following a link (chapter.c, open_staging): a
     * link in its place would be found only when the results are written. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        snprintf(error, size, "--out: %s is a symbolic link (name the folder itself)", dir);
        return -1;
    }
    /* Walk up to the nearest folder that exists: it must be a writable directory. */
    while (stat(path, &st) != 0) {
        if (errno != ENOENT) {
            snprintf(error, size, "--out: %s: %s", path, strerror(errno));
            return -1;
        }
        char *slash = strrchr(path, '/');
        if (!slash) {
            snprintf(path, sizeof path, ".");
            break;
        }
        *slash = '\0';
        if (slash == path) snprintf(path, sizeof path, "/");
    }
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(error, size, "--out: %s is not a directory", path);
        return -1;
    }
    if (access(path, W_OK | X_OK) != 0) {
        snprintf(error, size, "--out: %s is not writable: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int cli_make_out_dir(const char *dir, char *error, size_t size)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        snprintf(error, size, "--out: %s: %s", dir, strerror(errno));
        return -1;
    }
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            snprintf(error, size, "--out: cannot create %s: %s", path, strerror(errno));
            return -1;
        }
        *p = saved;
        if (!saved) break;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(error, size, "--out: %s is not a directory", dir);
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int cli_open_out_dir(const char *dir, char *error, size_t size)
{
    if (cli_make_out_dir(dir, error, size) != 0) return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) snprintf(error, size, "--out: %s: %s", dir, errno == ELOOP ? "is a symbolic link" : strerror(errno));
    return fd;
}

int cli_hold_out_dir(const char *dir, const char *staging_prefix, char *error, size_t size)
{
    int fd = cli_open_out_dir(dir, error, size);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(error, size, "--out: %s is in use by another run: wait for it, or choose another --out", dir);
        close(fd);
        return -1;
    }
    atomic_dir_remove_stale(fd, staging_prefix);
    return fd;
}
