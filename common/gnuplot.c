/* gnuplot.c — text for gnuplot as data (gnuplot.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "gnuplot.h"

char *gnuplot_string(const char *text)
{
    size_t n = strlen(text);
    char *quoted = xcalloc(2 * n + 3, 1), *q = quoted;
    *q++ = '\'';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\'') *q++ = '\'';
        *q++ = *p < 0x20 || *p == 0x7f ? ' ' : (char)*p;
    }
    *q = '\'';
    return quoted;
}

char *gnuplot_enhanced_text(const char *text)
{
    char *escaped = xcalloc(2 * strlen(text) + 1, 1), *e = escaped;
    for (const char *p = text; *p; p++) {
        if (strchr("_^{}@&~", *p)) *e++ = '\\';
        *e++ = *p;
    }
    return escaped;
}

/* ---- reading plot-vars.gp back as data ------------------------------------------ */

static bool ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The functions the file has defined so far: the only ones it may call. */
#define MAX_DEFINED 32
typedef struct {
    char names[MAX_DEFINED][40];
    int count;
} defined_functions;

static bool was_defined(const defined_functions *d, const char *name, size_t length)
{
    for (int i = 0; i < d->count; i++)
        if (strlen(d->names[i]) == length && strncmp(d->names[i], name, length) == 0) return true;
    return false;
}

/* One statement, continuation lines joined: NAME [ '(' ARG ')' ] '=' EXPRESSION, whose
 * tokens are numbers, single-quoted strings, names (called only if the file defined
 * them above), and operators. */
static const char *check_statement(const char *p, defined_functions *defined)
{
    while (*p == ' ') p++;
    if (!ident_start(*p)) return "a line that is not an assignment";
    const char *name = p;
    while (ident_char(*p)) p++;
    size_t name_length = (size_t)(p - name);
    /* What plots/render.sh hands the script (where to read, what to write) is not the
     * file's to change; and the workbook's names are lower case (no GPVAL_, ARGV...). */
    static const char *const given[] = { "dir", "target", "output", "term_cols" };
    for (size_t i = 0; i < sizeof given / sizeof *given; i++)
        if (strlen(given[i]) == name_length && strncmp(given[i], name, name_length) == 0)
            return "an assignment to dir, target, output or term_cols (render.sh's, not the file's)";
    for (const char *k = name; k < p; k++)
        if (isupper((unsigned char)*k)) return "a name with capitals (gnuplot's own variables)";
    if (*p == '(') { /* a function's definition: one argument, and only the ones the workbook writes */
        static const char *const writable[] = { "mode_color", "mode_label", "series_color", "series_label" };
        bool known = false;
        for (size_t i = 0; i < sizeof writable / sizeof *writable; i++)
            known |= strlen(writable[i]) == name_length && strncmp(writable[i], name, name_length) == 0;
        if (!known) return "a function the workbook does not define (mode_color, mode_label, series_color, series_label)";
        if (defined->count == MAX_DEFINED) return "too many functions";
        snprintf(defined->names[defined->count++], sizeof defined->names[0], "%.*s", (int)name_length, name);
        p++;
        if (!ident_start(*p)) return "a function definition without an argument";
        while (ident_char(*p)) p++;
        if (*p++ != ')') return "a function definition with more than one argument";
    }
    while (*p == ' ') p++;
    if (*p++ != '=' || *p == '=') return "a line that is not an assignment";
    while (*p) {
        if (*p == ' ' || *p == '\t') {
            p++;
        } else if (*p == '\'') { /* a single-quoted string: '' is a quote, nothing else is special */
            for (p++;; p++) {
                if (!*p) return "an unclosed string";
                if (*p == '\'' && p[1] == '\'') p++;
                else if (*p == '\'') break;
            }
            p++;
        } else if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
            while (isalnum((unsigned char)*p) || *p == '.' || ((*p == '-' || *p == '+') && (p[-1] == 'e' || p[-1] == 'E')))
                p++;
        } else if (ident_start(*p)) {
            const char *called = p;
            while (ident_char(*p)) p++;
            const char *q = p;
            while (*q == ' ') q++;
            if (*q == '(' && !was_defined(defined, called, (size_t)(p - called)))
                return "a call of a function the file did not define (system() and the like)";
        } else if (strchr("?:()+-*/.<>!=&|", *p)) {
            p++;
        } else {
            return "a character outside numbers, strings, names and operators (` \" $ @ ; ...)";
        }
    }
    return NULL;
}

bool gnuplot_vars_are_data(const char *text, char *why, size_t why_size)
{
    /* gnuplot substitutes `command` on a line before it parses it: none, anywhere. */
    const char *backquote = strchr(text, '`');
    const char *problem = NULL;
    int line_number = 0, first_line = 0;
    if (backquote) {
        for (const char *p = text; p < backquote; p++) first_line += *p == '\n';
        snprintf(why, why_size, "line %d: a backquote (gnuplot runs what it holds)", first_line + 1);
        return false;
    }
    char *statement = NULL;
    size_t length = 0;
    defined_functions defined = { .count = 0 };
    for (const char *line = text; *line && !problem;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        line_number++;
        if (!statement && n > 0 && line[0] == '#') {
            /* a comment line: gnuplot ignores it whole */
        } else if (n > 0 || statement) {
            bool more = n > 0 && line[n - 1] == '\\';
            if (!statement) first_line = line_number;
            statement = xrealloc(statement, length + n + 2, 1);
            memcpy(statement + length, line, more ? n - 1 : n);
            length += more ? n - 1 : n;
            statement[length] = '\0';
            if (!more) {
                problem = check_statement(statement, &defined);
                free(statement);
                statement = NULL;
                length = 0;
            }
        }
        line = end ? end + 1 : line + n;
    }
    if (!problem && statement) problem = "a continuation at the end of the file";
    free(statement);
    if (problem) snprintf(why, why_size, "line %d: %s", first_line, problem);
    return problem == NULL;
}
