/* figure_write.c — build/figure-write DIR NAME PROGRAM [ARG...]: DIR/NAME becomes
 * what PROGRAM writes on its standard output, whole or not at all.
 *
 * plots/render.sh draws each figure through it (gnuplot writing to standard
 * output). A results folder may be shared with other users, so the figure is never
 * written by name: DIR is opened without following a link, a new file is created
 * in it exclusively under an unpredictable name (atomic_file_open_at), PROGRAM's
 * standard output is that file's descriptor, and the file is renamed over NAME
 * relative to DIR's descriptor only if PROGRAM succeeded and wrote something
 * (gnuplot can exit 0 having written nothing on a full disk). A NAME that is a
 * link, a folder or a FIFO is refused, never replaced or written through.
 * Exit 0: written; 1: PROGRAM failed or wrote nothing (the previous NAME is kept);
 * 2: a bad command line or an unusable DIR. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "child.h"
#include "fail.h"

static void run_program(void *argv)
{
    child_exec(argv);
}

/* PROGRAM with its standard output on `fd`: 0 if it exited 0. */
static int draw_into(int fd, char **argv)
{
    child_options options = CHILD_OPTIONS_DEFAULT;
    options.stdout_fd = fd;
    child_process child;
    if (child_start(&child, &options, run_program, argv) != 0)
        fail_user("figure-write", EXIT_EXPERIMENT_FAILED, "cannot start %s: %s", argv[0], strerror(errno));
    int status = child_wait(&child);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        puts("usage: figure-write DIR NAME PROGRAM [ARG...]   (DIR/NAME := PROGRAM's standard output, whole or not at all)");
        fail_unless_stdout_written("figure-write");
        return 0;
    }
    if (argc < 4) fail_user("figure-write", EXIT_BAD_INPUT, "usage: figure-write DIR NAME PROGRAM [ARG...]");
    const char *dir_path = argv[1], *name = argv[2];
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        fail_user("figure-write", EXIT_BAD_INPUT, "%s: a file name without a slash, please", name);
    atomic_dir dir = { open(dir_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), dir_path };
    if (dir.fd < 0)
        fail_user("figure-write", EXIT_BAD_INPUT, "%s: %s", dir_path,
                  errno == ELOOP ? "is a symbolic link" : strerror(errno));
    atomic_file f;
    if (atomic_file_open_at(&f, dir.fd, dir.path, name) != 0)
        fail_user("figure-write", EXIT_EXPERIMENT_FAILED, "%s/%s: %s", dir_path, name,
                  errno == EEXIST || errno == EISDIR ? "something that is not a regular file is in its place: not replaced"
                                                     : strerror(errno));
    fflush(f.stream);
    int drawn = draw_into(fileno(f.stream), argv + 3);
    struct stat st;
    if (drawn != 0 || fstat(fileno(f.stream), &st) != 0 || st.st_size == 0) {
        atomic_file_abort(&f);
        fail_user("figure-write", EXIT_EXPERIMENT_FAILED, "%s/%s %s: the previous one is kept", dir_path, name,
                  drawn != 0 ? "could not be drawn" : "came out empty (a full disk?)");
    }
    if (atomic_file_commit(&f) != 0)
        fail_user("figure-write", EXIT_EXPERIMENT_FAILED, "cannot write %s/%s: %s", dir_path, name, strerror(errno));
    close(dir.fd);
    return 0;
}
