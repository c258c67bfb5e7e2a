/* pingpong.c — round trips over a pipe, shared memory and between threads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"
#include "pingpong.h"

#define UNTIMED_TRIPS 2

int pingpong_trips(long size, int most)
{
    long budget = (16L << 20) / (size > 0 ? size : 1);
    if (budget > most) budget = most;
    return budget < 8 ? 8 : (int)budget;
}

/* ---- the shared buffer: both ways that share memory ---- */

/* Whose turn it is: the side whose number the flag holds may read the buffer. */
typedef struct {
    atomic_int turn; /* 0: the first side's, 1: the echo's, -1: the echo must stop */
    char data[];
} shared_buffer;

/* A side that waits longer than this for its turn gives up: the other side died. */
#define TURN_TIMEOUT_NS (10 * NS_PER_S)

static bool wait_for_turn(shared_buffer *b, int side)
{
    int64_t deadline = 0;
    for (unsigned looks = 1; atomic_load_explicit(&b->turn, memory_order_acquire) != side; looks++) {
        if (looks > 64) sched_yield(); /* the other side may need this CPU to give the turn back */
        if (looks % 4096 == 0) {
            if (!deadline) deadline = now_ns() + TURN_TIMEOUT_NS;
            else if (now_ns() > deadline) return false;
        }
    }
    return true;
}

/* The echo: take each message out, put it back, hand the turn over; `trips` times. */
static void shared_echo(shared_buffer *b, char *mine, long size, int trips)
{
    for (int t = 0; t < trips; t++) {
        if (!wait_for_turn(b, 1)) return;
        memcpy(mine, b->data, (size_t)size);
        memcpy(b->data, mine, (size_t)size);
        atomic_store_explicit(&b->turn, 0, memory_order_release);
    }
}

static bool shared_send(shared_buffer *b, char *mine, long size)
{
    memcpy(b->data, mine, (size_t)size);
    atomic_store_explicit(&b->turn, 1, memory_order_release);
    if (!wait_for_turn(b, 0)) return false;
    memcpy(mine, b->data, (size_t)size);
    return true;
}

typedef struct {
    shared_buffer *buffer;
    char *mine;
    long size;
    int trips;
} echo_job;

static void *echo_thread(void *arg)
{
    echo_job *j = arg;
    shared_echo(j->buffer, j->mine, j->size, j->trips);
    return NULL;
}

/* In the forked echo: async-signal-safe work only (memcpy, atomics, sched_yield). */
static void echo_process(void *arg)
{
    echo_job *j = arg;
    shared_echo(j->buffer, j->mine, j->size, j->trips);
    _exit(0);
}

/* ---- the pipe ---- */

typedef struct {
    int in, out;
    char *mine;
    long size;
    int trips;
} pipe_job;

static bool move_all(int fd, char *data, long size, bool writing)
{
    for (long done = 0; done < size;) {
        size_t left = (size_t)(size - done);
        ssize_t n = writing ? write(fd, data + done, left) : read(fd, data + done, left);
        if (n > 0) done += n;
        else if (n == 0 || errno != EINTR) return false;
    }
    return true;
}

static void pipe_echo(void *arg)
{
    pipe_job *j = arg;
    for (int t = 0; t < j->trips; t++)
        if (!move_all(j->in, j->mine, j->size, false) || !move_all(j->out, j->mine, j->size, true)) _exit(1);
    _exit(0);
}

/* ---- one run ---- */

static int fail_with(char *error, size_t size, const char *what, int errnum)
{
    snprintf(error, size, "%s: %s", what, strerror(errnum));
    return -1;
}

static int run_pipe(long size, int trips, char *mine, double *seconds, char *error, size_t error_size)
{
    int there[2], back[2];
    if (pipe2(there, O_CLOEXEC) != 0) return fail_with(error, error_size, "pipe", errno);
    if (pipe2(back, O_CLOEXEC) != 0) {
        int saved = errno;
        close(there[0]), close(there[1]);
        return fail_with(error, error_size, "pipe", saved);
    }
    pipe_job job = { there[0], back[1], mine, size, trips + UNTIMED_TRIPS };
    child_options options = CHILD_OPTIONS_DEFAULT;
    child_process echo;
    int rc = child_start(&echo, &options, pipe_echo, &job), saved = errno;
    close(there[0]), close(back[1]);
    if (rc != 0) {
        close(there[1]), close(back[0]);
        return fail_with(error, error_size, "fork", saved);
    }
    signal(SIGPIPE, SIG_IGN); /* an echo that died is reported, not a reason to die */
    bool ok = true;
    int64_t begun = 0;
    for (int t = 0; t < trips + UNTIMED_TRIPS && ok; t++) {
        if (t == UNTIMED_TRIPS) begun = now_ns();
        ok = move_all(there[1], mine, size, true) && move_all(back[0], mine, size, false);
    }
    *seconds = ns_to_s(now_ns() - begun);
    close(there[1]), close(back[0]);
    int status = child_wait(&echo);
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(error, error_size, "the echo process over the pipe ended early");
        return -1;
    }
    return 0;
}

static int run_shared(pingpong_way way, long size, int trips, char *mine, double *seconds, char *error,
                      size_t error_size)
{
    size_t bytes = sizeof(shared_buffer) + (size_t)size;
    shared_buffer *b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) return fail_with(error, error_size, "mmap", errno);
    atomic_init(&b->turn, 0);
    char *theirs = malloc((size_t)size);
    if (!theirs) {
        munmap(b, bytes);
        return fail_with(error, error_size, "malloc", ENOMEM);
    }
    echo_job job = { b, theirs, size, trips + UNTIMED_TRIPS };
    child_process echo = { 0 };
    pthread_t thread;
    int rc;
    if (way == PINGPONG_THREADS) {
        rc = pthread_create(&thread, NULL, echo_thread, &job);
    } else {
        child_options options = CHILD_OPTIONS_DEFAULT;
        rc = child_start(&echo, &options, echo_process, &job) == 0 ? 0 : errno;
    }
    if (rc != 0) {
        free(theirs);
        munmap(b, bytes);
        return fail_with(error, error_size, way == PINGPONG_THREADS ? "pthread_create" : "fork", rc);
    }
    int64_t begun = 0;
    bool ok = true;
    for (int t = 0; t < trips + UNTIMED_TRIPS && ok; t++) {
        if (t == UNTIMED_TRIPS) begun = now_ns();
        ok = shared_send(b, mine, size);
    }
    *seconds = ns_to_s(now_ns() - begun);
    int status = 0;
    if (way == PINGPONG_THREADS) pthread_join(thread, NULL); /* it gives up too, if we did */
    else if (ok) status = child_wait(&echo);
    else child_stop(&echo);
    free(theirs);
    munmap(b, bytes);
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(error, error_size, "the echo over shared memory stopped answering");
        return -1;
    }
    return 0;
}

int pingpong_run(pingpong_way way, long size, int trips, double *seconds, char *error, size_t error_size)
{
    if (size < 1 || size > PINGPONG_LARGEST || trips < 1) {
        snprintf(error, error_size, "pingpong_run: %ld bytes, %d trips", size, trips);
        return -1;
    }
    char *mine = calloc((size_t)size, 1);
    if (!mine) return fail_with(error, error_size, "malloc", ENOMEM);
    int rc = way == PINGPONG_PIPE ? run_pipe(size, trips, mine, seconds, error, error_size)
                                  : run_shared(way, size, trips, mine, seconds, error, error_size);
    free(mine);
    return rc;
}
