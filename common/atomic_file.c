/* atomic_file.c — a fresh temporary file (O_CREAT | O_EXCL | O_NOFOLLOW under an
 * unpredictable name, as mkstemp, so a planted symlink or FIFO is never opened),
 * relative to a folder descriptor when given one, + fsync + rename. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
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
static int target_is_replaceable(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT ? 0 : -1;
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

/* Six characters no one can guess (mkstemp's XXXXXX), or -1 with errno. */
static int unpredictable_suffix(char suffix[7])
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char random[6];
    if (getentropy(random, sizeof random) != 0) return -1;
    for (int i = 0; i < 6; i++) suffix[i] = letters[random[i] % (sizeof letters - 1)];
    suffix[6] = '\0';
    return 0;
}

int atomic_dir_create_at(int dirfd, const char *prefix, char *name, size_t size)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        char suffix[7];
        if (unpredictable_suffix(suffix) != 0) return -1;
        snprintf(name, size, "%s%s", prefix, suffix);
        if (mkdirat(dirfd, name, 0700) == 0) return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (errno != EEXIST) return -1;
    }
    errno = EEXIST;
    return -1;
}

int atomic_dir_open_at(int dirfd, const char *name)
{
    if (mkdirat(dirfd, name, 0777) != 0 && errno != EEXIST) return -1;
    return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Remove the folder `name` and what it holds, folders inside it to `depth` levels,
 * never following a link (a link inside is removed, not what it points to). */
static int remove_dir_at(int dirfd, const char *name, int depth)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0) close(fd);
        return -1;
    }
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        struct stat st;
        if (depth > 0 && fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
            remove_dir_at(fd, e->d_name, depth - 1);
        else
            unlinkat(fd, e->d_name, 0);
    }
    closedir(d);
    return unlinkat(dirfd, name, AT_REMOVEDIR);
}

int atomic_dir_remove(int dirfd, const char *name)
{
    return remove_dir_at(dirfd, name, 2);
}

/* The names in folder fd (no . or ..) and whether each is a folder: a malloc'd
 * array of `*count`, or NULL with errno. */
typedef struct {
    char name[256];
    bool is_dir;
} dir_entry;

static dir_entry *list_entries(int fd, int *count)
{
    int copy = dup(fd);
    DIR *d = copy < 0 ? NULL : fdopendir(copy);
    if (!d) {
        if (copy >= 0) close(copy);
        return NULL;
    }
    rewinddir(d); /* the duplicate shares its offset with fd */
    dir_entry *entries = NULL;
    *count = 0;
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        entries = xrealloc(entries, (size_t)*count + 1, sizeof *entries);
        snprintf(entries[*count].name, sizeof entries[*count].name, "%s", e->d_name);
        entries[(*count)++].is_dir = S_ISDIR(st.st_mode);
    }
    closedir(d);
    return entries ? entries : xcalloc(1, sizeof *entries);
}

/* Is the place of `e` in to_fd free, or held by the same kind (file, folder)? */
static int same_kind_or_missing(int to_fd, const dir_entry *e)
{
    struct stat st;
    if (fstatat(to_fd, e->name, &st, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT ? 0 : -1;
    if (e->is_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) return 0;
    errno = EEXIST;
    return -1;
}

/* A folder is exchanged with the one in its place (which lands in from_fd), or
 * renamed where there is none; a file is renamed over its old one. A file system
 * without RENAME_EXCHANGE (EINVAL: some network and overlay file systems) gets two
 * renames instead: the old folder into from_fd under another name, then the new one
 * in (for an instant the folder is missing, never mixed). */
static int move_in(int from_fd, int to_fd, const dir_entry *e)
{
    if (!e->is_dir) return renameat(from_fd, e->name, to_fd, e->name);
    if (renameat2(from_fd, e->name, to_fd, e->name, RENAME_EXCHANGE) == 0) return 0;
    if (errno == ENOENT) return renameat(from_fd, e->name, to_fd, e->name);
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return -1;
    char old[300];
    snprintf(old, sizeof old, "%s.previous", e->name);
    if (renameat(to_fd, e->name, from_fd, old) != 0) return -1;
    return renameat(from_fd, e->name, to_fd, e->name);
}

int atomic_dir_publish(int from_fd, int to_fd, char *failed, size_t failed_size)
{
    int count, rc = 0, saved = 0;
    dir_entry *entries = list_entries(from_fd, &count);
    if (!entries) return -1;
    for (int i = 0; i < count && rc == 0; i++)
        if (same_kind_or_missing(to_fd, &entries[i]) != 0) rc = -1, saved = errno, snprintf(failed, failed_size, "%s", entries[i].name);
    sigset_t all, previous;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &previous);
    for (int i = 0; i < count && rc == 0; i++)
        if (move_in(from_fd, to_fd, &entries[i]) != 0) rc = -1, saved = errno, snprintf(failed, failed_size, "%s", entries[i].name);
    sigprocmask(SIG_SETMASK, &previous, NULL);
    free(entries);
    errno = saved;
    return rc;
}

int atomic_dir_remove_stale(int dirfd, const char *prefix)
{
    int fd = dup(dirfd), removed = 0;
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0) close(fd);
        return 0;
    }
    rewinddir(d); /* the duplicate shares its offset with dirfd */
    size_t length = strlen(prefix);
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        if (strncmp(e->d_name, prefix, length) != 0 || strlen(e->d_name) != length + 6) continue;
        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) continue;
        removed += atomic_dir_remove(dirfd, e->d_name) == 0;
    }
    closedir(d);
    return removed;
}

/* NAME.tmp.XXXXXX inside dirfd, created exclusively under an unpredictable name
 * (mkstemp's rule, relative to a folder descriptor): its fd, or -1 with errno. */
static int create_temp_at(int dirfd, const char *name, char **temp_name)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        char suffix[7];
        if (unpredictable_suffix(suffix) != 0) return -1;
        *temp_name = xasprintf("%s.tmp.%s", name, suffix);
        int fd = openat(dirfd, *temp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) {
            if (fd < 0) {
                free(*temp_name);
                *temp_name = NULL;
            }
            return fd;
        }
        free(*temp_name);
        *temp_name = NULL;
    }
    errno = EEXIST;
    return -1;
}

int atomic_file_open_at(atomic_file *f, int dirfd, const char *dir_path, const char *name)
{
    memset(f, 0, sizeof *f);
    f->dirfd = dirfd;
    if (target_is_replaceable(dirfd, name) != 0) return -1;
    char *temp_name = NULL;
    int fd = create_temp_at(dirfd, name, &temp_name);
    if (fd < 0 || fchmod(fd, default_mode()) != 0 || !(f->stream = fdopen(fd, "w"))) {
        int saved = errno;
        if (fd >= 0) {
            close(fd);
            unlinkat(dirfd, temp_name, 0);
        }
        free(temp_name);
        memset(f, 0, sizeof *f);
        errno = saved;
        return -1;
    }
    f->name = xstrdup(name);
    f->temp_name = temp_name;
    f->path = dir_path ? xasprintf("%s/%s", dir_path, name) : xstrdup(name);
    cleanup_temp_file(dirfd, temp_name);
    return 0;
}

int atomic_file_open(atomic_file *f, const char *path)
{
    return atomic_file_open_at(f, AT_FDCWD, NULL, path);
}

static void release(atomic_file *f)
{
    cleanup_temp_file_done(f->dirfd, f->temp_name);
    free(f->path);
    free(f->name);
    free(f->temp_name);
    f->path = f->name = f->temp_name = NULL;
    f->stream = NULL;
}

/* Is the entry temp_name in the folder still the file we wrote (same device and
 * inode)? Someone who can write into the folder may have swapped it for a link. */
static int still_ours(int dirfd, const char *temp_name, const struct stat *written)
{
    struct stat now;
    if (fstatat(dirfd, temp_name, &now, AT_SYMLINK_NOFOLLOW) != 0) return -1;
    if (now.st_dev == written->st_dev && now.st_ino == written->st_ino) return 0;
    errno = EEXIST;
    return -1;
}

int atomic_file_commit(atomic_file *f)
{
    struct stat written;
    int failed = ferror(f->stream) || fflush(f->stream) != 0 || fsync(fileno(f->stream)) != 0 ||
                 fstat(fileno(f->stream), &written) != 0;
    int saved = errno ? errno : EIO;
    if (fclose(f->stream) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    /* Checked again: the temporary file may have been swapped for something else,
     * and the target may have become a symlink or a FIFO meanwhile. */
    int swapped = !failed && still_ours(f->dirfd, f->temp_name, &written) != 0;
    if (swapped) failed = 1, saved = errno;
    if (!failed && (target_is_replaceable(f->dirfd, f->name) != 0 ||
                    renameat(f->dirfd, f->temp_name, f->dirfd, f->name) != 0)) {
        failed = 1;
        saved = errno;
    }
    if (failed && !swapped) unlinkat(f->dirfd, f->temp_name, 0); /* a swapped-in entry is not ours to remove */
    release(f);
    if (failed) errno = saved;
    return failed ? -1 : 0;
}

void atomic_file_abort(atomic_file *f)
{
    if (!f->stream) return;
    fclose(f->stream);
    unlinkat(f->dirfd, f->temp_name, 0);
    release(f);
}
