/* textfile.c — read a small text file that someone else may have put there. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"
#include "report.h" /* bytes_text */
#include "textfile.h"

/* Open `path` for reading as a regular file of at most `limit` bytes: its descriptor
 * and size, or -1 with errno and the reason. */
static int open_regular(int dirfd, const char *path, size_t limit, size_t *length, char *why, size_t why_size)
{
    int fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(why, why_size, "%s", e == ELOOP ? "is a symbolic link" : strerror(e));
        errno = e;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        snprintf(why, why_size, "%s", strerror(e));
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st.st_mode) || (size_t)st.st_size > limit) {
        char most[32];
        bytes_text(limit, most, sizeof most);
        if (S_ISDIR(st.st_mode)) snprintf(why, why_size, "is a directory");
        else if (!S_ISREG(st.st_mode)) snprintf(why, why_size, "is not a regular file");
        else snprintf(why, why_size, "is larger than %s", most);
        close(fd);
        errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
        return -1;
    }
    *length = (size_t)st.st_size;
    return fd;
}

char *textfile_read_at(int dirfd, const char *path, size_t limit, char *why, size_t why_size)
{
    size_t length;
    int fd = open_regular(dirfd, path, limit, &length, why, why_size);
    if (fd < 0) return NULL;
    char *text = xcalloc(length + 1, 1);
    size_t got = 0;
    while (got < length) {
        ssize_t n = read(fd, text + got, length - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* an error, or the file shrank while it was read */
        got += (size_t)n;
    }
    int e = errno;
    close(fd);
    if (got < length) {
        snprintf(why, why_size, "could not be read whole: %s", strerror(e));
    } else if (strlen(text) != length) {
        snprintf(why, why_size, "holds a NUL byte: it is not text");
        e = EINVAL;
    } else {
        return text;
    }
    free(text);
    errno = e ? e : EIO;
    return NULL;
}

char *textfile_read(const char *path, size_t limit, char *why, size_t why_size)
{
    return textfile_read_at(AT_FDCWD, path, limit, why, why_size);
}
