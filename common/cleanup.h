/* cleanup.h — what an interrupted program must not leave behind.
 *
 * On SIGINT, SIGTERM or SIGHUP (when not ignored), and at exit, the process that
 * registered them removes its unfinished temporary files and kills and reaps its
 * child processes, then dies of the same signal. Reaping matters: a child whose
 * parent is gone waits as a zombie until PID 1 collects it, and not every PID 1
 * does. Everything here is async-signal-safe. */
#ifndef TVP_CLEANUP_H
#define TVP_CLEANUP_H

#include <sys/types.h>

void cleanup_temp_file(const char *path); /* remove it if we die before... */
void cleanup_temp_file_done(const char *path); /* ...it was committed or removed */
void cleanup_child(pid_t pid);      /* kill and reap it if we die before... */
void cleanup_child_done(pid_t pid); /* ...we reaped it ourselves */

#endif
