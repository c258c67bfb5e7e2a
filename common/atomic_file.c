/* atomic_file.c — temp file + fsync + rename. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cleanup.h"
#include "fail.h"

int atomic_file_open(atomic_file *f, const char *path)
{
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
    cleanup_temp_file(f->temp_path);
    return 0;
}

static void release(atomic_file *f)
{
    cleanup_temp_file_done(f->temp_path);
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
