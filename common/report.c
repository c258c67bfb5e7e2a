/* report.c — tables and verdicts, for the terminal and for summary.md. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "report.h"

#define MAX_COLUMNS 16

typedef enum { BLOCK_TABLE, BLOCK_TEXT, BLOCK_NOISE, BLOCK_VERDICT } block_kind;

typedef struct {
    block_kind kind;
    char *text;                  /* caption, paragraph or verdict */
    int columns;
    char *names[MAX_COLUMNS];
    char **cells;                /* row-major */
    int rows, cell_count, cell_capacity;
} block;

struct report {
    char *title;
    char *headline; /* report_headline(); NULL: none */
    block *blocks;
    int count;
};

report *report_new(const char *title)
{
    report *r = xcalloc(1, sizeof *r);
    r->title = xstrdup(title);
    return r;
}

void report_free(report *r)
{
    if (!r) return;
    for (int b = 0; b < r->count; b++) {
        block *k = &r->blocks[b];
        free(k->text);
        for (int c = 0; c < k->columns; c++) free(k->names[c]);
        for (int c = 0; c < k->cell_count; c++) free(k->cells[c]);
        free(k->cells);
    }
    free(r->blocks);
    free(r->headline);
    free(r->title);
    free(r);
}

static block *add_block(report *r, block_kind kind, char *text)
{
    r->blocks = xrealloc(r->blocks, (size_t)r->count + 1, sizeof *r->blocks);
    block *k = &r->blocks[r->count++];
    memset(k, 0, sizeof *k);
    k->kind = kind;
    k->text = text;
    return k;
}

void report_table(report *r, const char *caption, int columns, const char *const *names)
{
    if (columns > MAX_COLUMNS) fail_at(__FILE__, __LINE__, "report_table: too many columns", 22);
    block *k = add_block(r, BLOCK_TABLE, xstrdup(caption));
    k->columns = columns;
    for (int c = 0; c < columns; c++) k->names[c] = xstrdup(names[c]);
}

static block *current_table(report *r)
{
    if (!r->count || r->blocks[r->count - 1].kind != BLOCK_TABLE)
        fail_at(__FILE__, __LINE__, "report_cell outside a table", 22);
    return &r->blocks[r->count - 1];
}

void report_cell(report *r, const char *fmt, ...)
{
    block *k = current_table(r);
    if (k->cell_count == k->cell_capacity) {
        k->cell_capacity = k->cell_capacity ? 2 * k->cell_capacity : 32;
        k->cells = xrealloc(k->cells, (size_t)k->cell_capacity, sizeof *k->cells);
    }
    va_list ap;
    va_start(ap, fmt);
    k->cells[k->cell_count++] = xvasprintf(fmt, ap);
    va_end(ap);
}

void report_end_row(report *r)
{
    block *k = current_table(r);
    /* A short row is padded, so the table stays rectangular. */
    while (k->cell_count % k->columns) report_cell(r, "%s", "");
    k->rows = k->cell_count / k->columns;
}

void report_text(report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_block(r, BLOCK_TEXT, xvasprintf(fmt, ap));
    va_end(ap);
}

void report_verdict(report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_block(r, BLOCK_VERDICT, xvasprintf(fmt, ap));
    va_end(ap);
}

void report_headline(report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(r->headline);
    r->headline = xvasprintf(fmt, ap);
    va_end(ap);
}

const char *report_headline_text(const report *r)
{
    return r->headline;
}

void report_noise(report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    add_block(r, BLOCK_NOISE, text);
    /* It belongs just before the first verdict: move it there. */
    for (int b = r->count - 1; b > 0 && r->blocks[b - 1].kind == BLOCK_VERDICT; b--) {
        block swap = r->blocks[b];
        r->blocks[b] = r->blocks[b - 1];
        r->blocks[b - 1] = swap;
    }
}

void report_verdict_append(report *r, const char *fmt, ...)
{
    for (int b = r->count - 1; b >= 0; b--) {
        if (r->blocks[b].kind != BLOCK_VERDICT) continue;
        va_list ap;
        va_start(ap, fmt);
        char *more = xvasprintf(fmt, ap);
        va_end(ap);
        char *joined = xasprintf("%s%s", r->blocks[b].text, more);
        free(more);
        free(r->blocks[b].text);
        r->blocks[b].text = joined;
        return;
    }
}

const char *bytes_text(size_t bytes, char *out, size_t size)
{
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        snprintf(out, size, "%zu MiB", bytes >> 20);
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(out, size, "%zu KiB", bytes >> 10);
    else
        snprintf(out, size, "%zu bytes", bytes);
    return out;
}

const char *estimate_text(estimate e, const char *format, char *out, size_t size)
{
    char median[32], lo[32], hi[32];
    snprintf(median, sizeof median, format, e.median);
    if (e.n < STATS_MIN_VALUES) {
        snprintf(out, size, "%s", median);
        return out;
    }
    snprintf(lo, sizeof lo, format, e.lo);
    snprintf(hi, sizeof hi, format, e.hi);
    if (e.coverage < STATS_LEVEL) /* 3 to 5 values: an interval that covers less, said so */
        snprintf(out, size, "%s (%s-%s, %.0f %%)", median, lo, hi, 100 * e.coverage);
    else
        snprintf(out, size, "%s (%s-%s)", median, lo, hi);
    return out;
}

/* The width the terminal form is laid out for (report.h). */
int report_columns(FILE *out)
{
    int columns = 0;
    const char *env = getenv("COLUMNS");
    if (env && *env) {
        char *end;
        long n = strtol(env, &end, 10);
        if (*end == '\0' && n > 0 && n < 10000) columns = (int)n;
    }
    struct winsize size;
    if (columns == 0 && isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &size) == 0) columns = size.ws_col;
    return columns < REPORT_MIN_COLUMNS ? REPORT_MIN_COLUMNS : columns;
}

/* Characters on screen, not bytes: a UTF-8 continuation byte (10xxxxxx) adds none. */
static int display_width(const char *s, size_t bytes)
{
    int width = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80) width++;
    return width;
}

/* How many bytes of `s` fill at most `width` characters (at least one character). */
static size_t bytes_for_width(const char *s, size_t bytes, int width)
{
    size_t i = 0;
    for (int w = 0; i < bytes && w < width; w++) {
        i++;
        while (i < bytes && ((unsigned char)s[i] & 0xc0) == 0x80) i++;
    }
    return i;
}

/* One line of text broken at spaces so that no output line is wider than `width`;
 * a word longer than the line is cut. Leading spaces are kept as the indent of every
 * piece of the line. */
static void print_wrapped_line(FILE *out, const char *line, size_t length, int width)
{
    size_t indent = 0;
    while (indent < length && line[indent] == ' ') indent++;
    if (indent > (size_t)width / 2) indent = 0;
    int column = 0;
    for (size_t i = indent; i < length;) {
        while (i < length && line[i] == ' ') i++;
        size_t end = i;
        while (end < length && line[end] != ' ') end++;
        if (end == i) break;
        int word = display_width(line + i, end - i);
        if (column > (int)indent && column + 1 + word > width) {
            fputc('\n', out);
            column = 0;
        }
        if (column == 0) {
            fprintf(out, "%*s", (int)indent, "");
            column = (int)indent;
        } else {
            fputc(' ', out);
            column++;
        }
        if (column + word > width) { /* a word wider than the line: cut it */
            size_t piece = bytes_for_width(line + i, end - i, width - column);
            fwrite(line + i, 1, piece, out);
            fputc('\n', out);
            column = 0;
            i += piece;
            continue;
        }
        fwrite(line + i, 1, end - i, out);
        column += word;
        i = end;
    }
    fputc('\n', out);
}

/* A paragraph (which may hold several lines), wrapped to `width`. */
static void print_wrapped(FILE *out, const char *prefix, const char *text, int width)
{
    char *joined = xasprintf("%s%s", prefix, text);
    for (const char *line = joined;;) {
        const char *newline = strchr(line, '\n');
        size_t length = newline ? (size_t)(newline - line) : strlen(line);
        print_wrapped_line(out, line, length, width);
        if (!newline) break;
        line = newline + 1;
    }
    free(joined);
}

void report_print_paragraph(FILE *out, const char *text)
{
    print_wrapped(out, "", text, report_columns(out));
}

static const char *table_cell(const block *k, int row, int c)
{
    return row < 0 ? k->names[c] : k->cells[row * k->columns + c];
}

/* Columns first..last-1 of a table, after its key columns 0..keys-1 (which name the row). */
static void print_table_part(const block *k, FILE *out, const int *width, int keys, int first, int last)
{
    for (int row = -1; row < k->rows; row++) {
        int line = 0;
        for (int c = 0; c < last; c++) {
            if (c >= keys && c < first) continue;
            const char *cell = table_cell(k, row, c);
            int pad = width[c] - display_width(cell, strlen(cell));
            if (c == 0) fprintf(out, "  %s%*s", cell, pad, "");
            else fprintf(out, "  %*s%s", pad, "", cell);
            line += width[c] + 2;
        }
        fputc('\n', out);
        if (row < 0) {
            fputs("  ", out);
            for (int i = 2; i < line; i++) fputc('-', out);
            fputc('\n', out);
        }
    }
}

/* Do columns 0..keys-1 tell every row apart? */
static bool rows_named_by(const block *k, int keys)
{
    for (int a = 0; a < k->rows; a++)
        for (int b = a + 1; b < k->rows; b++) {
            bool same = true;
            for (int c = 0; c < keys && same; c++) same = strcmp(table_cell(k, a, c), table_cell(k, b, c)) == 0;
            if (same) return false;
        }
    return true;
}

/* Column `c` of a table as a list, where even that one column does not fit beside the
 * columns that name a row: "name, name: value" per row, wrapped to `columns`. */
static void print_column_as_list(const block *k, FILE *out, int keys, int c, int columns)
{
    for (int row = -1; row < k->rows; row++) {
        char line[1024];
        size_t used = (size_t)snprintf(line, sizeof line, "  ");
        for (int key = 0; key < keys && used < sizeof line; key++)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", key ? ", " : "", table_cell(k, row, key));
        if (used < sizeof line) snprintf(line + used, sizeof line - used, ": %s", table_cell(k, row, c));
        print_wrapped_line(out, line, strlen(line), columns);
        if (row < 0) {
            fputs("  ", out);
            for (int i = 2; i < columns; i++) fputc('-', out);
            fputc('\n', out);
        }
    }
}

/* A table at most `columns` wide: when its columns do not fit side by side, it is
 * printed in parts, each repeating the columns that name a row (the first, and the
 * next ones while rows share the first: "mutex, 2 threads"); a column too wide even
 * for that is printed as a list. */
static void print_table(const block *k, FILE *out, int columns)
{
    int width[MAX_COLUMNS];
    for (int c = 0; c < k->columns; c++) {
        width[c] = 0;
        for (int row = -1; row < k->rows; row++) {
            const char *cell = table_cell(k, row, c);
            int w = display_width(cell, strlen(cell));
            if (w > width[c]) width[c] = w;
        }
    }
    fputc('\n', out);
    print_wrapped(out, "", k->text, columns);
    int keys = 1, key_width = 2 + width[0];
    while (keys < 3 && keys + 1 < k->columns && !rows_named_by(k, keys)) key_width += 2 + width[keys++];
    int first = keys;
    if (first >= k->columns) first = k->columns - 1;
    do {
        int last = first, used = key_width;
        while (last < k->columns && (last == first || used + 2 + width[last] <= columns)) used += 2 + width[last++];
        if (first > keys) fputc('\n', out);
        if (used > columns) print_column_as_list(k, out, keys, first, columns);
        else print_table_part(k, out, width, keys, first, last);
        first = last;
    } while (first < k->columns);
}

void report_print(const report *r, FILE *out, bool verdict_only)
{
    int columns = report_columns(out);
    if (verdict_only && r->headline) {
        print_wrapped(out, "VERDICT: ", r->headline, columns);
        return;
    }
    if (!verdict_only) {
        fputc('\n', out);
        print_wrapped(out, "", r->title, columns);
    }
    for (int b = 0; b < r->count; b++) {
        const block *k = &r->blocks[b];
        if (k->kind == BLOCK_VERDICT) {
            if (!verdict_only) fputc('\n', out);
            print_wrapped(out, "VERDICT: ", k->text, columns);
        } else if (verdict_only) {
            continue;
        } else if (k->kind == BLOCK_TABLE) {
            print_table(k, out, columns);
        } else {
            fputc('\n', out);
            print_wrapped(out, k->kind == BLOCK_NOISE ? "Noise: " : "", k->text, columns);
        }
    }
}

#define MARKDOWN_SPECIAL "\\`*_[]()!<>#|~&"

char *report_escape_markdown(const char *text)
{
    char *escaped = xcalloc(2 * strlen(text) + 1, 1), *e = escaped;
    for (const char *c = text; *c; c++) {
        if (strchr(MARKDOWN_SPECIAL, *c)) *e++ = '\\';
        *e++ = (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c;
    }
    return escaped;
}

/* A Markdown cell: data. What could end the cell ('|') or become a link, an image
 * or HTML ('[', ']', '<', '>', '`', '\\') is escaped; control characters show as '?'. */
static void markdown_cell(FILE *out, const char *cell)
{
    for (const char *c = cell; *c; c++) {
        if (strchr("|[]<>`\\", *c)) fputc('\\', out);
        fputc((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c, out);
    }
}

static void markdown_table(const block *k, FILE *out)
{
    fprintf(out, "**%s**\n\n|", k->text);
    for (int c = 0; c < k->columns; c++) {
        fputc(' ', out);
        markdown_cell(out, k->names[c]);
        fputs(" |", out);
    }
    fputs("\n|", out);
    for (int c = 0; c < k->columns; c++) fputs(c == 0 ? " :--- |" : " ---: |", out);
    fputc('\n', out);
    for (int row = 0; row < k->rows; row++) {
        fputc('|', out);
        for (int c = 0; c < k->columns; c++) {
            fputc(' ', out);
            markdown_cell(out, k->cells[row * k->columns + c]);
            fputs(" |", out);
        }
        fputc('\n', out);
    }
    fputc('\n', out);
}

void report_markdown_to(const report *r, FILE *out, const machine_info *m, const char *setup)
{
    fprintf(out, "## %s\n\n", r->title);
    fprintf(out, "*Measured on %s, %d cores, %.1f GiB, %s, %s, %s. %s.*\n\n", m->cpu_model, m->cores, m->memory_gib,
            m->kernel, m->compiler, m->date, setup);
    int last_verdict = -1;
    for (int b = 0; b < r->count; b++)
        if (r->blocks[b].kind == BLOCK_VERDICT) last_verdict = b;
    for (int b = 0; b < r->count; b++) {
        const block *k = &r->blocks[b];
        if (k->kind == BLOCK_TABLE)
            markdown_table(k, out);
        else if (k->kind == BLOCK_VERDICT)
            fprintf(out, "**Verdict:** %s\n\n", k->text);
        if (k->kind == BLOCK_VERDICT && r->headline && b == last_verdict)
            fprintf(out, "**In short:** %s\n\n", r->headline);
        else if (k->kind == BLOCK_NOISE)
            fprintf(out, "**Noise:** %s\n\n", k->text);
        else
            fprintf(out, "%s\n\n", k->text);
    }
}

static bool progress_on = true;

static int64_t progress_started;
static char progress_name[32] = "run";

void progress_enable(bool on)
{
    progress_on = on;
    progress_started = now_ns();
}

void progress_name_as(const char *program)
{
    snprintf(progress_name, sizeof progress_name, "%s", program);
}

/* A progress line on the terminal: "  .. what", wrapped to its width like the rest of
 * the terminal form (a CPython command line with its paths is wider than 80). */
static void progress_on_terminal(const char *fmt, va_list ap)
{
    char *text = xvasprintf(fmt, ap);
    print_wrapped(stderr, "  .. ", text, report_columns(stderr));
    free(text);
}

void progress_milestone(const char *fmt, ...)
{
    if (!progress_on) return;
    va_list ap;
    va_start(ap, fmt);
    if (isatty(STDERR_FILENO)) {
        progress_on_terminal(fmt, ap);
    } else { /* a pipe or a file (tee): say who and when, one line per finished run */
        fprintf(stderr, "[%s +%.1f s] ", progress_name, ns_to_s(now_ns() - progress_started));
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    fflush(stderr);
    va_end(ap);
}

void progress(const char *fmt, ...)
{
    if (!progress_on || !isatty(STDERR_FILENO)) return;
    va_list ap;
    va_start(ap, fmt);
    progress_on_terminal(fmt, ap);
    va_end(ap);
}
