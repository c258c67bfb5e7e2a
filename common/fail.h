/* fail.h — how the workbook fails: one style per layer.
 *
 *   1. A broken invariant or a call that must not fail (a bug, or the machine out
 *      of a resource): CHECK_PTHREAD / CHECK_SYS / fail_at(), "file:line: what:
 *      reason", exit 1. Allocation goes through xcalloc() and friends, which do the same.
 *   2. A common/ function that can fail for a reason outside the program (a file, a
 *      child, the network): it returns -1 (or another documented code) with a
 *      one-line reason in an error buffer or errno, and lets its caller decide.
 *   3. What a user sees when a program stops: fail_user() / chapter_fail(), one line
 *      "program: reason", exit 2 for bad input (before anything ran) or 1 for an
 *      experiment that failed. Nothing else calls exit() in a chapter.
 *   4. Something the user should know while the experiment goes on (CPython skipped, a
 *      descriptor limit lower than asked): warn_user(), one line "program: reason" on
 *      stderr, and the run continues. The summary says the same where it changes a result.
 *
 * The CHECK_ macros are OSTEP-style wrappers, done right:
 * CHECK_PTHREAD runs the call always (never inside assert) and, because pthread
 * functions return the error number instead of setting errno, prints that number's
 * reason, not errno's. CHECK_SYS is for calls that return -1 and set errno. */
#ifndef TVP_FAIL_H
#define TVP_FAIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdnoreturn.h>

enum { EXIT_EXPERIMENT_FAILED = 1, EXIT_BAD_INPUT = 2 };

/* "program: message" on one line of stderr (control characters shown as '?'), then exit(status). */
noreturn void fail_user(const char *program, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
noreturn void fail_user_v(const char *program, int status, const char *fmt, va_list ap);

/* "program: message" on one line of stderr, as fail_user() prints it, and return. */
void warn_user(const char *program, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Before exit 0 of a program that printed: flush standard output and, if anything
 * written there was lost (a full disk, a closed pipe, /dev/full), fail_user() with
 * exit 1 instead of reporting success. */
void fail_unless_stdout_written(const char *program);

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

/* Text for one line of a message, in place: control characters (a newline, a terminal
 * escape) become '?'. Returns `text`. */
char *fail_one_line(char *text);

/* Allocation that cannot fail quietly. */
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
/* A formatted, malloc'd string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

#endif
