/* fail.h — loud failure for calls that must not fail (OSTEP-style wrappers, done right).
 *
 * CHECK_PTHREAD runs the call always (never inside assert) and, because pthread
 * functions return the error number instead of setting errno, prints that number's
 * reason, not errno's. CHECK_SYS is for calls that return -1 and set errno. */
#ifndef TVP_FAIL_H
#define TVP_FAIL_H

#include <stdarg.h>
#include <stdnoreturn.h>

/* Print "file:line: what: reason" to stderr and exit(1): an experiment that cannot run. */
noreturn void fail_at(const char *file, int line, const char *what, int errnum);

#define CHECK_PTHREAD(call)                                                  \
    do {                                                                     \
        int check_rc_ = (call);                                              \
        if (check_rc_ != 0) fail_at(__FILE__, __LINE__, #call, check_rc_);   \
    } while (0)

#define CHECK_SYS(call)                                                      \
    do {                                                                     \
        if ((call) == -1) fail_at(__FILE__, __LINE__, #call, errno);         \
    } while (0)

/* Allocation that cannot fail quietly. */
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
/* A formatted, malloc'd string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

#endif
