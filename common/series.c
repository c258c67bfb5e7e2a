/* series.c — the table of what a chapter measures (series.h). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "gnuplot.h"
#include "series.h"

static void contract_broken(const char *what)
{
    fail_at(__FILE__, __LINE__, what, EINVAL);
}

int series_find(const series_table *t, const char *key)
{
    for (int i = 0; i < t->count; i++)
        if (strcmp(t->items[i].key, key) == 0) return i;
    return -1;
}

/* Another series of the same family: it must look the same on the figure. */
static const series_def *family_member(const series_table *t, const char *family)
{
    for (int i = 0; i < t->count; i++)
        if (strcmp(t->items[i].family, family) == 0) return &t->items[i];
    return NULL;
}

/* Keys and families are names in CSV columns and gnuplot word lists: plain words. */
static bool plain_name(const char *name)
{
    return *name && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./_-") == strlen(name);
}

int series_declare(series_table *t, const char *key, const char *family, double x, const char *label, pool_mode mode,
                   const char *reference, int reference_workers, unsigned colour)
{
    if (!plain_name(key) || !plain_name(family)) contract_broken("series_declare: a key or family that is not a plain name");
    if (series_find(t, key) >= 0) contract_broken("series_declare: a key declared twice");
    if (mode >= MODE_COUNT) contract_broken("series_declare: no such mode");
    series_def d = { .key = xstrdup(key), .family = xstrdup(family), .x = x,
                     .label = xstrdup(label ? label : pool_mode_label(mode)), .mode = mode,
                     .reference = xstrdup(reference ? reference : key), .reference_workers = reference_workers,
                     .colour = colour ? colour : pool_mode_colour(mode) };
    const series_def *sibling = family_member(t, family);
    if (sibling && (sibling->mode != d.mode || sibling->colour != d.colour || strcmp(sibling->label, d.label) != 0))
        contract_broken("series_declare: one family, two modes, labels or colours");
    t->items = xrealloc(t->items, (size_t)t->count + 1, sizeof *t->items);
    t->items[t->count] = d;
    return t->count++;
}

const char *series_key(char *out, size_t size, const char *family, double x, const char *unit)
{
    /* Whole numbers in full (1048576, not 1.04858e+06): a key is read by people. */
    if (x == floor(x) && fabs(x) < 1e15) snprintf(out, size, "%s/%.0f%s", family, x, unit);
    else snprintf(out, size, "%s/%g%s", family, x, unit);
    return out;
}

int series_of(series_table *t, const char *key)
{
    int i = series_find(t, key);
    if (i >= 0) return i;
    pool_mode mode = pool_mode_from_name(key);
    if (mode == MODE_COUNT) contract_broken("series_of: a run of a series the chapter did not declare");
    return series_declare(t, key, key, NAN, NULL, mode, pool_mode_name(pool_mode_serial_of(mode)), 0, 0);
}

void series_write_gnuplot(const series_table *t, FILE *out)
{
    /* Families in declaration order, each once. */
    const series_def *firsts[t->count + 1];
    int n = 0;
    for (int i = 0; i < t->count; i++)
        if (family_member(t, t->items[i].family) == &t->items[i]) firsts[n++] = &t->items[i];
    char *quoted;
    fputs("series_color(f) = ", out);
    for (int i = 0; i < n; i++) {
        quoted = gnuplot_string(firsts[i]->family);
        fprintf(out, "f eq %s ? 0x%06x : \\\n    ", quoted, firsts[i]->colour);
        free(quoted);
    }
    fputs("mode_color(f)\nseries_label(f) = ", out);
    for (int i = 0; i < n; i++) {
        quoted = gnuplot_string(firsts[i]->family);
        char *label = gnuplot_string(firsts[i]->label);
        fprintf(out, "f eq %s ? %s : \\\n    ", quoted, label);
        free(quoted);
        free(label);
    }
    fputs("mode_label(f)\n", out);
    size_t length = 1;
    for (int i = 0; i < n; i++) length += strlen(firsts[i]->family) + 1;
    char *families = xcalloc(length, 1);
    for (int i = 0; i < n; i++) {
        if (i) strcat(families, " ");
        strcat(families, firsts[i]->family);
    }
    quoted = gnuplot_string(families);
    fprintf(out, "families = %s\n", quoted);
    free(quoted);
    free(families);
}

void series_free(series_table *t)
{
    for (int i = 0; i < t->count; i++) {
        free(t->items[i].key);
        free(t->items[i].family);
        free(t->items[i].label);
        free(t->items[i].reference);
    }
    free(t->items);
    *t = (series_table){ 0 };
}
