/* child.h — the one place where the workbook starts a child process (the chapters
 * that teach fork itself aside): the pool's worker processes, the latency server,
 * and python3 running a chapter's original.py.
 *
 * Every child dies with its parent (PR_SET_PDEATHSIG; and if the parent is already
 * gone when it starts, it leaves at once), is registered with cleanup.h so that a
 * Ctrl-C or an exit of the parent kills and reaps it, and is reaped exactly once. A
 * child that leads its own process group (python3 and its pool) is stopped as a
 * whole group, its orphaned grandchildren reaped here (the caller becomes a child
 * subreaper). Between fork and exec the child calls only async-signal-safe code. */
#ifndef TVP_CHILD_H
#define TVP_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>
#include <sys/types.h>

typedef struct {
    int death_signal;              /* sent to the child if this process dies: SIGKILL or SIGTERM */
    bool own_group;                /* lead a new process group, stopped as a whole */
    int stdin_fd, stdout_fd, stderr_fd; /* dup2()ed onto 0, 1, 2 in the child; -1: keep */
} child_options;

#define CHILD_OPTIONS_DEFAULT { .death_signal = SIGKILL, .own_group = false, .stdin_fd = -1, .stdout_fd = -1, \
                                .stderr_fd = -1 }

typedef struct {
    pid_t pid;       /* 0 once reaped */
    bool own_group;
} child_process;

/* Runs in the child after the options took effect; must not return (exec or _exit). */
typedef void (*child_body)(void *arg);

/* 0, or -1 with errno (no child then). */
int child_start(child_process *child, const child_options *options, child_body body, void *arg);
/* Replace the child with `argv[0]` (a path); on failure say so on fd 2, _exit(127). */
noreturn void child_exec(char *const argv[]);

/* The executable a command names: a name with a '/' is a path, any other is looked up
 * on PATH, as the shell does. Its path into `path`; false if there is none. */
bool child_find_command(const char *name, char *path, size_t size);

/* Wait for it to end (EINTR-safe); the waitpid status. A group's other members
 * are then killed and reaped too. */
int child_wait(child_process *child);
/* Has it ended? 1 (and *status) if so, 0 if it still runs. */
int child_ended(child_process *child, int *status);
/* Kill it (the whole group for a group leader) and reap it. Safe to call twice. */
void child_stop(child_process *child);

#endif
