/* capture.h — run a program to its end and keep what it printed.
 *
 * The program runs as a child (common/child) leading its own process group, so
 * that stopping it stops whatever it started (python3's pool workers). Its
 * standard input is fed from a string; its standard output and error are kept,
 * up to CAPTURE_MAX_OUTPUT bytes each; past a deadline the whole group is stopped.
 * Used for python3 running a chapter's original.py. */
#ifndef TVP_CAPTURE_H
#define TVP_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* More output than any chapter's script writes: a program that floods is stopped. */
#define CAPTURE_MAX_OUTPUT (64 << 20)

typedef struct {
    char *text; /* NUL-terminated; NULL if nothing came */
    size_t length, capacity;
    bool overflowed; /* more than CAPTURE_MAX_OUTPUT came: the rest was dropped */
} capture_buffer;

typedef struct {
    capture_buffer out, err;
    int status;     /* from waitpid; -1 if it was stopped */
    bool timed_out; /* the deadline passed and the group was stopped */
    int64_t started_ns, first_out_ns; /* now_ns() just before the fork, and when the first
                                       * byte of its standard output arrived (0: none came) */
    int64_t ended_ns;                 /* when both its outputs had closed */
} capture_result;

/* Run argv[0] (a path) with `argv`, `input` on its standard input (NULL: none),
 * for at most `timeout_s` seconds. 0; or -1 with errno if it could not start (no
 * pipe, no process: too many open files, too many processes). */
int capture_run(char *const argv[], const char *input, double timeout_s, capture_result *r);

/* The last non-empty line of what it printed, into `out` ("" if none). */
void capture_last_line(const capture_buffer *b, char *out, size_t size);

void capture_free(capture_result *r);

#endif
