/* textfile.h — read a small text file that someone else may have put there.
 *
 * Results, share files, a URL list, a README: the workbook reads files a student,
 * a class or another user may have made. So a file is opened without following a
 * symbolic link in its last part (O_NOFOLLOW) and without blocking (O_NONBLOCK: a
 * FIFO with no writer cannot hang the reader), checked with fstat() to be a
 * regular file of at most `limit` bytes, and only then read; a NUL byte inside
 * means it is not text. */
#ifndef TVP_TEXTFILE_H
#define TVP_TEXTFILE_H

#include <stddef.h>

/* The whole file at `path` (relative to the folder `dirfd`, or AT_FDCWD), NUL-
 * terminated and malloc'd; or NULL with errno set and a one-line reason in `why`
 * ("is a symbolic link", "is not a regular file", "is larger than 64 KiB", ...). */
char *textfile_read_at(int dirfd, const char *path, size_t limit, char *why, size_t why_size);

/* The same relative to the current folder. */
char *textfile_read(const char *path, size_t limit, char *why, size_t why_size);

#endif
