/* atomic_file.h — write a file so that readers see the old one or the whole new one.
 *
 * Writes go to a new temporary file beside the target, created exclusively under an
 * unpredictable name (mkstemp), so nothing planted there is followed or opened;
 * commit flushes, syncs and renames it over the target; abort (or any write error)
 * removes it. An interrupted run therefore never leaves a half-written result. The
 * target must be missing or a regular file: a symlink, FIFO, device or directory in
 * its place is refused (EEXIST, EISDIR), never replaced or written through. */
#ifndef TVP_ATOMIC_FILE_H
#define TVP_ATOMIC_FILE_H

#include <stdio.h>

typedef struct {
    FILE *stream;   /* write here */
    char *path;     /* the target, for messages and cleanup */
    int dirfd;      /* the folder, held open (AT_FDCWD for a path) */
    char *name, *temp_name; /* relative to dirfd */
} atomic_file;

/* A folder held open by descriptor, and its path for messages: files are created
 * and renamed relative to fd, so a folder swapped for a link after it was opened
 * is never written through. */
typedef struct {
    int fd;
    const char *path;
} atomic_dir;

/* 0 on success; -1 with errno set (nothing is created then; EEXIST: the target is
 * not a regular file). */
int atomic_file_open(atomic_file *f, const char *path);
/* The same for `name` inside the folder held open as `dirfd` (whose path, for
 * messages and cleanup, is `dir_path`): created with openat(O_CREAT | O_EXCL |
 * O_NOFOLLOW) and renamed with renameat, so a folder swapped for a link after it
 * was opened is never written through. The caller keeps dirfd open until commit. */
int atomic_file_open_at(atomic_file *f, int dirfd, const char *dir_path, const char *name);

/* A new private folder (mode 0700) inside dirfd, named `prefix` and six unpredictable
 * characters (mkdtemp's rule, relative to a folder descriptor), its name into `name`:
 * its descriptor (opened without following a link), or -1 with errno. */
int atomic_dir_create_at(int dirfd, const char *prefix, char *name, size_t size);
/* The folder `name` inside dirfd, made (mode 0777 less the umask) if missing and
 * opened without following a link (O_DIRECTORY | O_NOFOLLOW): its descriptor, or -1
 * with errno (ELOOP or ENOTDIR: something other than a folder is there). */
int atomic_dir_open_at(int dirfd, const char *name);
/* Move everything in the folder from_fd into to_fd, as one set: first every target
 * is checked (missing, or of the same kind: a file for a file, a folder for a
 * folder; a link, FIFO or device is refused), then, with the catchable signals
 * held off, files are renamed over theirs and folders exchanged with theirs
 * (renameat2 RENAME_EXCHANGE: the old folder lands in from_fd, for the caller to
 * remove). 0; or -1 with errno and the entry's name in `failed` (EEXIST: something
 * of another kind is in its place; nothing moved then). */
int atomic_dir_publish(int from_fd, int to_fd, char *failed, size_t failed_size);
/* Remove the folder `name` inside dirfd with what it holds (two levels of folders
 * at most; links are removed, never followed). 0, or -1 with errno. */
int atomic_dir_remove(int dirfd, const char *name);
/* Remove the folders named `prefix`XXXXXX inside dirfd with what they hold: what a
 * run killed by SIGKILL left behind. Only for a caller that holds dirfd's
 * lock, so no other run is writing into them. The number removed. */
int atomic_dir_remove_stale(int dirfd, const char *prefix);
/* 0: the target now holds exactly what was written. -1 with errno: target untouched. */
int atomic_file_commit(atomic_file *f);
void atomic_file_abort(atomic_file *f);

/* The temporary files still open are removed at exit or on a fatal signal
 * (cleanup.h), so an interrupted run leaves none behind. */

#endif
