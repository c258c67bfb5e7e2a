/* csv.c — RFC 4180 writer on top of atomic_file. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int csv_open_at(csv_writer *w, int dirfd, const char *dir_path, const char *name)
{
    w->fields_in_row = 0;
    return atomic_file_open_at(&w->file, dirfd, dir_path, name);
}

void csv_write_field(FILE *out, const char *value)
{
    if (!strpbrk(value, ",\"\r\n")) {
        fputs(value, out);
        return;
    }
    fputc('"', out);
    for (const char *c = value; *c; c++) {
        if (*c == '"') fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

void csv_meta(csv_writer *w, const char *key, const char *fmt, ...)
{
    char value[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    /* A preamble line must stay one line. */
    for (char *c = value; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
    fprintf(w->file.stream, "# %s=%s\n", key, value);
}

void csv_header(csv_writer *w, const char *const *columns, int count)
{
    for (int i = 0; i < count; i++) csv_str(w, columns[i]);
    csv_end_row(w);
}

void csv_str(csv_writer *w, const char *value)
{
    if (w->fields_in_row++) fputc(',', w->file.stream);
    csv_write_field(w->file.stream, value);
}

void csv_int(csv_writer *w, int64_t value)
{
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)value);
    csv_str(w, text);
}

void csv_num(csv_writer *w, double value, int decimals)
{
    char text[64];
    snprintf(text, sizeof text, "%.*f", decimals, value);
    csv_str(w, text);
}

void csv_end_row(csv_writer *w)
{
    fputc('\n', w->file.stream); /* LF, not RFC 4180's CRLF: gnuplot and awk read it as is */
    w->fields_in_row = 0;
}

int csv_commit(csv_writer *w)
{
    return atomic_file_commit(&w->file);
}

void csv_abort(csv_writer *w)
{
    atomic_file_abort(&w->file);
}

int csv_split(char *line, char **fields, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        char *out = p;
        fields[n++] = p;
        if (*p == '"') {
            for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
                if (*p == '"') p++;
                *out++ = *p;
            }
            if (*p == '"') p++;
        } else {
            while (*p && *p != ',') *out++ = *p++;
        }
        bool more = *p == ',';
        *out = '\0';
        if (!more) break;
        p++;
    }
    return n;
}

bool csv_preamble_value(const char *text, const char *key, char *out, size_t size)
{
    size_t key_length = strlen(key);
    out[0] = '\0';
    for (const char *line = text; *line == '#';) {
        size_t length = strcspn(line, "\n");
        if (strncmp(line, "# ", 2) == 0 && strncmp(line + 2, key, key_length) == 0 && line[2 + key_length] == '=') {
            const char *value = line + 3 + key_length;
            snprintf(out, size, "%.*s", (int)(length - (size_t)(value - line)), value);
            return true;
        }
        line += length + (line[length] != '\0');
    }
    return false;
}

int csv_column(char *const *names, int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

bool csv_number(const char *text, double min, double max, double *value)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno || !isfinite(v) || v < min || v > max) return false;
    *value = v;
    return true;
}
