/* class.c — a class's machines on one figure.
 *
 * usage: build/class share [--results DIR] [--out DIR]
 *        build/class gather DIR [--chapter N] [--out DIR]
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
 * range, at most MAX_ROWS rows and MAX_FILE_BYTES) before anything is written; a
 * bad one stops the gathering with one line naming the file and the line (exit 2).
 * Then, for one chapter (default 1), DIR_OUT/data.csv (one row per machine and
 * mode), plot-vars.gp (for chapters/class/figure.gp, drawn by plots/render.sh
 * class DIR_OUT) and summary.md (the class page of the book). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cleanup.h"
#include "cli.h"
#include "csv.h"
#include "fail.h"
#include "modes.h"
#include "report.h"
#include "textfile.h"
#include "manifest.h" /* CHAPTER_MANIFEST: every chapter, from chapters/chapters.sh */

#define FORMAT_LINE "# threads-vs-processes share, format 2"
#define MAX_FILES 500
#define MAX_FILE_BYTES (64 * 1024)
#define MAX_ROWS 400
#define MAX_TEXT 100
#define MAX_CHAPTER 99
#define MAX_KEY 64
/* More logical CPUs than any machine a class brings (the largest servers have a
 * few hundred): a count above it is a made-up file. */
#define MAX_CORES 1024
#define MAX_CORES_TEXT "1024"

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

/* One row per series and worker count of a chapter's modes.csv: what it measured,
 * against which reference. */
static const char *const share_columns[] = { "chapter", "scale", "series", "family", "mode", "reference",
                                             "reference_workers", "workers", "rounds", "wall_median_s", "vs_reference",
                                             "vs_reference_lo", "vs_reference_hi" };
#define SHARE_COLUMN_COUNT 13
/* The machine's description, in this order, in the share file's preamble. */
static const char *const machine_keys[] = { "id", "machine", "cores", "memory_gib", "kernel", "compiler", "python" };
#define MACHINE_KEY_COUNT 7

typedef struct {
    int chapter, workers, rounds, reference_workers;
    char scale[8], series[MAX_KEY + 1], family[MAX_KEY + 1], reference[MAX_KEY + 1];
    pool_mode mode;
    double wall_median_s, vs_reference, lo, hi; /* NAN: no ratio (a series without a reference run), no interval */
} share_row;

typedef struct {
    char file[256];
    char values[MACHINE_KEY_COUNT][MAX_TEXT + 1];
    int cores;
    share_row rows[MAX_ROWS];
    int row_count;
} machine_share;

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

/* This chapter's rows of modes.csv into the share file. */
static void share_chapter(csv_writer *w, int chapter, const char *text)
{
    char scale[16];
    csv_preamble_value(text, "scale", scale, sizeof scale);
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
        for (int k = 0; k < KEPT_COUNT; k++) csv_str(w, fields[kept[k]]);
        csv_end_row(w);
    }
    free(copy);
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

static int share(const char *results, const char *out_dir)
{
    char *texts[MAX_CHAPTER + 1] = { 0 }, why[200], path[1024];
    uint32_t id = machine_id();
    int found = 0;
    for (int i = 0; i < CHAPTER_COUNT; i++) {
        int n = chapters[i].number;
        snprintf(path, sizeof path, "%s/%s/modes.csv", results, strrchr(chapters[i].results, '/') + 1);
        texts[n] = textfile_read(path, 4 * MAX_FILE_BYTES, why, sizeof why);
        found += texts[n] != NULL;
    }
    if (!found)
        fail_user("class", EXIT_BAD_INPUT, "share: no chapter has results in %s yet (make all, or make chapterN)",
                  results);
    char error[600], name[32];
    atomic_dir out = { cli_open_out_dir(out_dir, error, sizeof error), out_dir };
    if (out.fd < 0) fail_user("class", EXIT_EXPERIMENT_FAILED, "%s", error);
    snprintf(name, sizeof name, "tvp-%08x.csv", id);
    machine_info m;
    machine_describe(&m);
    char python[MAX_TEXT + 1] = "";
    for (int n = 0; n <= MAX_CHAPTER && !*python; n++)
        if (texts[n]) csv_preamble_value(texts[n], "python", python, sizeof python);
    without_path(python);

    csv_writer w;
    if (csv_open_at(&w, out.fd, out_dir, name) != 0) cannot_write(out, name);
    fputs(FORMAT_LINE "\n", w.file.stream);
    csv_meta(&w, "id", "%08x", id);
    /* Each value at most MAX_TEXT characters, as gather accepts. */
    csv_meta(&w, "machine", "%.100s", m.cpu_model);
    csv_meta(&w, "cores", "%d", m.cores);
    csv_meta(&w, "memory_gib", "%.1f", m.memory_gib);
    csv_meta(&w, "kernel", "%.100s", m.kernel);
    csv_meta(&w, "compiler", "%.100s", m.compiler);
    csv_meta(&w, "python", "%.100s", *python ? python : "none");
    csv_header(&w, share_columns, SHARE_COLUMN_COUNT);
    for (int n = 0; n <= MAX_CHAPTER; n++)
        if (texts[n]) share_chapter(&w, n, texts[n]);
    if (csv_commit(&w) != 0) cannot_write(out, name);
    close(out.fd);
    for (int n = 0; n <= MAX_CHAPTER; n++) free(texts[n]);
    printf("share: %s/%s (%d chapter%s of results; hand this file in)\n", out_dir, name, found, found == 1 ? "" : "s");
    return 0;
}

/* --- gather ------------------------------------------------------------------- */

static bool printable(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c < 0x20 || *c == 0x7f) return false;
    return true;
}

static bool number_in(const char *text, double min, double max, double *value)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno || !isfinite(v) || v < min || v > max) return false;
    *value = v;
    return true;
}

/* A ratio or an interval bound: a number, or empty (none). */
static bool bound(const char *text, double *value)
{
    if (!*text) {
        *value = NAN;
        return true;
    }
    return number_in(text, 0, 1e6, value);
}

/* A series key or family: a plain name of at most MAX_KEY characters. */
static bool plain_key(const char *text, char *out)
{
    size_t n = strlen(text);
    if (!n || n > MAX_KEY ||
        strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./_-") != n)
        return false;
    memcpy(out, text, n + 1);
    return true;
}

/* One data row of a share file, checked; NULL if good, else what is wrong. */
static const char *parse_row(char *line, share_row *row)
{
    char *fields[SHARE_COLUMN_COUNT + 1];
    if (csv_split(line, fields, SHARE_COLUMN_COUNT + 1) != SHARE_COLUMN_COUNT) return "expected 13 fields";
    double chapter, workers, rounds, reference_workers;
    if (!number_in(fields[0], 0, MAX_CHAPTER, &chapter) || chapter != floor(chapter)) return "a bad chapter number";
    if (strcmp(fields[1], "tiny") && strcmp(fields[1], "class") && strcmp(fields[1], "paper")) return "a bad scale";
    /* No reference (empty) where the chapter ran none: then no ratio either, checked below. */
    if (!plain_key(fields[2], row->series) || !plain_key(fields[3], row->family) ||
        (*fields[5] && !plain_key(fields[5], row->reference)))
        return "a series, family or reference that is not a plain name";
    if (!*fields[5]) row->reference[0] = '\0';
    row->mode = pool_mode_from_name(fields[4]);
    if (row->mode == MODE_COUNT) return "an unknown mode";
    if (!number_in(fields[6], 0, 4096, &reference_workers) || reference_workers != floor(reference_workers) ||
        !number_in(fields[7], 1, 4096, &workers) || workers != floor(workers))
        return "a bad worker count";
    if (!number_in(fields[8], 0, 1000, &rounds) || rounds != floor(rounds)) return "a bad round count";
    if (!number_in(fields[9], 0, 1e6, &row->wall_median_s)) return "a bad time";
    if (!bound(fields[10], &row->vs_reference) || !bound(fields[11], &row->lo) || !bound(fields[12], &row->hi) ||
        (!*row->reference && !isnan(row->vs_reference)))
        return "a bad ratio";
    if (isnan(row->lo) != isnan(row->hi) || row->lo > row->hi) return "an interval whose low end is above its high end";
    row->reference_workers = (int)reference_workers;
    row->chapter = (int)chapter;
    row->workers = (int)workers;
    row->rounds = (int)rounds;
    snprintf(row->scale, sizeof row->scale, "%s", fields[1]);
    return NULL;
}

/* What an editor or another system may have done to a share file and that changes
 * nothing in it: a UTF-8 byte-order mark at the start, and CRLF line ends. Removed
 * in place. */
static char *as_saved_here(char *text)
{
    char *start = strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? text + 3 : text, *to = text;
    for (const char *from = start; *from; from++)
        if (!(from[0] == '\r' && from[1] == '\n')) *to++ = *from;
    *to = '\0';
    return text;
}

/* One handed-in file, checked whole. NULL if good; else the reason, with the line. */
static const char *parse_share(const char *path, machine_share *s, char *why, size_t why_size)
{
    char *text = textfile_read(path, MAX_FILE_BYTES, why, why_size);
    if (!text) return why;
    as_saved_here(text);
    memset(s->values, 0, sizeof s->values);
    s->row_count = 0;
    int line_number = 0;
    bool header = false;
    const char *problem = NULL;
    for (char *line = text, *next; line && !problem; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        line_number++;
        if (line_number == 1) {
            if (strcmp(line, FORMAT_LINE) != 0) problem = "it is not a share file (make share writes them)";
            continue;
        }
        if (!*line && !next) break;
        if (!printable(line)) problem = "a control character";
        else if (strlen(line) > 300) problem = "a line over 300 characters";
        else if (line[0] == '#') {
            char *eq = strchr(line, '=');
            int key = -1;
            for (int k = 0; eq && k < MACHINE_KEY_COUNT; k++)
                if ((size_t)(eq - line - 2) == strlen(machine_keys[k]) &&
                    strncmp(line + 2, machine_keys[k], strlen(machine_keys[k])) == 0)
                    key = k;
            if (key < 0) problem = "an unknown preamble line";
            else if (strlen(eq + 1) > MAX_TEXT) problem = "a value over 100 characters";
            /* OWASP's CSV-injection rule: a cell that starts with one of these is a formula
             * to a spreadsheet, and the id goes into the class's CSV. */
            else if (eq[1] && strchr("=+-@", eq[1])) problem = "a value that starts with =, +, - or @ (a spreadsheet formula)";
            else snprintf(s->values[key], sizeof s->values[key], "%s", eq + 1);
        } else if (!header) {
            char expected[300] = "";
            for (int c = 0; c < SHARE_COLUMN_COUNT; c++)
                snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s%s", c ? "," : "",
                         share_columns[c]);
            header = strcmp(line, expected) == 0;
            if (!header) problem = "not the share file's header";
        } else if (s->row_count == MAX_ROWS) {
            problem = "more than 400 rows";
        } else {
            problem = parse_row(line, &s->rows[s->row_count++]);
        }
    }
    double cores = 0;
    if (!problem && !header) problem = "no header";
    for (int k = 0; !problem && k < MACHINE_KEY_COUNT; k++)
        if (!*s->values[k]) problem = "the machine's description is incomplete";
    if (!problem && (!number_in(s->values[2], 1, MAX_CORES, &cores) || cores != floor(cores)))
        problem = "a bad core count (a whole number from 1 to " MAX_CORES_TEXT ")";
    s->cores = (int)cores;
    if (problem) snprintf(why, why_size, "line %d: %s", line_number, problem);
    free(text);
    return problem ? why : NULL;
}

static int by_file_name(const void *a, const void *b)
{
    return strcmp(((const machine_share *)a)->file, ((const machine_share *)b)->file);
}

/* Two files from one machine (the same id) would count it twice: refused, naming both. */
static void refuse_same_machine(const char *dir, const machine_share *machines, int count)
{
    for (int i = 1; i < count; i++)
        if (strcmp(machines[i].values[0], machines[i - 1].values[0]) == 0)
            fail_user("class", EXIT_BAD_INPUT,
                      "gather: %s/%s and %s come from the same machine (id %s): keep one file per machine", dir,
                      machines[i - 1].file, machines[i].file, machines[i].values[0]);
}

static int by_id_then_file_name(const void *a, const void *b)
{
    const machine_share *x = a, *y = b;
    int by_id = strcmp(x->values[0], y->values[0]);
    return by_id ? by_id : strcmp(x->file, y->file);
}

/* Every DIR/NAME.csv (or .CSV; not hidden), checked whole; exit 2 at the first bad
 * one, or if two come from one machine. The other files are counted and said. */
static int read_class(const char *dir, machine_share **machines)
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
        machine_share *s = &(*machines)[count];
        snprintf(s->file, sizeof s->file, "%.255s", e->d_name);
        char path[1024], why[300];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!printable(e->d_name) || len >= sizeof s->file)
            fail_user("class", EXIT_BAD_INPUT, "gather: a file name in %s is not plain text", dir);
        if (parse_share(path, s, why, sizeof why))
            fail_user("class", EXIT_BAD_INPUT, "gather: %s: %s", path, why);
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
static int families_of(const machine_share *machines, int count, int chapter, char *list, size_t size)
{
    int n = 0;
    list[0] = '\0';
    for (int i = 0; i < count; i++)
        for (int r = 0; r < machines[i].row_count; r++) {
            const share_row *row = &machines[i].rows[r];
            if (!pooled(row, chapter)) continue;
            char padded[MAX_KEY + 3];
            snprintf(padded, sizeof padded, " %s ", row->family);
            char spaced[size + 2];
            snprintf(spaced, sizeof spaced, " %s ", list);
            if (strstr(spaced, padded) || strlen(list) + strlen(row->family) + 2 > size) continue;
            snprintf(list + strlen(list), size - strlen(list), "%s%s", *list ? " " : "", row->family);
            n++;
        }
    return n;
}

static void write_data(atomic_dir dir, const machine_share *machines, int count, int chapter, double *lo, double *hi)
{
    csv_writer w;
    if (csv_open_at(&w, dir.fd, dir.path, "data.csv") != 0) cannot_write(dir, "data.csv");
    csv_meta(&w, "chapter", "%d", chapter);
    csv_meta(&w, "machines", "%d", count);
    const char *columns[] = { "machine", "id", "cores", "series", "family", "mode", "reference", "workers", "scale",
                              "vs_reference", "vs_reference_lo", "vs_reference_hi" };
    csv_header(&w, columns, 12);
    *lo = INFINITY, *hi = 0;
    for (int i = 0; i < count; i++)
        for (int k = 0; k < machines[i].row_count; k++) {
            const share_row *r = &machines[i].rows[k];
            if (!pooled(r, chapter)) continue;
            csv_int(&w, i + 1);
            csv_str(&w, machines[i].values[0]);
            csv_int(&w, machines[i].cores);
            csv_str(&w, r->series);
            csv_str(&w, r->family);
            csv_str(&w, pool_mode_name(r->mode));
            csv_str(&w, r->reference);
            csv_int(&w, r->workers);
            csv_str(&w, r->scale);
            csv_num(&w, r->vs_reference, 4);
            if (isnan(r->lo)) csv_str(&w, ""); else csv_num(&w, r->lo, 4);
            if (isnan(r->hi)) csv_str(&w, ""); else csv_num(&w, r->hi, 4);
            csv_end_row(&w);
            *lo = fmin(*lo, isnan(r->lo) ? r->vs_reference : r->lo);
            *hi = fmax(*hi, isnan(r->hi) ? r->vs_reference : r->hi);
        }
    if (csv_commit(&w) != 0) cannot_write(dir, "data.csv");
}

static void write_plot_vars(atomic_dir dir, int count, int chapter, const char *families, double lo, double hi)
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
    modes_write_gnuplot(f.stream);
    if (atomic_file_commit(&f) != 0) cannot_write(dir, "plot-vars.gp");
}

static void ratio_cell(FILE *out, const share_row *r)
{
    if (!r || isnan(r->vs_reference)) fputs(" - |", out);
    else if (isnan(r->lo)) fprintf(out, " %.2f |", r->vs_reference);
    else fprintf(out, " %.2f (%.2f-%.2f) |", r->vs_reference, r->lo, r->hi);
}

/* A machine's row of a series (the most workers: the chapter's main setting), or NULL. */
static const share_row *row_of(const machine_share *s, int chapter, const char *series)
{
    const share_row *best = NULL;
    for (int r = 0; r < s->row_count; r++)
        if (pooled(&s->rows[r], chapter) && strcmp(s->rows[r].series, series) == 0 &&
            (!best || s->rows[r].workers > best->workers))
            best = &s->rows[r];
    return best;
}

/* summary.md: the class page of the book. Everything from the files is escaped. A
 * machine per row; a column per series (at most COLUMNS, the first met). */
#define COLUMNS 8
static void write_summary(atomic_dir dir, const machine_share *machines, int count, int chapter)
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
            "interval. Below 1.0 is faster than the reference.\n\n| # | id | CPU | cores | memory GiB | CPython |");
    for (int k = 0; k < columns; k++) fprintf(out, " `%s` / `%s` |", first[k]->series, first[k]->reference);
    fputs("\n|---:|---|---|---:|---:|---|", out);
    for (int k = 0; k < columns; k++) fputs("---:|", out);
    fputc('\n', out);
    int without = 0;
    for (int i = 0; i < count; i++) {
        fprintf(out, "| %d |", i + 1);
        for (int k = 0; k < MACHINE_KEY_COUNT; k++) {
            if (k == 4 || k == 5) continue; /* kernel and compiler: in the files, not in the table */
            char *escaped = report_escape_markdown(machines[i].values[k]);
            fprintf(out, " %s |", escaped);
            free(escaped);
        }
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
    if (atomic_file_commit(&f) != 0) cannot_write(dir, "summary.md");
}

/* --out, made if missing and held open with a lock for the whole gathering (a
 * second gathering into it is refused, not mixed in); the staging folders of a
 * gathering killed by SIGKILL are removed. */
static atomic_dir hold_out_dir(const char *out_dir)
{
    char error[600];
    atomic_dir out = { cli_open_out_dir(out_dir, error, sizeof error), out_dir };
    if (out.fd < 0) fail_user("class", EXIT_EXPERIMENT_FAILED, "%s", error);
    if (flock(out.fd, LOCK_EX | LOCK_NB) != 0)
        fail_user("class", EXIT_EXPERIMENT_FAILED, "--out: %s is in use by another gathering: wait for it", out_dir);
    atomic_dir_remove_stale(out.fd, ".class-");
    return out;
}

/* The three files, written into a private folder inside --out and then renamed in
 * together (all by descriptor), so the folder holds one gathering whole or the one
 * before. */
static int gather(const char *dir, const char *out_dir, int chapter)
{
    machine_share *machines;
    int count = read_class(dir, &machines);
    char families[1024];
    if (families_of(machines, count, chapter, families, sizeof families) == 0) {
        printf("class: chapter %d: nothing to pool against core count (no machine's share holds a ratio of it); "
               "nothing written\n", chapter);
        free(machines);
        return 0;
    }
    atomic_dir out = hold_out_dir(out_dir);
    char name[32], staging_path[1100];
    atomic_dir staging = { -1, staging_path };
    if (atomic_dir_create_at(out.fd, ".class-", name, sizeof name) != 0 ||
        (staging.fd = openat(out.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        fail_user("class", EXIT_EXPERIMENT_FAILED, "cannot write into %s: %s", out_dir, strerror(errno));
    snprintf(staging_path, sizeof staging_path, "%s/%s", out_dir, name);
    cleanup_temp_dir(out.fd, name);
    double lo, hi;
    write_data(staging, machines, count, chapter, &lo, &hi);
    write_plot_vars(staging, count, chapter, families, lo, hi);
    write_summary(staging, machines, count, chapter);
    const char *names[] = { "data.csv", "plot-vars.gp", "summary.md" };
    int failed = 0;
    for (int i = 0; i < 3; i++) {
        struct stat st;
        if (!failed && fstatat(out.fd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) failed = EEXIST;
        if (!failed && renameat(staging.fd, names[i], out.fd, names[i]) != 0) failed = errno;
        unlinkat(staging.fd, names[i], 0);
    }
    close(staging.fd);
    unlinkat(out.fd, name, AT_REMOVEDIR);
    cleanup_temp_dir_done(out.fd, name);
    if (failed)
        fail_user("class", EXIT_EXPERIMENT_FAILED, "cannot write %s: %s", out_dir,
                  failed == EEXIST ? "something that is not a regular file is in the place of a result" : strerror(failed));
    printf("class: %d machine%s, chapter %d: %s/{data.csv,summary.md}\n", count, count == 1 ? "" : "s", chapter,
           out_dir);
    close(out.fd);
    free(machines);
    return 0;
}

#define USAGE "class share [--results DIR] [--out DIR] | class gather DIR [--chapter N] [--out DIR]"

static noreturn void usage(const char *what)
{
    fail_user("class", EXIT_BAD_INPUT, "%s (usage: " USAGE ")", what);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        puts("usage: " USAGE "\n"
             "  share   pack this machine's results (--results, default results/) into one file to hand in\n"
             "  gather  pool the files handed in (in DIR) for one chapter: data.csv, summary.md, plot-vars.gp");
        fail_unless_stdout_written("class");
        return 0;
    }
    if (argc < 2) usage("share or gather?");
    bool sharing = strcmp(argv[1], "share") == 0;
    if (!sharing && strcmp(argv[1], "gather") != 0) usage("expected share or gather");
    const char *results = "results", *out = sharing ? "results/share" : "results/class", *dir = NULL;
    double chapter = 1;
    for (int i = 2; i < argc; i++) {
        bool has_value = i + 1 < argc && *argv[i + 1];
        if (strcmp(argv[i], "--out") == 0 && has_value) out = argv[++i];
        else if (sharing && strcmp(argv[i], "--results") == 0 && has_value) results = argv[++i];
        else if (!sharing && strcmp(argv[i], "--chapter") == 0 && has_value) {
            if (!number_in(argv[++i], 0, MAX_CHAPTER, &chapter) || chapter != floor(chapter) || !is_chapter((int)chapter))
                fail_user("class", EXIT_BAD_INPUT, "--chapter %.20s: no such chapter (there are chapters %d to %d)",
                          argv[i], chapters[0].number, chapters[CHAPTER_COUNT - 1].number);
        } else if (!sharing && !dir && argv[i][0] != '-') dir = argv[i];
        else usage(argv[i]);
    }
    if (!sharing && !dir) usage("gather: which folder holds the files handed in?");
    int status = sharing ? share(results, out) : gather(dir, out, (int)chapter);
    fail_unless_stdout_written("class");
    return status;
}
