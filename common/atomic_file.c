/* atomic_file.c — temp file + fsync + rename. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "fail.h"

/* Temp files not yet committed, so a signal handler can remove them. Fixed slots
 * of fixed size: the handler may only call async-signal-safe functions. */
#define MAX_OPEN 8
#define MAX_PATH 4096
static char pending[MAX_OPEN][MAX_PATH];
static volatile sig_atomic_t pending_used[MAX_OPEN];

static void remove_pending(void)
{
    for (int i = 0; i < MAX_OPEN; i++)
        if (pending_used[i]) unlink(pending[i]);
}

static void on_fatal_signal(int sig)
{
    remove_pending();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_cleanup_once(void)
{
    static int installed;
    if (installed) return;
    installed = 1;
    atexit(remove_pending);
    int signals[] = { SIGINT, SIGTERM, SIGHUP };
    for (size_t i = 0; i < sizeof signals / sizeof *signals; i++) {
        struct sigaction old;
        sigaction(signals[i], NULL, &old);
        if (old.sa_handler == SIG_DFL) signal(signals[i], on_fatal_signal);
    }
}

static void track(const char *temp_path, int on)
{
    for (int i = 0; i < MAX_OPEN; i++) {
        if (on && !pending_used[i] && strlen(temp_path) < MAX_PATH) {
            strcpy(pending[i], temp_path);
            pending_used[i] = 1;
            return;
        }
        if (!on && pending_used[i] && strcmp(pending[i], temp_path) == 0) {
            pending_used[i] = 0;
            return;
        }
    }
}

int atomic_file_open(atomic_file *f, const char *path)
{
    install_cleanup_once();
    size_t size = strlen(path) + 32;
    f->path = xstrdup(path);
    f->temp_path = xcalloc(size, 1);
    snprintf(f->temp_path, size, "%s.tmp.%d", path, (int)getpid());
    f->stream = fopen(f->temp_path, "w");
    if (!f->stream) {
        int saved = errno;
        free(f->path);
        free(f->temp_path);
        errno = saved;
        return -1;
    }
    track(f->temp_path, 1);
    return 0;
}

static void release(atomic_file *f)
{
    track(f->temp_path, 0);
    free(f->path);
    free(f->temp_path);
    f->path = f->temp_path = NULL;
    f->stream = NULL;
}

int atomic_file_commit(atomic_file *f)
{
    int failed = ferror(f->stream) || fflush(f->stream) != 0 || fsync(fileno(f->stream)) != 0;
    int saved = errno ? errno : EIO;
    if (fclose(f->stream) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    if (!failed && rename(f->temp_path, f->path) != 0) {
        failed = 1;
        saved = errno;
    }
    if (failed) unlink(f->temp_path);
    release(f);
    if (failed) errno = saved;
    return failed ? -1 : 0;
}

void atomic_file_abort(atomic_file *f)
{
    if (!f->stream) return;
    fclose(f->stream);
    unlink(f->temp_path);
    release(f);
}
