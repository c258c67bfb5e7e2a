/* fail.c — loud failure for calls that must not fail. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

void fail_at(const char *file, int line, const char *what, int errnum)
{
    fprintf(stderr, "%s:%d: %s: %s\n", file, line, what, strerror(errnum));
    exit(1);
}

char *fail_one_line(char *text)
{
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    return text;
}

static void print_user_line(const char *program, const char *fmt, va_list ap)
{
    char *message = fail_one_line(xvasprintf(fmt, ap)); /* one line, no terminal escapes */
    fprintf(stderr, "%s: %s\n", program, message);
    free(message);
}

noreturn void fail_user_v(const char *program, int status, const char *fmt, va_list ap)
{
    print_user_line(program, fmt, ap);
    exit(status);
}

void warn_user(const char *program, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_user_line(program, fmt, ap);
    va_end(ap);
}

void fail_unless_stdout_written(const char *program)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout))
        fail_user(program, EXIT_EXPERIMENT_FAILED, "cannot write to standard output: %s",
                  strerror(errno ? errno : EIO));
}

noreturn void fail_user(const char *program, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_user_v(program, status, fmt, ap);
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) fail_at(__FILE__, __LINE__, "calloc", ENOMEM);
    return p;
}

void *xrealloc(void *ptr, size_t count, size_t size)
{
    if (size && count > (size_t)-1 / size) fail_at(__FILE__, __LINE__, "realloc", ENOMEM);
    size_t bytes = count * size;
    void *p = realloc(ptr, bytes ? bytes : 1);
    if (!p) fail_at(__FILE__, __LINE__, "realloc", ENOMEM);
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) fail_at(__FILE__, __LINE__, "strdup", ENOMEM);
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *s;
    if (vasprintf(&s, fmt, ap) < 0) fail_at(__FILE__, __LINE__, "vasprintf", ENOMEM);
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}
