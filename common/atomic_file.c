/* atomic_file.c — a fresh temporary file (mkstemp: O_CREAT | O_EXCL, an unpredictable
 * name, so a planted symlink or FIFO is never opened) + fsync + rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cleanup.h"
#include "fail.h"

/* The target may be missing or a regular file; anything else (a symlink, a FIFO, a
 * device, a directory) is refused: renaming over it would replace what it is. */
static int target_is_replaceable(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (S_ISREG(st.st_mode)) return 0;
    errno = S_ISDIR(st.st_mode) ? EISDIR : EEXIST;
    return -1;
}

/* The permissions a plain fopen() would have given: 0666 less the umask. */
static mode_t default_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int atomic_file_open(atomic_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    if (target_is_replaceable(path) != 0) return -1;
    f->path = xstrdup(path);
    f->temp_path = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkostemp(f->temp_path, O_CLOEXEC);
    if (fd < 0 || fchmod(fd, default_mode()) != 0 || !(f->stream = fdopen(fd, "w"))) {
        int saved = errno;
        if (fd >= 0) {
            close(fd);
            unlink(f->temp_path);
        }
        free(f->path);
        free(f->temp_path);
        memset(f, 0, sizeof *f);
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
    /* Checked again: the target may have become a symlink or a FIFO meanwhile. */
    if (!failed && (target_is_replaceable(f->path) != 0 || rename(f->temp_path, f->path) != 0)) {
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
