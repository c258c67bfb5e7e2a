/* latency_server.c — delayed answers without a thread per request (suspend/resume). */
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "latency_server.h"

typedef struct {
    struct MHD_Connection *connection;
    int64_t due_ns;
} waiting;

/* One per request, MHD's req_cls. */
typedef struct {
    long page;
} request;

struct latency_server {
    struct MHD_Daemon *daemon;
    latency_profile profile;
    char *body;
    size_t body_bytes;
    int port;
    pthread_t timer;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;  /* a new waiter, or stop */
    waiting *waiting;
    size_t waiting_count, waiting_capacity;
    int stopping;
    latency_stats stats;
};

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type, const void *data,
                               size_t size, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(size, (void *)data, mode);
    if (!response) return MHD_NO;
    MHD_add_response_header(response, "Content-Type", type);
    enum MHD_Result result = MHD_queue_response(c, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result respond_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return respond(c, status, "text/plain", text, strlen(text), MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result respond_page(latency_server *s, struct MHD_Connection *c)
{
    return respond(c, MHD_HTTP_OK, "text/plain", s->body, s->body_bytes, MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result respond_stats(latency_server *s, struct MHD_Connection *c)
{
    const char *reset = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "reset");
    latency_stats st = latency_server_stats(s, reset && strcmp(reset, "1") == 0);
    char json[160];
    int n = snprintf(json, sizeof json, "{\"requests\":%ld,\"in_flight\":%d,\"peak_in_flight\":%d}\n", st.requests,
                     st.in_flight, st.peak);
    return respond(c, MHD_HTTP_OK, "application/json", json, (size_t)n, MHD_RESPMEM_MUST_COPY);
}

/* "/page/123" -> 123; anything else is not a page. */
static int parse_page(const char *url, long *page)
{
    if (strncmp(url, "/page/", 6) != 0) return 0;
    const char *digits = url + 6;
    char *end;
    errno = 0;
    long v = strtol(digits, &end, 10);
    if (errno || end == digits || *end || v < 0) return 0;
    *page = v;
    return 1;
}

static void add_waiting(latency_server *s, struct MHD_Connection *c, int64_t due_ns) /* lock held */
{
    if (s->waiting_count == s->waiting_capacity) {
        s->waiting_capacity = s->waiting_capacity ? 2 * s->waiting_capacity : 256;
        s->waiting = xrealloc(s->waiting, s->waiting_capacity, sizeof *s->waiting);
    }
    s->waiting[s->waiting_count++] = (waiting){ c, due_ns };
    CHECK_PTHREAD(pthread_cond_signal(&s->wake));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    (void)version, (void)upload, (void)upload_size;
    latency_server *s = cls;
    if (*req_cls) return respond_page(s, c); /* resumed: its time has come */
    if (strcmp(method, "GET") != 0) return respond_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
    if (strcmp(url, "/stats") == 0) return respond_stats(s, c);
    long page;
    if (!parse_page(url, &page)) return respond_text(c, MHD_HTTP_NOT_FOUND, "try /page/0 or /stats\n");

    request *r = xcalloc(1, sizeof *r);
    r->page = page;
    *req_cls = r;
    int64_t due = now_ns() + (int64_t)(profile_latency(&s->profile, page) * 1e9);
    CHECK_PTHREAD(pthread_mutex_lock(&s->lock));
    s->stats.requests++;
    if (++s->stats.in_flight > s->stats.peak) s->stats.peak = s->stats.in_flight;
    int stopping = s->stopping;
    if (!stopping) {
        MHD_suspend_connection(c);
        add_waiting(s, c, due);
    }
    CHECK_PTHREAD(pthread_mutex_unlock(&s->lock));
    return stopping ? respond_page(s, c) : MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode why)
{
    (void)c, (void)why;
    latency_server *s = cls;
    if (!*req_cls) return; /* not a page request */
    CHECK_PTHREAD(pthread_mutex_lock(&s->lock));
    s->stats.in_flight--;
    CHECK_PTHREAD(pthread_mutex_unlock(&s->lock));
    free(*req_cls);
    *req_cls = NULL;
}

/* Resume every waiting connection whose time has come (all of them when stopping). */
static void *timer_main(void *arg)
{
    latency_server *s = arg;
    CHECK_PTHREAD(pthread_mutex_lock(&s->lock));
    for (;;) {
        int64_t now = now_ns(), next = INT64_MAX;
        for (size_t i = 0; i < s->waiting_count;) {
            if (s->stopping || s->waiting[i].due_ns <= now) {
                MHD_resume_connection(s->waiting[i].connection);
                s->waiting[i] = s->waiting[--s->waiting_count];
            } else {
                if (s->waiting[i].due_ns < next) next = s->waiting[i].due_ns;
                i++;
            }
        }
        if (s->stopping) break;
        if (next == INT64_MAX) {
            CHECK_PTHREAD(pthread_cond_wait(&s->wake, &s->lock));
        } else {
            struct timespec deadline = { next / NS_PER_S, next % NS_PER_S };
            int rc = pthread_cond_timedwait(&s->wake, &s->lock, &deadline);
            if (rc != 0 && rc != ETIMEDOUT) fail_at(__FILE__, __LINE__, "pthread_cond_timedwait", rc);
        }
    }
    CHECK_PTHREAD(pthread_mutex_unlock(&s->lock));
    return NULL;
}

static char *make_body(size_t bytes)
{
    static const char line[] = "threads-vs-processes latency lab: a page of text to download.\n";
    char *body = xcalloc(bytes + 1, 1);
    for (size_t i = 0; i < bytes; i++) body[i] = line[i % (sizeof line - 1)];
    return body;
}

latency_server *latency_server_start(const latency_profile *profile, int port, size_t body_bytes, char *error,
                                     size_t size)
{
    latency_server *s = xcalloc(1, sizeof *s);
    s->profile = *profile;
    s->body = make_body(body_bytes);
    s->body_bytes = body_bytes;
    pthread_condattr_t attr;
    CHECK_PTHREAD(pthread_condattr_init(&attr));
    CHECK_PTHREAD(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC));
    CHECK_PTHREAD(pthread_cond_init(&s->wake, &attr));
    CHECK_PTHREAD(pthread_condattr_destroy(&attr));
    CHECK_PTHREAD(pthread_mutex_init(&s->lock, NULL));

    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    /* poll(), not epoll: with this libmicrohttpd (0.9.75) and its edge-triggered
     * epoll, about 1 start in 100 under load left a burst of 256 connections
     * unserved until the clients gave up. poll() is level-triggered and never did
     * (0 in 600); it is fine for the few thousand connections the lab needs. */
    s->daemon = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME,
                                 (uint16_t)port, NULL, NULL, on_request, s,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned int)8192,
                                 MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)4096,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(error, size, "cannot listen on 127.0.0.1:%d: %s", port,
                 errno ? strerror(errno) : "libmicrohttpd refused to start");
        free(s->body);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    CHECK_PTHREAD(pthread_create(&s->timer, NULL, timer_main, s));
    return s;
}

int latency_server_port(const latency_server *s)
{
    return s->port;
}

latency_stats latency_server_stats(latency_server *s, int reset_peak)
{
    CHECK_PTHREAD(pthread_mutex_lock(&s->lock));
    latency_stats st = s->stats;
    if (reset_peak) s->stats.peak = s->stats.in_flight;
    CHECK_PTHREAD(pthread_mutex_unlock(&s->lock));
    return st;
}

void latency_server_stop(latency_server *s)
{
    if (!s) return;
    /* Stop accepting, answer everyone still waiting, let them finish, then stop:
     * MHD must not be stopped while connections are suspended. */
    MHD_socket listener = MHD_quiesce_daemon(s->daemon);
    if (listener != MHD_INVALID_SOCKET) close(listener);
    CHECK_PTHREAD(pthread_mutex_lock(&s->lock));
    s->stopping = 1;
    CHECK_PTHREAD(pthread_cond_signal(&s->wake));
    CHECK_PTHREAD(pthread_mutex_unlock(&s->lock));
    CHECK_PTHREAD(pthread_join(s->timer, NULL));
    for (int waited_ms = 0; waited_ms < 2000 && latency_server_stats(s, 0).in_flight > 0; waited_ms++)
        sleep_ns(1000 * 1000);
    MHD_stop_daemon(s->daemon);
    CHECK_PTHREAD(pthread_mutex_destroy(&s->lock));
    CHECK_PTHREAD(pthread_cond_destroy(&s->wake));
    free(s->waiting);
    free(s->body);
    free(s);
}
