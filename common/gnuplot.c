/* gnuplot.c — text for gnuplot as data (gnuplot.h). */
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
