/* capture.c — run a program to its end and keep what it printed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "child.h"
#include "clock.h"
#include "fail.h"

static void append(capture_buffer *b, const char *data, size_t n)
{
    if (b->length + n > CAPTURE_MAX_OUTPUT) {
        b->overflowed = true;
        return;
    }
    if (b->length + n + 1 > b->capacity) {
        b->capacity = (b->length + n + 1) * 2;
        b->text = xrealloc(b->text, b->capacity, 1);
    }
    memcpy(b->text + b->length, data, n);
    b->length += n;
    b->text[b->length] = '\0';
}

static void exec_argv(void *argv)
{
    child_exec(argv);
}

/* Read what is ready on *fd into `b`; at its end (or an error) close it and set it to -1. */
static void drain(int *fd, capture_buffer *b)
{
    char chunk[8192];
    ssize_t n = read(*fd, chunk, sizeof chunk);
    if (n > 0) {
        append(b, chunk, (size_t)n);
    } else if (n == 0 || errno != EINTR) {
        close(*fd);
        *fd = -1;
    }
}

/* Feed `input`, collect stdout and stderr until both close or the deadline passes.
 * When the program itself has ended, what is left of its group (a worker or a
 * background process that kept its standard output open) is stopped (child_ended),
 * so the pipes close at once instead of at the deadline, and what the program
 * printed counts. */
static void talk_to(child_process *child, int in, int out, int err, const char *input, int64_t deadline_ns,
                    capture_result *r)
{
    size_t fed = 0, to_feed = input ? strlen(input) : 0;
    if (!to_feed) {
        close(in);
        in = -1;
    }
    bool ended = false;
    int status = -1;
    while (out >= 0 || err >= 0) {
        if (!ended && child_ended(child, &status)) ended = true;
        struct pollfd fds[3] = { { out, POLLIN, 0 }, { err, POLLIN, 0 }, { in, POLLOUT, 0 } };
        int64_t left_ms = (deadline_ns - now_ns()) / 1000000;
        if (left_ms <= 0) {
            r->timed_out = true;
            break;
        }
        if (poll(fds, 3, left_ms > 100 ? 100 : (int)left_ms) < 0 && errno != EINTR) break;
        if (out >= 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            drain(&out, &r->out);
            if (!r->first_out_ns && r->out.length) r->first_out_ns = now_ns();
        }
        if (err >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) drain(&err, &r->err);
        if (in >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(in, input + fed, to_feed - fed);
            if (n > 0) fed += (size_t)n;
            if ((n < 0 && errno != EINTR && errno != EAGAIN) || fed == to_feed) {
                close(in);
                in = -1;
            }
        }
    }
    r->ended_ns = now_ns();
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    if (err >= 0) close(err);
    r->status = -1;
    if (ended)
        r->status = status;
    else if (r->timed_out)
        child_stop(child);
    else
        r->status = child_wait(child); /* and whatever is left of its group: pool workers */
}

/* Close the descriptors of the pipes made so far (-1: none). */
static void close_all(int *fds, int count)
{
    for (int i = 0; i < count; i++)
        if (fds[i] >= 0) close(fds[i]);
}

int capture_run(char *const argv[], const char *input, double timeout_s, capture_result *r)
{
    memset(r, 0, sizeof *r);
    r->status = -1;
    int fds[6] = { -1, -1, -1, -1, -1, -1 }, *in = fds, *out = fds + 2, *err = fds + 4;
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
        int saved = errno;
        close_all(fds, 6);
        errno = saved;
        return -1;
    }
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    signal(SIGPIPE, SIG_IGN); /* a program that dies early must not kill us while we feed it */
    /* Its own group: stopping it stops its children too. */
    child_options options = { .death_signal = SIGKILL, .own_group = true, .stdin_fd = in[0], .stdout_fd = out[1],
                              .stderr_fd = err[1] };
    child_process child;
    r->started_ns = now_ns();
    if (child_start(&child, &options, exec_argv, (void *)argv) != 0) {
        int saved = errno;
        close_all(fds, 6);
        errno = saved;
        return -1;
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    talk_to(&child, in[1], out[0], err[0], input, now_ns() + (int64_t)(timeout_s * 1e9), r);
    return 0;
}

void capture_last_line(const capture_buffer *b, char *out, size_t size)
{
    out[0] = '\0';
    if (!b->text) return;
    const char *end = b->text + b->length;
    while (end > b->text && (end[-1] == '\n' || end[-1] == '\r')) end--;
    const char *start = end;
    while (start > b->text && start[-1] != '\n') start--;
    snprintf(out, size, "%.*s", (int)(end - start), start);
}

void capture_free(capture_result *r)
{
    free(r->out.text);
    free(r->err.text);
    memset(r, 0, sizeof *r);
}
