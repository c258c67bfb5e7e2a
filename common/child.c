/* child.c — fork, death signal, process group, cleanup registration, reaping. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "cleanup.h"

/* In the child: async-signal-safe calls only (the parent may have threads). */
static noreturn void become_child(const child_options *o, pid_t parent, child_body body, void *arg)
{
    if (o->own_group) setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, o->death_signal);
    if (getppid() != parent) _exit(127); /* the parent died before the death signal was set */
    const int wanted[3] = { o->stdin_fd, o->stdout_fd, o->stderr_fd };
    for (int fd = 0; fd < 3; fd++)
        if (wanted[fd] >= 0 && wanted[fd] != fd) dup2(wanted[fd], fd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL); /* the parent's blocked signals are not the child's business */
    body(arg);
    _exit(127);
}

int child_start(child_process *child, const child_options *o, child_body body, void *arg)
{
    if (o->own_group) prctl(PR_SET_CHILD_SUBREAPER, 1); /* its orphans come to us */
    /* No signal between the fork and the registration: an interruption there would
     * leave a child that cleanup does not know (the child clears the mask again). */
    sigset_t all, previous;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &previous);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) become_child(o, parent, body, arg);
    int saved = errno;
    if (pid > 0) {
        *child = (child_process){ .pid = pid, .own_group = o->own_group };
        if (o->own_group) {
            setpgid(pid, pid); /* as the child does: whichever runs first */
            cleanup_group(pid);
        } else {
            cleanup_child(pid);
        }
    }
    sigprocmask(SIG_SETMASK, &previous, NULL);
    errno = saved;
    return pid > 0 ? 0 : -1;
}

noreturn void child_exec(char *const argv[])
{
    execv(argv[0], argv);
    const char *what = "cannot execute ";
    if (write(2, what, strlen(what)) > 0 && write(2, argv[0], strlen(argv[0])) > 0) (void)!write(2, "\n", 1);
    _exit(127);
}

/* After the child itself was reaped: the rest of its group, and the tables. */
static void forget(child_process *child)
{
    if (child->own_group) {
        cleanup_kill_group(child->pid);
        cleanup_group_done(child->pid);
    } else {
        cleanup_child_done(child->pid);
    }
    child->pid = 0;
}

int child_wait(child_process *child)
{
    int status = 0;
    if (child->pid <= 0) return 0;
    while (waitpid(child->pid, &status, 0) == -1 && errno == EINTR) {
    }
    forget(child);
    return status;
}

int child_ended(child_process *child, int *status)
{
    if (child->pid <= 0) return 1;
    if (waitpid(child->pid, status, WNOHANG) != child->pid) return 0;
    forget(child);
    return 1;
}

void child_stop(child_process *child)
{
    if (child->pid <= 0) return;
    kill(child->own_group ? -child->pid : child->pid, SIGKILL);
    child_wait(child);
}

static bool is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool child_find_command(const char *name, char *path, size_t size)
{
    if (strchr(name, '/')) {
        snprintf(path, size, "%s", name);
        return is_executable_file(path);
    }
    const char *search = getenv("PATH");
    if (!search) return false;
    size_t length = strlen(search);
    char *copy = malloc(length + 1), *save = NULL;
    if (!copy) return false;
    memcpy(copy, search, length + 1);
    bool found = false;
    for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save))
        found = snprintf(path, size, "%s/%s", *dir ? dir : ".", name) < (int)size && is_executable_file(path);
    free(copy);
    return found;
}
