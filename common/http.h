/* http.h — the I/O lab's client side: the latency server as a child process, and
 * fetching a URL with libcurl (one easy handle per request, like requests.get()).
 *
 * Under GIL-threads the transfer runs between gil_release() and gil_acquire(), as
 * CPython releases the GIL around socket I/O. A failed request is a record with
 * its error, never a crash. */
#ifndef TVP_HTTP_H
#define TVP_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "child.h"

#include "latency_server.h"

/* ---- the server, as a child process ---- */

typedef struct {
    pid_t pid;            /* the server's, while it runs */
    child_process child;
    int port;
    char base_url[64]; /* "http://127.0.0.1:PORT" */
} lab_server;

/* Start build/latency-server (found beside the running program, one folder up, or
 * at $TVP_LATENCY_SERVER) with a profile.
 * Call it before any thread exists. The child dies with its parent (a crash,
 * SIGKILL), and cleanup.h kills and reaps it on exit() and on Ctrl-C. 0, or -1 with a
 * one-line reason; a profile that does not parse gives -2. */
int lab_server_start(lab_server *server, const char *profile, size_t body_bytes, char *error, size_t size);
/* SIGTERM, then wait (SIGKILL after 2 s). Safe to call twice. */
void lab_server_stop(lab_server *server);
/* The server's counters over HTTP; reset starts a new peak. 0, or -1. */
int lab_server_stats(const lab_server *server, int reset, latency_stats *stats);

/* ---- fetching ---- */

typedef struct {
    char url[160];    /* what was fetched (cut at 159 characters) */
    int64_t start_ns, end_ns;
    long status;      /* HTTP status; 0 when there was no answer */
    long bytes;       /* body bytes received */
    int curl_code;    /* CURLE_OK (0) or curl's error */
    long pss_kib;     /* proportional set size of the fetching process, right after */
    char error[96];   /* curl's message, "" when fine */
} fetch_record;

/* Once per program, before any thread exists (libcurl's rule). */
void http_global_init(void);

/* GET `url` into `record` (timeouts in seconds). Never fails: errors are recorded. */
void http_fetch(const char *url, double connect_timeout_s, double total_timeout_s, fetch_record *record);

/* GET every URL at once from this one thread, with libcurl's multi interface: an
 * event loop waits on all the sockets together (the C counterpart of asyncio). */
void http_fetch_all(char *const *urls, int count, double connect_timeout_s, double total_timeout_s,
                    fetch_record *records);

/* The calling process's proportional set size in KiB (its fair share of shared
 * pages, so the PSS of forked workers adds up honestly); -1 if unknown. */
long process_pss_kib(void);

/* Read a URL list: one URL per line, '#' comments and blank lines allowed; a regular
 * file of at most 1 MiB, lines of at most 2048 characters, at most 1024 URLs. 0, or
 * -1 with a one-line reason naming the line (control characters shown as '?'). The
 * list is malloc'd; free with http_free_urls. */
int http_read_urls(const char *path, char ***urls, int *count, char *error, size_t size);
void http_free_urls(char **urls, int count);

/* `url` as outputs show it: without a user:password@ part. */
void http_display_url(const char *url, char *out, size_t size);

#endif
