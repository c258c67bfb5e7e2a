/* share.c — the share file's format: its columns, its keys, and the reader that
 * checks a file from another machine whole (share.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "share.h"

const char *const share_columns[] = { "chapter", "scale", "settings", "series", "family", "mode", "reference",
                                             "reference_workers", "workers", "rounds", "wall_median_s", "vs_reference",
                                             "vs_reference_lo", "vs_reference_hi" };
const char *const share_machine_keys[] = { "id", "machine", "cores", "memory_gib", "kernel", "compiler", "python" };

bool share_printable(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c < 0x20 || *c == 0x7f) return false;
    return true;
}

/* A ratio or an interval bound: a number, or empty (none). */
static bool bound(const char *text, double *value)
{
    if (!*text) {
        *value = NAN;
        return true;
    }
    return csv_number(text, 0, 1e6, value);
}

/* A series key or family: a plain name of at most SHARE_MAX_KEY characters. */
static bool plain_key(const char *text, char *out)
{
    size_t n = strlen(text);
    if (!n || n > SHARE_MAX_KEY ||
        strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./_-") != n)
        return false;
    memcpy(out, text, n + 1);
    return true;
}

/* "CHAPTER,KEY,GUESS,MEDIAN,LO,HI" of a guess line, checked; NULL if good. */
static const char *parse_guess(char *text, share_guess *g)
{
    char *f[7];
    double chapter;
    if (csv_split(text, f, 7) != 6) return "a guess that is not CHAPTER,KEY,GUESS,MEDIAN,LO,HI";
    size_t n = strlen(f[1]);
    if (!csv_number(f[0], 0, SHARE_MAX_CHAPTER, &chapter) || chapter != floor(chapter) || !n || n >= sizeof g->key ||
        strspn(f[1], "abcdefghijklmnopqrstuvwxyz0123456789/_-") != n || !csv_number(f[2], 0, 1e6, &g->guess) ||
        !csv_number(f[3], 0, 1e6, &g->median) || !bound(f[4], &g->lo) || !bound(f[5], &g->hi) ||
        isnan(g->lo) != isnan(g->hi) || g->lo > g->hi)
        return "a bad guess (its chapter, key or numbers)";
    g->chapter = (int)chapter;
    memcpy(g->key, f[1], n + 1);
    return NULL;
}

/* One data row of a share file, checked; NULL if good, else what is wrong. */
static const char *parse_row(char *line, share_row *row)
{
    char *fields[SHARE_COLUMN_COUNT + 1];
    if (csv_split(line, fields, SHARE_COLUMN_COUNT + 1) != SHARE_COLUMN_COUNT) return "expected 14 fields";
    double chapter, workers, rounds, reference_workers;
    if (!csv_number(fields[0], 0, SHARE_MAX_CHAPTER, &chapter) || chapter != floor(chapter)) return "a bad chapter number";
    if (strcmp(fields[1], "tiny") && strcmp(fields[1], "class") && strcmp(fields[1], "paper")) return "a bad scale";
    /* The settings: flags and their values as typed, so any printable text, but never
     * a spreadsheet formula (OWASP's CSV-injection rule) and never empty. */
    if (!*fields[2] || strlen(fields[2]) > SHARE_MAX_SETTINGS || strchr("=+-@", fields[2][0]))
        return "bad settings (empty, too long, or starting with =, +, - or @)";
    snprintf(row->settings, sizeof row->settings, "%s", fields[2]);
    /* No reference (empty) where the chapter ran none: then no ratio either, checked below. */
    if (!plain_key(fields[3], row->series) || !plain_key(fields[4], row->family) ||
        (*fields[6] && !plain_key(fields[6], row->reference)))
        return "a series, family or reference that is not a plain name";
    if (!*fields[6]) row->reference[0] = '\0';
    row->mode = pool_mode_from_name(fields[5]);
    if (row->mode == MODE_COUNT) return "an unknown mode";
    if (!csv_number(fields[7], 0, 4096, &reference_workers) || reference_workers != floor(reference_workers) ||
        !csv_number(fields[8], 1, 4096, &workers) || workers != floor(workers))
        return "a bad worker count";
    if (!csv_number(fields[9], 0, 1000, &rounds) || rounds != floor(rounds)) return "a bad round count";
    if (!csv_number(fields[10], 0, 1e6, &row->wall_median_s)) return "a bad time";
    if (!bound(fields[11], &row->vs_reference) || !bound(fields[12], &row->lo) || !bound(fields[13], &row->hi) ||
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

const char *share_parse(char *text, share_machine *s, char *why, size_t why_size)
{
    as_saved_here(text);
    memset(s->values, 0, sizeof s->values);
    s->row_count = 0;
    s->guess_count = 0;
    int line_number = 0;
    bool header = false;
    const char *problem = NULL;
    for (char *line = text, *next; line && !problem; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        line_number++;
        if (line_number == 1) {
            if (strncmp(line, SHARE_OLDER_FORMAT, strlen(SHARE_OLDER_FORMAT)) == 0 && strcmp(line, SHARE_FORMAT_LINE))
                problem = "a share file of another format (from another version of the workbook: run make share "
                          "again)";
            else if (strcmp(line, SHARE_FORMAT_LINE) != 0) problem = "it is not a share file (make share writes them)";
            continue;
        }
        if (!*line && !next) break;
        if (!share_printable(line)) problem = "a control character";
        else if (strlen(line) > 480) problem = "a line over 480 characters";
        else if (strncmp(line, "# " SHARE_GUESS_KEY "=", strlen("# " SHARE_GUESS_KEY "=")) == 0) {
            if (s->guess_count == SHARE_MAX_GUESSES) problem = "more than 128 guesses";
            else problem = parse_guess(line + strlen("# " SHARE_GUESS_KEY "="), &s->guesses[s->guess_count++]);
        } else if (line[0] == '#') {
            char *eq = strchr(line, '=');
            int key = -1;
            for (int k = 0; eq && k < SHARE_MACHINE_KEY_COUNT; k++)
                if ((size_t)(eq - line - 2) == strlen(share_machine_keys[k]) &&
                    strncmp(line + 2, share_machine_keys[k], strlen(share_machine_keys[k])) == 0)
                    key = k;
            if (key < 0) problem = "an unknown preamble line";
            else if (strlen(eq + 1) > SHARE_MAX_TEXT) problem = "a value over 100 characters";
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
        } else if (s->row_count == SHARE_MAX_ROWS) {
            problem = "more than 400 rows";
        } else {
            problem = parse_row(line, &s->rows[s->row_count++]);
        }
    }
    double cores = 0;
    if (!problem && !header) problem = "no header";
    for (int k = 0; !problem && k < SHARE_MACHINE_KEY_COUNT; k++)
        if (!*s->values[k]) problem = "the machine's description is incomplete";
    if (!problem && (!csv_number(s->values[SHARE_KEY_CORES], 1, SHARE_MAX_CORES, &cores) || cores != floor(cores)))
        problem = "a bad core count (a whole number from 1 to 1024)";
    s->cores = (int)cores;
    if (problem) snprintf(why, why_size, "line %d: %s", line_number, problem);
    return problem ? why : NULL;
}

