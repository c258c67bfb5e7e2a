/* class.c — a class's machines on one figure.
 *
 * usage: build/class share [--results DIR] [--out DIR] [--all]
 *        build/class gather DIR [--chapter N] [--out DIR]
 *        build/class compare DIR_A DIR_B
 *
 * share: one small file for this machine, DIR/tvp-XXXXXXXX.csv (default
 * results/share), to hand in; XXXXXXXX is the machine's id, the same for every run
 * on this machine (so a rerun replaces the file), from a hash of /etc/machine-id
 * (which is not revealed). It holds the machine's description (CPU model, cores, memory,
 * kernel, compiler, the CPython version; no path, no user or host name) and, for
 * every chapter run here, each mode's median time and its time / serial time with
 * the 95 % interval (from results/chapterN/modes.csv).
 *
 * gather: every *.csv handed in, from DIR, one per machine. They come from other machines, so they
 * are data from outside: each is checked whole (its format line, known keys,
 * printable text of bounded length, known modes and scales, finite numbers in
 * range, at most MAX_ROWS rows and SHARE_MAX_FILE_BYTES) before anything is written; a
 * bad one stops the gathering with one line naming the file and the line (exit 2).
 * Then, for one chapter (default 1), DIR_OUT/data.csv (one row per machine and
 * mode), guesses.csv (every --predict guess beside its run's measurement),
 * plot-vars.gp (for chapters/class/figure.gp, drawn by plots/render.sh class
 * DIR_OUT) and summary.md (the class page of the book). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cleanup.h"
#include "cli.h"
#include "csv.h"
#include "fail.h"
#include "modes.h"
#include "predict.h"
#include "report.h"
#include "share.h"
#include "textfile.h"
#include "manifest.h" /* CHAPTER_MANIFEST: every chapter, from chapters/chapters.sh */

#define MAX_FILES 500 /* share files a gathering reads */

/* The chapters, and the folder under --results each writes (chapters/chapters.sh). */
#define MANIFEST_ROW(number, dir, claim, results) { number, results },
static const struct {
    int number;
    const char *results; /* results/chapterN */
} chapters[] = { CHAPTER_MANIFEST(MANIFEST_ROW) };
#undef MANIFEST_ROW
#define CHAPTER_COUNT (int)(sizeof chapters / sizeof *chapters)

static bool is_chapter(int n)
{
    for (int i = 0; i < CHAPTER_COUNT; i++)
        if (chapters[i].number == n) return true;
    return false;
}

/* --- share ------------------------------------------------------------------- */

/* The CPython version without where it was found: "CPython 3.11.7 (/root/...)" ->
 * "CPython 3.11.7": a path can hold a user name. */
static void without_path(char *text)
{
    char *paren = strstr(text, " (");
    if (paren) *paren = '\0';
    for (char *c = text; *c; c++)
        if (*c == '/' || (unsigned char)*c < 0x20) *c = '?';
}

/* The modes.csv columns a share file keeps, in its order after chapter and scale. */
static const char *const kept_columns[] = { "series", "family", "mode", "reference", "reference_workers", "workers",
                                            "reps", "wall_median_s", "vs_reference", "vs_reference_lo",
                                            "vs_reference_hi" };
#define KEPT_COUNT 11

/* A run's scale and settings, from its modes.csv preamble ("not recorded": a run
 * from before the workbook recorded them). */
static void run_setup(const char *text, char *scale, size_t scale_size, char *settings, size_t settings_size)
{
    if (!csv_preamble_value(text, "scale", scale, scale_size)) snprintf(scale, scale_size, "unknown");
    if (!csv_preamble_value(text, "settings", settings, settings_size)) snprintf(settings, settings_size, "not recorded");
}

/* What a class compares by default: the experiment as the chapter defines it, at
 * the class scale or above. */
static bool default_experiment(const char *scale, const char *settings)
{
    return (strcmp(scale, "class") == 0 || strcmp(scale, "paper") == 0) && strcmp(settings, "default") == 0;
}

/* A run's modes.csv text: of the default experiment? */
static bool shareable_by_default(const char *text)
{
    char scale[16], settings[SHARE_MAX_SETTINGS + 1];
    run_setup(text, scale, sizeof scale, settings, sizeof settings);
    return default_experiment(scale, settings);
}

/* This chapter's rows of modes.csv into the share file, each with the run's scale
 * and settings. */
static void share_chapter(csv_writer *w, int chapter, const char *text)
{
    char scale[16], settings[SHARE_MAX_SETTINGS + 1];
    run_setup(text, scale, sizeof scale, settings, sizeof settings);
    char *copy = xstrdup(text), *names[32], *fields[32];
    int name_count = 0, kept[KEPT_COUNT];
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') continue;
        if (name_count == 0) { /* the header: where each kept column is (-1: missing, no row is kept) */
            name_count = csv_split(line, names, 32);
            for (int k = 0; k < KEPT_COUNT; k++) kept[k] = csv_column(names, name_count, kept_columns[k]);
            continue;
        }
        bool complete = csv_split(line, fields, 32) == name_count;
        for (int k = 0; k < KEPT_COUNT; k++) complete = complete && kept[k] >= 0;
        if (!complete || pool_mode_from_name(fields[kept[2]]) == MODE_COUNT) continue;
        csv_int(w, chapter);
        csv_str(w, scale);
        csv_str(w, settings);
        for (int k = 0; k < KEPT_COUNT; k++) csv_str(w, fields[kept[k]]);
        csv_end_row(w);
    }
    free(copy);
}

/* The student's --predict guesses in a chapter's answers.csv (key, median, lo, hi,
 * n, guess), each as a "# guess=" line beside what the run measured; rows without a
 * guess or a measurement, or that are not well formed, are left out. */
static void share_guesses(csv_writer *w, int chapter, char *answers)
{
    for (char *line = strtok(answers, "\n"); line; line = strtok(NULL, "\n")) {
        char *f[8];
        double guess, median, lo, hi;
        if (csv_split(line, f, 8) != 6 || !*f[5] || !csv_number(f[5], 0, 1e6, &guess) ||
            !csv_number(f[1], 0, 1e6, &median))
            continue; /* the header, an unguessed or unmeasured key */
        size_t n = strlen(f[0]);
        if (!n || n > 32 || strspn(f[0], "abcdefghijklmnopqrstuvwxyz0123456789/_-") != n) continue;
        bool interval = csv_number(f[2], 0, 1e6, &lo) && csv_number(f[3], 0, 1e6, &hi) && lo <= hi;
        if (interval)
            csv_meta(w, SHARE_GUESS_KEY, "%d,%s,%g,%g,%g,%g", chapter, f[0], guess, median, lo, hi);
        else
            csv_meta(w, SHARE_GUESS_KEY, "%d,%s,%g,%g,,", chapter, f[0], guess, median);
    }
}

/* FNV-1a of a text. */
static uint32_t fnv1a(const char *text, uint32_t hash)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) hash = (hash ^ *c) * 16777619u;
    return hash;
}

/* This machine's id: the same for every share from it (a rerun replaces the file
 * handed in), different between machines, even identical ones: a hash of
 * /etc/machine-id (systemd's per-installation id; its hash does not reveal it),
 * or of the host name where there is none. */
static uint32_t machine_id(void)
{
    char why[100], host[256] = "";
    char *id = textfile_read("/etc/machine-id", 256, why, sizeof why);
    if (!id && gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "unknown");
    uint32_t hash = fnv1a(id ? id : host, fnv1a("threads-vs-processes share:", 2166136261u));
    free(id);
    return hash;
}

static noreturn void cannot_write(atomic_dir dir, const char *name)
{
    fail_user("class", EXIT_EXPERIMENT_FAILED, "cannot write %s/%s: %s", dir.path, name, strerror(errno));
}

/* `all`: every chapter's last run in results/chapterN, whatever its scale and
 * settings (each row says which); else only runs of the default experiment at the
 * class scale or above, and one line naming the chapters left out. */
static int share(const char *results, const char *out_dir, bool all)
{
    char *texts[SHARE_MAX_CHAPTER + 1] = { 0 }, why[200], path[1024], left_out[200] = "", to_run[400] = "";
    uint32_t id = machine_id();
    int found = 0;
    for (int i = 0; i < CHAPTER_COUNT; i++) {
        int n = chapters[i].number;
        snprintf(path, sizeof path, "%s/%s/modes.csv", results, strrchr(chapters[i].results, '/') + 1);
        texts[n] = textfile_read(path, 4 * SHARE_MAX_FILE_BYTES, why, sizeof why);
        if (texts[n] && !all && !shareable_by_default(texts[n])) {
            free(texts[n]);
            texts[n] = NULL;
            snprintf(left_out + strlen(left_out), sizeof left_out - strlen(left_out), "%s%d", *left_out ? ", " : "", n);
            snprintf(to_run + strlen(to_run), sizeof to_run - strlen(to_run), " chapter%d", n);
        }
        found += texts[n] != NULL;
    }
    if (*left_out)
        printf("share: left out chapter%s %s: %s last run was not the default experiment at the class scale (make%s; "
               "or make share ALL=1 to share it, labelled)\n", strchr(left_out, ',') ? "s" : "", left_out,
               strchr(left_out, ',') ? "their" : "its", to_run);
    if (!found)
        fail_user("class", EXIT_BAD_INPUT, "share: no chapter has %sresults in %s yet (make all, or make chapterN)",
                  all ? "" : "class-scale ", results);
    char error[600], name[32];
    atomic_dir out = { cli_open_out_dir(out_dir, error, sizeof error), out_dir };
    if (out.fd < 0) fail_user("class", EXIT_EXPERIMENT_FAILED, "%s", error);
    snprintf(name, sizeof name, "tvp-%08x.csv", id);
    machine_info m;
    machine_describe(&m);
    char python[SHARE_MAX_TEXT + 1] = "";
    for (int n = 0; n <= SHARE_MAX_CHAPTER && !*python; n++)
        if (texts[n]) csv_preamble_value(texts[n], "python", python, sizeof python);
    without_path(python);

    csv_writer w;
    if (csv_open_at(&w, out.fd, out_dir, name) != 0) cannot_write(out, name);
    fputs(SHARE_FORMAT_LINE "\n", w.file.stream);
    csv_meta(&w, "id", "%08x", id);
    /* Each value at most SHARE_MAX_TEXT characters, as gather accepts. */
    csv_meta(&w, "machine", "%.100s", m.cpu_model);
    csv_meta(&w, "cores", "%d", m.cores);
    csv_meta(&w, "memory_gib", "%.1f", m.memory_gib);
    csv_meta(&w, "kernel", "%.100s", m.kernel);
    csv_meta(&w, "compiler", "%.100s", m.compiler);
    csv_meta(&w, "python", "%.100s", *python ? python : "none");
    for (int i = 0; i < CHAPTER_COUNT; i++) {
        int n = chapters[i].number;
        if (!texts[n]) continue;
        snprintf(path, sizeof path, "%s/%s/answers.csv", results, strrchr(chapters[i].results, '/') + 1);
        char *answers = textfile_read(path, SHARE_MAX_FILE_BYTES, why, sizeof why);
        if (answers) share_guesses(&w, n, answers);
        free(answers);
    }
    csv_header(&w, share_columns, SHARE_COLUMN_COUNT);
    for (int n = 0; n <= SHARE_MAX_CHAPTER; n++)
        if (texts[n]) share_chapter(&w, n, texts[n]);
    if (csv_commit(&w) != 0) cannot_write(out, name);
    close(out.fd);
    for (int n = 0; n <= SHARE_MAX_CHAPTER; n++) free(texts[n]);
    printf("share: %s/%s (%d chapter%s of results; hand this file in)\n", out_dir, name, found, found == 1 ? "" : "s");
    return 0;
}

/* --- gather ------------------------------------------------------------------- */

static int by_file_name(const void *a, const void *b)
{
    return strcmp(((const share_machine *)a)->file, ((const share_machine *)b)->file);
}

/* Two files from one machine (the same id) would count it twice: refused, naming both. */
static void refuse_same_machine(const char *dir, const share_machine *machines, int count)
{
    for (int i = 1; i < count; i++)
        if (strcmp(machines[i].values[SHARE_KEY_ID], machines[i - 1].values[SHARE_KEY_ID]) == 0)
            fail_user("class", EXIT_BAD_INPUT,
                      "gather: %s/%s and %s come from the same machine (id %s): keep one file per machine", dir,
                      machines[i - 1].file, machines[i].file, machines[i].values[SHARE_KEY_ID]);
}

static int by_id_then_file_name(const void *a, const void *b)
{
    const share_machine *x = a, *y = b;
    int by_id = strcmp(x->values[SHARE_KEY_ID], y->values[SHARE_KEY_ID]);
    return by_id ? by_id : strcmp(x->file, y->file);
}

/* Every DIR/NAME.csv (or .CSV; not hidden), checked whole; exit 2 at the first bad
 * one, or if two come from one machine. The other files are counted and said. */
static int read_class(const char *dir, share_machine **machines)
{
    DIR *d = opendir(dir);
    if (!d) fail_user("class", EXIT_BAD_INPUT, "gather: cannot open %s: %s", dir, strerror(errno));
    int count = 0, skipped = 0;
    *machines = NULL;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.') continue;
        if (len < 5 || strcasecmp(e->d_name + len - 4, ".csv") != 0) {
            skipped++;
            continue;
        }
        if (count == MAX_FILES) fail_user("class", EXIT_BAD_INPUT, "gather: more than %d files in %s", MAX_FILES, dir);
        *machines = xrealloc(*machines, (size_t)count + 1, sizeof **machines);
        share_machine *s = &(*machines)[count];
        snprintf(s->file, sizeof s->file, "%.255s", e->d_name);
        char path[1024], why[300];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!share_printable(e->d_name) || len >= sizeof s->file)
            fail_user("class", EXIT_BAD_INPUT, "gather: a file name in %s is not plain text", dir);
        char *text = textfile_read(path, SHARE_MAX_FILE_BYTES, why, sizeof why);
        if (!text || share_parse(text, s, why, sizeof why))
            fail_user("class", EXIT_BAD_INPUT, "gather: %s: %s", path, why);
        free(text);
        count++;
    }
    closedir(d);
    if (count == 0) fail_user("class", EXIT_BAD_INPUT, "gather: no share files (*.csv) in %s (make share writes one)", dir);
    qsort(*machines, (size_t)count, sizeof **machines, by_id_then_file_name);
    refuse_same_machine(dir, *machines, count);
    qsort(*machines, (size_t)count, sizeof **machines, by_file_name);
    if (skipped) warn_user("class", "gather: %d file%s in %s %s not *.csv: left out", skipped, skipped == 1 ? "" : "s",
                           dir, skipped == 1 ? "is" : "are");
    return count;
}

/* What the class pools: every row of the chapter that is a ratio to another series
 * (a reference against itself is 1 on every machine, and tells nothing). */
static bool pooled(const share_row *r, int chapter)
{
    bool itself = strcmp(r->series, r->reference) == 0 && (!r->reference_workers || r->workers == r->reference_workers);
    return r->chapter == chapter && !isnan(r->vs_reference) && !itself;
}

/* The families the chapter's pooled rows belong to, in the order first met, as one
 * space-separated list of plain names (each checked by plain_key). */
static int families_of(const share_machine *machines, int count, int chapter, char *list, size_t size)
{
    int n = 0;
    list[0] = '\0';
    for (int i = 0; i < count; i++)
        for (int r = 0; r < machines[i].row_count; r++) {
            const share_row *row = &machines[i].rows[r];
            if (!pooled(row, chapter)) continue;
            char padded[SHARE_MAX_KEY + 3];
            snprintf(padded, sizeof padded, " %s ", row->family);
            char spaced[size + 2];
            snprintf(spaced, sizeof spaced, " %s ", list);
            if (strstr(spaced, padded) || strlen(list) + strlen(row->family) + 2 > size) continue;
            snprintf(list + strlen(list), size - strlen(list), "%s%s", *list ? " " : "", row->family);
            n++;
        }
    return n;
}

/* A share row of the default experiment: what the class compares. */
static bool default_run(const share_row *r)
{
    return default_experiment(r->scale, r->settings);
}

/* data.csv: every pooled row, with its run's scale and settings; `default_run` 1 for
 * the default experiment at the class scale or above (the figure's range is theirs:
 * a tiny run's ratios would squash it). */
static void write_data(atomic_dir dir, const share_machine *machines, int count, int chapter, double *lo, double *hi)
{
    csv_writer w;
    if (csv_open_at(&w, dir.fd, dir.path, "data.csv") != 0) cannot_write(dir, "data.csv");
    csv_meta(&w, "chapter", "%d", chapter);
    csv_meta(&w, "machines", "%d", count);
    const char *columns[] = { "machine", "id", "cores", "series", "family", "mode", "reference", "workers", "scale",
                              "settings", "default_run", "vs_reference", "vs_reference_lo", "vs_reference_hi" };
    csv_header(&w, columns, 14);
    double range_lo[2] = { INFINITY, INFINITY }, range_hi[2] = { 0, 0 };
    for (int i = 0; i < count; i++)
        for (int k = 0; k < machines[i].row_count; k++) {
            const share_row *r = &machines[i].rows[k];
            if (!pooled(r, chapter)) continue;
            csv_int(&w, i + 1);
            csv_str(&w, machines[i].values[SHARE_KEY_ID]);
            csv_int(&w, machines[i].cores);
            csv_str(&w, r->series);
            csv_str(&w, r->family);
            csv_str(&w, pool_mode_name(r->mode));
            csv_str(&w, r->reference);
            csv_int(&w, r->workers);
            csv_str(&w, r->scale);
            csv_str(&w, r->settings);
            csv_int(&w, default_run(r));
            csv_num(&w, r->vs_reference, 4);
            if (isnan(r->lo)) csv_str(&w, ""); else csv_num(&w, r->lo, 4);
            if (isnan(r->hi)) csv_str(&w, ""); else csv_num(&w, r->hi, 4);
            csv_end_row(&w);
            int set = !default_run(r); /* 0: the default experiment's range, 1: the others' */
            range_lo[set] = fmin(range_lo[set], isnan(r->lo) ? r->vs_reference : r->lo);
            range_hi[set] = fmax(range_hi[set], isnan(r->hi) ? r->vs_reference : r->hi);
        }
    /* The figure's range: the default experiment's, or, where no machine ran it, the others'. */
    int set = range_hi[0] > 0 ? 0 : 1;
    *lo = range_lo[set], *hi = range_hi[set];
    if (csv_commit(&w) != 0) cannot_write(dir, "data.csv");
}

static void write_plot_vars(atomic_dir dir, int count, int chapter, const char *families, double lo, double hi,
                            int guesses)
{
    atomic_file f;
    if (atomic_file_open_at(&f, dir.fd, dir.path, "plot-vars.gp") != 0) cannot_write(dir, "plot-vars.gp");
    /* Numbers, fixed words and checked plain names only: nothing from the handed-in
     * files reaches gnuplot as code. */
    fprintf(f.stream, "chapter = %d\nmachines = %d\nclaim = 'the class, one point per machine'\n"
            "claim_enhanced = claim\nnote = '%d machine%s; whiskers: each run''s 95%% interval'\n"
            "families = '%s'\n",
            chapter, count, count, count == 1 ? "" : "s", families);
    /* Ratios over more than a factor of 20 (chapter 9's slowdowns) read on a log axis. */
    fprintf(f.stream, "ratio_lo = %g\nratio_hi = %g\nlog_ratios = %d\n", lo, hi, lo > 0 && hi / lo > 20);
    fprintf(f.stream, "guesses = %d\n", guesses); /* guesses.csv's rows: a second panel when any */
    modes_write_gnuplot(f.stream);
    if (atomic_file_commit(&f) != 0) cannot_write(dir, "plot-vars.gp");
}

/* A median with the interval a run of `rounds` rounds reported (NAN bounds: none),
 * for estimate_text: its coverage where fewer rounds made it less than 95 %
 * (stats.h), no interval at all below STATS_MIN_VALUES rounds. */
static estimate reported_estimate(double median, double lo, double hi, int rounds)
{
    estimate e = { .median = median, .lo = lo, .hi = hi, .n = isnan(lo) || isnan(hi) ? 0 : rounds };
    e.coverage = e.n >= STATS_DECIDING_VALUES ? STATS_LEVEL /* the chapter chose the 95 % interval */
                 : e.n >= STATS_MIN_VALUES    ? stats_order_coverage(e.n, 1)
                                              : 0;
    return e;
}

/* A machine's ratio with its interval (estimate_text), or "-". */
static void ratio_cell(FILE *out, const share_row *r)
{
    char text[96];
    if (!r || isnan(r->vs_reference)) fputs(" - |", out);
    else fprintf(out, " %s |", estimate_text(reported_estimate(r->vs_reference, r->lo, r->hi, r->rounds), "%.2f", text,
                                             sizeof text));
}

/* A machine's row of a series (the most workers: the chapter's main setting), or NULL. */
static const share_row *row_of(const share_machine *s, int chapter, const char *series)
{
    const share_row *best = NULL;
    for (int r = 0; r < s->row_count; r++)
        if (pooled(&s->rows[r], chapter) && strcmp(s->rows[r].series, series) == 0 &&
            (!best || s->rows[r].workers > best->workers))
            best = &s->rows[r];
    return best;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "0.50, 0.80, 1.00": sorted values, as a strip a reader scans. */
static void value_strip(FILE *out, double *values, int n)
{
    qsort(values, (size_t)n, sizeof *values, by_value);
    for (int i = 0; i < n; i++) fprintf(out, "%s%.2f", i ? ", " : "", values[i]);
}

/* The class's --predict guesses for the chapter, key by key, beside what the class
 * measured: every guess and every median, sorted, and how many guesses fell inside
 * their own run's interval. Nothing where nobody guessed. */
/* The keys the class guessed for the chapter, in the order first met. Their count. */
static int guessed_keys(const share_machine *machines, int count, int chapter, char keys[PREDICT_MAX_KEYS][33])
{
    int key_count = 0;
    for (int i = 0; i < count; i++)
        for (int g = 0; g < machines[i].guess_count; g++) {
            const share_guess *guess = &machines[i].guesses[g];
            bool seen = false;
            for (int k = 0; k < key_count; k++) seen |= strcmp(keys[k], guess->key) == 0;
            if (guess->chapter == chapter && !seen && key_count < PREDICT_MAX_KEYS)
                snprintf(keys[key_count++], sizeof keys[0], "%s", guess->key);
        }
    return key_count;
}

/* guesses.csv, for the figure's second panel: every guess of the chapter beside its
 * run's median and interval, keys numbered from 1 in the order first met. Its row
 * count (the header alone where nobody guessed: a previous gathering's file is
 * replaced, never left behind). */
static int write_guesses(atomic_dir dir, const share_machine *machines, int count, int chapter)
{
    char keys[PREDICT_MAX_KEYS][33];
    int key_count = guessed_keys(machines, count, chapter, keys), rows = 0;
    csv_writer w;
    if (csv_open_at(&w, dir.fd, dir.path, "guesses.csv") != 0) cannot_write(dir, "guesses.csv");
    const char *columns[] = { "key_index", "key", "machine", "guess", "median", "lo", "hi" };
    csv_header(&w, columns, 7);
    for (int k = 0; k < key_count; k++)
        for (int i = 0; i < count; i++)
            for (int g = 0; g < machines[i].guess_count; g++) {
                const share_guess *guess = &machines[i].guesses[g];
                if (guess->chapter != chapter || strcmp(guess->key, keys[k]) != 0) continue;
                csv_int(&w, k + 1);
                csv_str(&w, keys[k]); /* a checked plain key (share.c) */
                csv_int(&w, i + 1);
                csv_num(&w, guess->guess, 4);
                csv_num(&w, guess->median, 4);
                if (isnan(guess->lo)) csv_str(&w, ""); else csv_num(&w, guess->lo, 4);
                if (isnan(guess->hi)) csv_str(&w, ""); else csv_num(&w, guess->hi, 4);
                csv_end_row(&w);
                rows++;
            }
    if (csv_commit(&w) != 0) cannot_write(dir, "guesses.csv");
    return rows;
}

static void write_predictions(FILE *out, const share_machine *machines, int count, int chapter)
{
    char keys[PREDICT_MAX_KEYS][33];
    int key_count = guessed_keys(machines, count, chapter, keys);
    if (!key_count) return;
    fprintf(out, "\n### The class's predictions\n\nEach student's guess (`--predict`) beside what the class measured, "
            "sorted low to high; a guess is *inside* when it fell in its own run's interval.\n\n"
            "| quantity | guesses | the class measured (medians) | inside |\n|---|---|---|---:|\n");
    for (int k = 0; k < key_count; k++) {
        double guesses[SHARE_MAX_GUESSES * 8], medians[SHARE_MAX_GUESSES * 8];
        int n = 0, inside = 0, intervals = 0;
        for (int i = 0; i < count; i++)
            for (int g = 0; g < machines[i].guess_count && n < SHARE_MAX_GUESSES * 8; g++) {
                const share_guess *guess = &machines[i].guesses[g];
                if (guess->chapter != chapter || strcmp(guess->key, keys[k]) != 0) continue;
                guesses[n] = guess->guess, medians[n] = guess->median, n++;
                if (!isnan(guess->lo)) intervals++, inside += guess->guess >= guess->lo && guess->guess <= guess->hi;
            }
        fprintf(out, "| `%s` | ", keys[k]); /* a checked plain key (share.c) */
        value_strip(out, guesses, n);
        fputs(" | ", out);
        value_strip(out, medians, n);
        fprintf(out, " | %d of %d |\n", inside, intervals);
    }
}

/* summary.md: the class page of the book. Everything from the files is escaped. A
 * machine per row; a column per series (at most COLUMNS, the first met). */
#define COLUMNS 8
static void write_summary(atomic_dir dir, const share_machine *machines, int count, int chapter)
{
    const char *series[COLUMNS];
    const share_row *first[COLUMNS];
    int columns = 0;
    for (int i = 0; i < count; i++)
        for (int r = 0; r < machines[i].row_count && columns < COLUMNS; r++) {
            const share_row *row = &machines[i].rows[r];
            bool seen = false;
            for (int k = 0; k < columns; k++) seen |= strcmp(series[k], row->series) == 0;
            if (pooled(row, chapter) && !seen) first[columns] = row, series[columns++] = row->series;
        }
    atomic_file f;
    if (atomic_file_open_at(&f, dir.fd, dir.path, "summary.md") != 0) cannot_write(dir, "summary.md");
    FILE *out = f.stream;
    fprintf(out, "## The class: chapter %d on %d machine%s\n\n", chapter, count, count == 1 ? "" : "s");
    fprintf(out, "Each row is one machine's shared results (`make share`); each ratio is a series' time over its "
            "reference's time on that machine (the column says which), the median over its rounds and its 95 %% "
            "interval (with its coverage where fewer rounds make it less than 95 %%). Below 1.0 is faster than the "
            "reference. The scale and settings say what each machine ran: a run at another scale or with other "
            "settings (an exercise, `make share ALL=1`) is a different experiment, drawn apart in the figure (open "
            "circles) and left out of its range.\n\n| # | id | CPU | cores | memory GiB | CPython | scale | settings |");
    for (int k = 0; k < columns; k++) fprintf(out, " `%s` / `%s` |", first[k]->series, first[k]->reference);
    fputs("\n|---:|---|---|---:|---:|---|---|---|", out);
    for (int k = 0; k < columns; k++) fputs("---:|", out);
    fputc('\n', out);
    int without = 0;
    for (int i = 0; i < count; i++) {
        fprintf(out, "| %d |", i + 1);
        for (int k = 0; k < SHARE_MACHINE_KEY_COUNT; k++) {
            if (k == 4 || k == 5) continue; /* kernel and compiler: in the files, not in the table */
            char *escaped = report_escape_markdown(machines[i].values[k]);
            fprintf(out, " %s |", escaped);
            free(escaped);
        }
        const share_row *setup = NULL; /* the run's scale and settings: the same on every row of it */
        for (int r = 0; r < machines[i].row_count && !setup; r++)
            if (pooled(&machines[i].rows[r], chapter)) setup = &machines[i].rows[r];
        char *settings = report_escape_markdown(setup ? setup->settings : "-");
        fprintf(out, " %s | %s |", setup ? setup->scale : "-", settings);
        free(settings);
        bool any = false;
        for (int k = 0; k < columns; k++) {
            const share_row *r = row_of(&machines[i], chapter, series[k]);
            any |= r != NULL;
            ratio_cell(out, r);
        }
        without += !any;
        fputc('\n', out);
    }
    if (without)
        fprintf(out, "\n%d machine%s had not run chapter %d: %s row%s show dashes.\n", without, without == 1 ? "" : "s",
                chapter, without == 1 ? "its" : "their", without == 1 ? "" : "s");
    write_predictions(out, machines, count, chapter);
    if (atomic_file_commit(&f) != 0) cannot_write(dir, "summary.md");
}

/* The three files, written into a private folder inside --out and then renamed in
 * together (all by descriptor), so the folder holds one gathering whole or the one
 * before. */
static int gather(const char *dir, const char *out_dir, int chapter)
{
    share_machine *machines;
    int count = read_class(dir, &machines);
    char families[1024];
    if (families_of(machines, count, chapter, families, sizeof families) == 0) {
        printf("class: chapter %d: nothing to pool against core count (no machine's share holds a ratio of it); "
               "nothing written\n", chapter);
        free(machines);
        return 0;
    }
    /* --out held with a lock for the whole gathering (cli_hold_out_dir). */
    char error[600];
    atomic_dir out = { cli_hold_out_dir(out_dir, ".class-", error, sizeof error), out_dir };
    if (out.fd < 0) fail_user("class", EXIT_EXPERIMENT_FAILED, "%s", error);
    char name[32], staging_path[1100];
    atomic_dir staging = { -1, staging_path };
    if ((staging.fd = atomic_dir_create_at(out.fd, ".class-", name, sizeof name)) < 0)
        fail_user("class", EXIT_EXPERIMENT_FAILED, "cannot write into %s: %s", out_dir, strerror(errno));
    snprintf(staging_path, sizeof staging_path, "%s/%s", out_dir, name);
    cleanup_temp_dir(out.fd, name);
    double lo, hi;
    write_data(staging, machines, count, chapter, &lo, &hi);
    int guesses = write_guesses(staging, machines, count, chapter);
    write_plot_vars(staging, count, chapter, families, lo, hi, guesses);
    write_summary(staging, machines, count, chapter);
    char refused[256] = "";
    int failed = atomic_dir_publish(staging.fd, out.fd, refused, sizeof refused) != 0 ? errno : 0;
    close(staging.fd);
    atomic_dir_remove(out.fd, name); /* empty, or what could not be published */
    cleanup_temp_dir_done(out.fd, name);
    if (failed)
        fail_user("class", EXIT_EXPERIMENT_FAILED, "cannot write %s/%s: %s", out_dir, refused,
                  failed == EEXIST ? "something that is not a regular file is in its place" : strerror(failed));
    printf("class: %d machine%s, chapter %d: %s/{data.csv,summary.md}\n", count, count == 1 ? "" : "s", chapter,
           out_dir);
    close(out.fd);
    free(machines);
    return 0;
}

/* --- compare ------------------------------------------------------------------ */

/* One results folder's modes.csv, for compare: the file's text and its columns. */
typedef struct {
    const char *dir;
    char *text, scale[16], settings[SHARE_MAX_SETTINGS + 1];
    char *rows[SHARE_MAX_ROWS][32];
    int row_count, field_count, series, workers, ratio, lo, hi, reps;
} run_folder;

static void read_folder(run_folder *f, const char *dir)
{
    char why[300], path[1024];
    f->dir = dir;
    snprintf(path, sizeof path, "%s/modes.csv", dir);
    f->text = textfile_read(path, 4 * SHARE_MAX_FILE_BYTES, why, sizeof why);
    if (!f->text) fail_user("class", EXIT_BAD_INPUT, "compare: %s", why);
    run_setup(f->text, f->scale, sizeof f->scale, f->settings, sizeof f->settings);
    char *names[32];
    f->row_count = f->field_count = 0;
    for (char *line = strtok(f->text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') continue;
        if (!f->field_count) {
            f->field_count = csv_split(line, names, 32);
            f->series = csv_column(names, f->field_count, "series");
            f->workers = csv_column(names, f->field_count, "workers");
            f->reps = csv_column(names, f->field_count, "reps");
            f->ratio = csv_column(names, f->field_count, "vs_reference");
            f->lo = csv_column(names, f->field_count, "vs_reference_lo");
            f->hi = csv_column(names, f->field_count, "vs_reference_hi");
            if (f->series < 0 || f->workers < 0 || f->reps < 0 || f->ratio < 0 || f->lo < 0 || f->hi < 0)
                fail_user("class", EXIT_BAD_INPUT, "compare: %s/modes.csv is not a chapter's modes.csv", dir);
            continue;
        }
        if (f->row_count < SHARE_MAX_ROWS && csv_split(line, f->rows[f->row_count], 32) == f->field_count)
            f->row_count++;
    }
}

/* The row of `series` with `workers` in a folder, or -1. */
static int folder_row(const run_folder *f, const char *series, const char *workers)
{
    for (int r = 0; r < f->row_count; r++)
        if (strcmp(f->rows[r][f->series], series) == 0 && strcmp(f->rows[r][f->workers], workers) == 0) return r;
    return -1;
}

/* "1.05 (0.98-1.10)" for a row (its coverage after it where the rounds were too few
 * for 95 %: stats.h), "-" where the folder has no such row or no ratio, "?" for
 * what is not a number. */
static void folder_cell(report *rep, const run_folder *f, int r)
{
    char *const *v = r >= 0 ? f->rows[r] : NULL;
    double median, reps, lo, hi;
    if (!v || !*v[f->ratio]) {
        report_cell(rep, "-");
    } else if (!csv_number(v[f->ratio], 0, 1e6, &median) || !csv_number(v[f->reps], 0, 1000, &reps)) {
        report_cell(rep, "?");
    } else {
        if (!csv_number(v[f->lo], 0, 1e6, &lo) || !csv_number(v[f->hi], 0, 1e6, &hi)) lo = hi = NAN; /* none */
        char text[96];
        report_cell(rep, "%s", estimate_text(reported_estimate(median, lo, hi, (int)reps), "%.2f", text, sizeof text));
    }
}

/* Two results folders side by side (an exercise run and the default one): each
 * series' time / its reference's time with its interval, and its median time. */
static int compare(const char *a, const char *b)
{
    run_folder *f = xcalloc(2, sizeof *f);
    read_folder(&f[0], a);
    read_folder(&f[1], b);
    report *rep = report_new("Two runs side by side");
    for (int i = 0; i < 2; i++) {
        char *settings = xstrdup(f[i].settings);
        for (char *c = settings; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
        report_text(rep, "%s: %s, scale %s, settings: %s", i ? "B" : "A", f[i].dir, f[i].scale, settings);
        free(settings);
    }
    const char *columns[] = { "series", "workers", "A", "B" };
    report_table(rep, "Each series' time / its reference's time (the same language's serial run), median and "
                 "interval over the rounds (\"-\": not measured in that run):", 4, columns);
    for (int i = 0; i < 2; i++)
        for (int r = 0; r < f[i].row_count; r++) {
            const char *series = f[i].rows[r][f[i].series], *workers = f[i].rows[r][f[i].workers];
            if (i == 1 && folder_row(&f[0], series, workers) >= 0) continue; /* listed with A's */
            char name[SHARE_MAX_KEY + 1], count[16];
            snprintf(name, sizeof name, "%s", share_printable(series) ? series : "?");
            snprintf(count, sizeof count, "%s", share_printable(workers) ? workers : "?");
            report_cell(rep, "%s", name);
            report_cell(rep, "%s", count);
            folder_cell(rep, &f[0], folder_row(&f[0], series, workers));
            folder_cell(rep, &f[1], folder_row(&f[1], series, workers));
            report_end_row(rep);
        }
    report_print(rep, stdout, false);
    report_free(rep);
    free(f[0].text), free(f[1].text), free(f);
    return 0;
}

#define USAGE "class share [--results DIR] [--out DIR] [--all] | class gather DIR [--chapter N] [--out DIR] | " \
              "class compare DIR_A DIR_B"

static noreturn void usage(const char *what)
{
    fail_user("class", EXIT_BAD_INPUT, "%s (usage: " USAGE ")", what);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        puts("usage: " USAGE "\n"
             "  share   pack this machine's results (--results, default results/) into one file to hand in:\n"
             "          each chapter's run of the default experiment at the class scale (--all: its last run,\n"
             "          whatever its scale and settings, each row labelled with them)\n"
             "  gather  pool the files handed in (in DIR) for one chapter: data.csv, summary.md, plot-vars.gp\n"
             "  compare two results folders of a chapter side by side (make compare A=DIR B=DIR)");
        fail_unless_stdout_written("class");
        return 0;
    }
    if (argc < 2) usage("share, gather or compare?");
    if (strcmp(argv[1], "compare") == 0) {
        if (argc != 4 || !*argv[2] || !*argv[3]) usage("compare: which two results folders?");
        int status = compare(argv[2], argv[3]);
        fail_unless_stdout_written("class");
        return status;
    }
    bool sharing = strcmp(argv[1], "share") == 0;
    if (!sharing && strcmp(argv[1], "gather") != 0) usage("expected share, gather or compare");
    const char *results = "results", *out = sharing ? "results/share" : "results/class", *dir = NULL;
    double chapter = 1;
    bool all = false;
    for (int i = 2; i < argc; i++) {
        bool has_value = i + 1 < argc && *argv[i + 1];
        if (strcmp(argv[i], "--out") == 0 && has_value) out = argv[++i];
        else if (sharing && strcmp(argv[i], "--all") == 0) all = true;
        else if (sharing && strcmp(argv[i], "--results") == 0 && has_value) results = argv[++i];
        else if (!sharing && strcmp(argv[i], "--chapter") == 0 && has_value) {
            if (!csv_number(argv[++i], 0, SHARE_MAX_CHAPTER, &chapter) || chapter != floor(chapter) || !is_chapter((int)chapter))
                fail_user("class", EXIT_BAD_INPUT, "--chapter %.20s: no such chapter (there are chapters %d to %d)",
                          argv[i], chapters[0].number, chapters[CHAPTER_COUNT - 1].number);
        } else if (!sharing && !dir && argv[i][0] != '-') dir = argv[i];
        else usage(argv[i]);
    }
    if (!sharing && !dir) usage("gather: which folder holds the files handed in?");
    int status = sharing ? share(results, out, all) : gather(dir, out, (int)chapter);
    fail_unless_stdout_written("class");
    return status;
}
