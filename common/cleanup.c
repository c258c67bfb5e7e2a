/* cleanup.c — fixed tables and a signal handler that only calls async-signal-safe code. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"

#define MAX_FILES 48
#define MAX_PATH 4096
#define MAX_CHILDREN 1024
#define MAX_GROUPS 16

/* Temporary files and folders, each a name relative to a folder descriptor. */
typedef struct {
    int dirfd;
    char name[MAX_PATH];
} temp_entry;

static temp_entry files[MAX_FILES];
static volatile sig_atomic_t file_used[MAX_FILES];
static volatile pid_t children[MAX_CHILDREN];
static volatile pid_t groups[MAX_GROUPS]; /* leaders of process groups to kill whole */
static temp_entry dirs[4];
static volatile sig_atomic_t dir_used[4];
static volatile pid_t owner; /* only the process that registered acts: a forked child inherits the tables */

static void clean_up(void)
{
    if (getpid() != owner) return;
    for (int i = 0; i < MAX_FILES; i++)
        if (file_used[i]) unlinkat(files[i].dirfd, files[i].name, 0);
    for (int i = 0; i < 4; i++) /* emptied above: its files were registered too */
        if (dir_used[i]) unlinkat(dirs[i].dirfd, dirs[i].name, AT_REMOVEDIR);
    for (int i = 0; i < MAX_GROUPS; i++)
        if (groups[i] > 0) {
            cleanup_kill_group(groups[i]);
            groups[i] = 0;
        }
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] > 0) kill(children[i], SIGKILL);
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] > 0) {
            while (waitpid(children[i], NULL, 0) == -1 && errno == EINTR) {
            }
            children[i] = 0;
        }
}

static void on_fatal_signal(int sig)
{
    int saved = errno;
    clean_up();
    signal(sig, SIG_DFL);
    errno = saved;
    raise(sig);
}

static void install_once(void)
{
    if (owner == getpid()) return;
    owner = getpid();
    static int at_exit;
    if (!at_exit) atexit(clean_up);
    at_exit = 1;
    /* Every signal whose default is to end the process and that a handler may catch. */
    int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGVTALRM, SIGPROF,
                      SIGXCPU };
    for (size_t i = 0; i < sizeof signals / sizeof *signals; i++) {
        struct sigaction old;
        sigaction(signals[i], NULL, &old);
        if (old.sa_handler != SIG_DFL) continue; /* ignored or handled: the caller's choice */
        struct sigaction act = { .sa_handler = on_fatal_signal };
        sigemptyset(&act.sa_mask);
        sigaction(signals[i], &act, NULL);
    }
    /* Past a file-size limit (ulimit -f) a write fails with EFBIG instead of killing us
     * with SIGXFSZ: the writer then reports it, and the temporary files go at exit. */
    struct sigaction old;
    sigaction(SIGXFSZ, NULL, &old);
    if (old.sa_handler == SIG_DFL) signal(SIGXFSZ, SIG_IGN);
}

/* Put (dirfd, name) in the first free slot of a table the signal handler reads;
 * the slot is marked used only once it is whole. */
static void remember_entry(temp_entry *slots, volatile sig_atomic_t *used, int count, int dirfd, const char *name)
{
    install_once();
    if (strlen(name) >= MAX_PATH) return;
    for (int i = 0; i < count; i++)
        if (!used[i]) {
            slots[i].dirfd = dirfd;
            strcpy(slots[i].name, name);
            used[i] = 1;
            return;
        }
}

static void forget_entry(const temp_entry *slots, volatile sig_atomic_t *used, int count, int dirfd, const char *name)
{
    for (int i = 0; i < count; i++)
        if (used[i] && slots[i].dirfd == dirfd && strcmp(slots[i].name, name) == 0) {
            used[i] = 0;
            return;
        }
}

void cleanup_temp_file(int dirfd, const char *name)
{
    remember_entry(files, file_used, MAX_FILES, dirfd, name);
}

void cleanup_temp_file_done(int dirfd, const char *name)
{
    forget_entry(files, file_used, MAX_FILES, dirfd, name);
}

void cleanup_temp_dir(int dirfd, const char *name)
{
    remember_entry(dirs, dir_used, 4, dirfd, name);
}

void cleanup_temp_dir_done(int dirfd, const char *name)
{
    forget_entry(dirs, dir_used, 4, dirfd, name);
}

/* Put pid in the first free slot of a table the signal handler reads. */
static void remember_pid(volatile pid_t *slots, int count, pid_t pid)
{
    install_once();
    for (int i = 0; i < count; i++)
        if (slots[i] <= 0) {
            slots[i] = pid;
            return;
        }
}

static void forget_pid(volatile pid_t *slots, int count, pid_t pid)
{
    for (int i = 0; i < count; i++)
        if (slots[i] == pid) {
            slots[i] = 0;
            return;
        }
}

void cleanup_child(pid_t pid) { remember_pid(children, MAX_CHILDREN, pid); }

void cleanup_child_done(pid_t pid) { forget_pid(children, MAX_CHILDREN, pid); }

void cleanup_kill_group(pid_t leader)
{
    kill(-leader, SIGKILL);
    /* The leader first: its children become ours when it dies, not before. */
    while (waitpid(leader, NULL, 0) == -1 && errno == EINTR) {
    }
    while (waitpid(-leader, NULL, 0) != -1 || errno == EINTR) {
    }
}

void cleanup_group(pid_t leader) { remember_pid(groups, MAX_GROUPS, leader); }

void cleanup_group_done(pid_t leader) { forget_pid(groups, MAX_GROUPS, leader); }
