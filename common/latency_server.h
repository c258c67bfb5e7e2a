/* latency_server.h — the I/O lab's HTTP server, on libmicrohttpd.
 *
 * GET /page/I answers after page I's latency (profile.h) with a body of a set size.
 * GET /stats answers at once with JSON: requests served, in flight now, and the
 * peak in flight; GET /stats?reset=1 also starts a new peak.
 *
 * Waiting costs no thread: a request's connection is suspended, a timer thread
 * resumes it when its time is due, and one poll() thread serves everything, so
 * thousands of requests can wait at once. */
#ifndef TVP_LATENCY_SERVER_H
#define TVP_LATENCY_SERVER_H

#include <stddef.h>

#include "profile.h"

typedef struct latency_server latency_server;

typedef struct {
    long requests;   /* page requests answered or in flight since start */
    int in_flight;   /* page requests waiting or being sent right now */
    int peak;        /* the most in flight at once since start or the last reset */
} latency_stats;

/* Listen on 127.0.0.1:port (0: any free port). NULL with a one-line reason on failure. */
latency_server *latency_server_start(const latency_profile *profile, int port, size_t body_bytes, char *error,
                                     size_t error_size);
int latency_server_port(const latency_server *server);
latency_stats latency_server_stats(latency_server *server, int reset_peak);
/* Answer whatever still waits, then stop. */
void latency_server_stop(latency_server *server);

#endif
