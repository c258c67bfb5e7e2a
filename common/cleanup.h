/* cleanup.h — what an interrupted program must not leave behind.
 *
 * On SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1/2, SIGVTALRM,
 * SIGPROF or SIGXCPU (those left at their default), and at exit, the process that
 * registered them removes its unfinished temporary files and kills and reaps its
 * child processes, then dies of the same signal. SIGXFSZ is ignored, so that a
 * write past a file-size limit fails (EFBIG) and is reported instead of killing. Reaping matters: a child whose
 * parent is gone waits as a zombie until PID 1 collects it, and not every PID 1
 * does. Everything here is async-signal-safe. */
#ifndef TVP_CLEANUP_H
#define TVP_CLEANUP_H

#include <sys/types.h>

/* A temporary file `name` inside the folder held open as dirfd (or AT_FDCWD): it
 * is removed relative to that descriptor (unlinkat), so a folder swapped for a link
 * meanwhile never makes the cleanup remove a file elsewhere. The caller keeps dirfd
 * open until _done. Removed if we die before... */
void cleanup_temp_file(int dirfd, const char *name);
void cleanup_temp_file_done(int dirfd, const char *name); /* ...it was committed or removed */
/* A temporary folder `name` inside dirfd, removed (after its registered files) if
 * we die before... */
void cleanup_temp_dir(int dirfd, const char *name);
void cleanup_temp_dir_done(int dirfd, const char *name); /* ...we removed it ourselves */
void cleanup_child(pid_t pid);      /* kill and reap it if we die before... */
void cleanup_child_done(pid_t pid); /* ...we reaped it ourselves */
/* A child that leads its own process group and has children of its own (python3
 * and its pool): the whole group is killed, and the caller has made itself a child
 * subreaper (PR_SET_CHILD_SUBREAPER) so the orphaned grandchildren are reaped here. */
void cleanup_group(pid_t leader);
void cleanup_group_done(pid_t leader);
/* Kill every process of the group `leader` leads and reap every one that is ours. */
void cleanup_kill_group(pid_t leader);

#endif
