/* http.c — the latency server as a child; libcurl fetches; URL lists. */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "clock.h"
#include "fail.h"
#include "gil.h"
#include "http.h"
#include "textfile.h"

/* ---- the server child ------------------------------------------------------ */

/* build/latency-server sits beside the chapter programs, and one folder up from the
 * unit tests (build/tests/); TVP_LATENCY_SERVER names another. */
static int server_path(char *path, size_t size)
{
    const char *chosen = getenv("TVP_LATENCY_SERVER");
    if (chosen && *chosen) return snprintf(path, size, "%s", chosen) < (int)size ? 0 : -1;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) return -1;
    self[n] = '\0';
    char *dir = dirname(self);
    /* Beside the program (build/chapterN), or one folder up (build/tests/test_http);
     * when neither exists, name the first, where `make` puts it. */
    if (snprintf(path, size, "%s/latency-server", dir) >= (int)size) return -1;
    if (access(path, X_OK) == 0) return 0;
    if (snprintf(path, size, "%s/../latency-server", dir) < (int)size && access(path, X_OK) == 0) return 0;
    return snprintf(path, size, "%s/latency-server", dir) < (int)size ? 0 : -1;
}

static int read_port(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int port = -1;
    if (fscanf(f, "%d", &port) != 1) port = -1;
    fclose(f);
    return port;
}

static void first_line_of(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    out[0] = '\0';
    if (!f) return;
    if (fgets(out, (int)size, f)) out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

typedef struct {
    char *argv[8];
} server_command;

static void exec_server(void *arg)
{
    child_exec(((server_command *)arg)->argv);
}

/* Start it with stdout to /dev/null and stderr to `log`; 0 or -1 with errno. */
static int spawn_server(lab_server *s, char *path, const char *profile, size_t body_bytes, char *port_file,
                        const char *log)
{
    char bytes[32];
    snprintf(bytes, sizeof bytes, "%zu", body_bytes);
    server_command command = { { path, "--profile", (char *)profile, "--port-file", port_file, "--body-bytes", bytes,
                                 NULL } };
    int quiet = open("/dev/null", O_WRONLY | O_CLOEXEC), err = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    /* SIGTERM: let it close its socket cleanly if we die. */
    child_options options = { .death_signal = SIGTERM, .stdin_fd = -1, .stdout_fd = quiet, .stderr_fd = err };
    int rc = child_start(&s->child, &options, exec_server, &command);
    int saved = errno;
    if (quiet >= 0) close(quiet);
    if (err >= 0) close(err);
    errno = saved;
    return rc;
}

/* The server's start-up folder and its two files, gone and no longer cleanup's. */
static void remove_start_files(const char *dir, const char *port_file, const char *log)
{
    unlink(port_file);
    unlink(log);
    rmdir(dir);
    cleanup_temp_file_done(AT_FDCWD, port_file);
    cleanup_temp_file_done(AT_FDCWD, log);
    cleanup_temp_dir_done(AT_FDCWD, dir);
}

int lab_server_start(lab_server *s, const char *profile, size_t body_bytes, char *error, size_t size)
{
    memset(s, 0, sizeof *s);
    /* A private folder for the server's port and stderr: in $TMPDIR, as mkdtemp(3) users should. */
    char path[PATH_MAX], dir[PATH_MAX], port_file[PATH_MAX + 16], log[PATH_MAX + 16];
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir || strlen(tmpdir) > PATH_MAX - 32) tmpdir = "/tmp";
    snprintf(dir, sizeof dir, "%s/tvp-lab-XXXXXX", tmpdir);
    if (server_path(path, sizeof path) != 0 || access(path, X_OK) != 0) {
        snprintf(error, size, "the latency server %s is missing: `make programs` builds it (`make chapterN` does too)",
                 path);
        return -1;
    }
    if (!mkdtemp(dir)) {
        snprintf(error, size, "cannot make a temporary folder in %s (%s): %s", tmpdir,
                 tmpdir == getenv("TMPDIR") ? "$TMPDIR: set it to a writable folder" : "the default; TMPDIR chooses another",
                 strerror(errno));
        return -1;
    }
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    snprintf(log, sizeof log, "%s/stderr", dir);
    /* Removed if we are stopped while the server starts (cleanup.h). */
    cleanup_temp_dir(AT_FDCWD, dir);
    cleanup_temp_file(AT_FDCWD, port_file);
    cleanup_temp_file(AT_FDCWD, log);
    if (spawn_server(s, path, profile, body_bytes, port_file, log) != 0) {
        snprintf(error, size, "cannot start the latency server: %s", strerror(errno));
        remove_start_files(dir, port_file, log);
        return -1;
    }

    int rc = -1, status;
    for (int waited_ms = 0; waited_ms < 5000; waited_ms++) {
        if ((s->port = read_port(port_file)) > 0) {
            s->pid = s->child.pid;
            rc = 0;
            break;
        }
        if (child_ended(&s->child, &status)) { /* it gave up: say why */
            char why[200];
            first_line_of(log, why, sizeof why);
            snprintf(error, size, "%s", *why ? why : "the latency server exited at start");
            rc = WIFEXITED(status) && WEXITSTATUS(status) == 2 ? -2 : -1;
            break;
        }
        sleep_ns(1000 * 1000);
    }
    if (rc == -1 && s->child.pid) { /* never said its port: do not leave it running */
        snprintf(error, size, "the latency server did not start within 5 s");
        child_stop(&s->child);
    }
    remove_start_files(dir, port_file, log);
    if (rc != 0) return rc;
    snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:%d", s->port);
    return 0;
}

void lab_server_stop(lab_server *s)
{
    if (s->child.pid <= 0) return;
    kill(s->child.pid, SIGTERM); /* politely first: it closes its socket */
    int reaped = 0, status;
    for (int waited_ms = 0; waited_ms < 2000 && !reaped; waited_ms++) {
        reaped = child_ended(&s->child, &status);
        if (!reaped) sleep_ns(1000 * 1000);
    }
    child_stop(&s->child);
    s->pid = 0;
}

typedef struct {
    char *data;
    size_t size, capacity;
} text_buffer;

static size_t keep_text(char *chunk, size_t one, size_t n, void *arg)
{
    text_buffer *b = arg;
    size_t bytes = one * n;
    if (b->size + bytes + 1 > b->capacity) return 0; /* too long: fail the transfer */
    memcpy(b->data + b->size, chunk, bytes);
    b->size += bytes;
    b->data[b->size] = '\0';
    return bytes;
}

/* What every transfer of the workbook shares: no signals (we are threaded), the
 * local addresses never through a proxy (the lab's own traffic, /stats included,
 * must reach the lab whatever http_proxy says; other URLs honour the user's proxy),
 * HTTP and HTTPS only, and at most 5 redirects (a redirect loop ends quickly). */
static void common_options(CURL *curl, const char *url)
{
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
}

int lab_server_stats(const lab_server *s, int reset, latency_stats *st)
{
    char url[96], text[256] = "";
    snprintf(url, sizeof url, "%s/stats%s", s->base_url, reset ? "?reset=1" : "");
    text_buffer b = { text, 0, sizeof text };
    CURL *curl = curl_easy_init();
    if (!curl) return -1;
    common_options(curl, url);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_text);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) return -1;
    return sscanf(text, "{\"requests\":%ld,\"in_flight\":%d,\"peak_in_flight\":%d}", &st->requests, &st->in_flight,
                  &st->peak) == 3 ? 0 : -1;
}

/* ---- fetching -------------------------------------------------------------- */

void http_global_init(void)
{
    static int done;
    if (done) return;
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) fail_at(__FILE__, __LINE__, curl_easy_strerror(rc), EIO);
    done = 1;
}

static size_t count_bytes(char *chunk, size_t one, size_t n, void *arg)
{
    (void)chunk;
    *(long *)arg += (long)(one * n);
    return one * n;
}

/* An easy handle for one GET, writing into `r` (message: curl's error text). */
static CURL *new_transfer(const char *url, double connect_timeout_s, double total_timeout_s, fetch_record *r,
                          char *message)
{
    memset(r, 0, sizeof *r);
    http_display_url(url, r->url, sizeof r->url);
    message[0] = '\0';
    r->start_ns = now_ns();
    CURL *curl = curl_easy_init();
    if (!curl) {
        r->curl_code = CURLE_FAILED_INIT;
        snprintf(r->error, sizeof r->error, "curl_easy_init failed");
        r->end_ns = now_ns();
        return NULL;
    }
    common_options(curl, url);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(connect_timeout_s * 1000));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(total_timeout_s * 1000));
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, count_bytes);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r->bytes);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, message);
    return curl;
}

static void finish_transfer(CURL *curl, CURLcode rc, const char *message, fetch_record *r)
{
    r->end_ns = now_ns();
    r->curl_code = (int)rc;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    if (rc != CURLE_OK) snprintf(r->error, sizeof r->error, "%s", *message ? message : curl_easy_strerror(rc));
    r->pss_kib = process_pss_kib();
}

void http_fetch(const char *url, double connect_timeout_s, double total_timeout_s, fetch_record *r)
{
    char message[CURL_ERROR_SIZE];
    CURL *curl = new_transfer(url, connect_timeout_s, total_timeout_s, r, message);
    if (!curl) return;
    gil_release(); /* Py_BEGIN_ALLOW_THREADS: others may run while we wait */
    CURLcode rc = curl_easy_perform(curl);
    gil_acquire();
    finish_transfer(curl, rc, message, r);
    curl_easy_cleanup(curl);
}

void http_fetch_all(char *const *urls, int count, double connect_timeout_s, double total_timeout_s,
                    fetch_record *records)
{
    CURLM *multi = curl_multi_init();
    if (!multi) fail_at(__FILE__, __LINE__, "curl_multi_init", ENOMEM);
    CURL **easy = xcalloc((size_t)count, sizeof *easy);
    char (*messages)[CURL_ERROR_SIZE] = xcalloc((size_t)count, CURL_ERROR_SIZE);
    for (int i = 0; i < count; i++) {
        easy[i] = new_transfer(urls[i], connect_timeout_s, total_timeout_s, &records[i], messages[i]);
        if (!easy[i]) continue;
        curl_easy_setopt(easy[i], CURLOPT_PRIVATE, (void *)(intptr_t)i);
        curl_multi_add_handle(multi, easy[i]);
    }
    /* The event loop: let curl move every transfer along, collect the finished
     * ones, then sleep until any socket is ready. */
    for (int running = 1; running;) {
        if (curl_multi_perform(multi, &running) != CURLM_OK) break;
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left)))
            if (m->msg == CURLMSG_DONE) {
                void *which;
                curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &which);
                int i = (int)(intptr_t)which;
                finish_transfer(m->easy_handle, m->data.result, messages[i], &records[i]);
            }
        if (running) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    for (int i = 0; i < count; i++)
        if (easy[i]) {
            if (!records[i].end_ns) { /* the loop broke off before this one finished */
                records[i].end_ns = now_ns();
                records[i].curl_code = CURLE_ABORTED_BY_CALLBACK;
                snprintf(records[i].error, sizeof records[i].error, "the event loop stopped early");
            }
            curl_multi_remove_handle(multi, easy[i]);
            curl_easy_cleanup(easy[i]);
        }
    curl_multi_cleanup(multi);
    free(messages);
    free(easy);
}

long process_pss_kib(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f) return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Pss: %ld kB", &kib) == 1) break;
    fclose(f);
    return kib;
}

/* ---- URL lists ------------------------------------------------------------- */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) *--end = '\0';
    return s;
}

/* http:// or https:// and a host; the scheme in any case (RFC 3986, section 3.1:
 * schemes are case-insensitive, and libcurl takes "HTTP://"). */
static int looks_like_url(const char *s)
{
    const char *host = strncasecmp(s, "http://", 7) == 0 ? s + 7 : strncasecmp(s, "https://", 8) == 0 ? s + 8 : NULL;
    if (!host || !*host || *host == '/') return 0;
    for (const char *c = s; *c; c++)
        if (isspace((unsigned char)*c) || iscntrl((unsigned char)*c)) return 0;
    return 1;
}

/* The text for people of `text`: control characters as '?', at most 60 characters. */
static void printable(const char *text, char *out, size_t size)
{
    snprintf(out, size, "%.60s", text);
    fail_one_line(out);
}

/* A URL list is at most 1 MiB of text (textfile.h: no link, no FIFO or device). */
#define URL_FILE_MAX (1 << 20)

#define URL_LINE_MAX 2048
#define URLS_MAX 1024

int http_read_urls(const char *path, char ***urls, int *count, char *error, size_t size)
{
    *urls = NULL;
    *count = 0;
    char why[160];
    char *text = textfile_read(path, URL_FILE_MAX, why, sizeof why);
    if (!text) {
        snprintf(error, size, "--urls %s: %s", path, why);
        return -1;
    }
    int number = 0, rc = 0;
    for (char *line = text, *next; rc == 0 && line && *line; line = next) {
        number++;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char shown[64];
        if (strlen(line) > URL_LINE_MAX) {
            snprintf(error, size, "--urls %s:%d: a line longer than %d characters", path, number, URL_LINE_MAX);
            rc = -1;
        } else if (*(line = trim(line)) && *line != '#' && !looks_like_url(line)) {
            printable(line, shown, sizeof shown);
            snprintf(error, size, "--urls %s:%d: not an http(s) URL: '%s'", path, number, shown);
            rc = -1;
        } else if (*line && *line != '#' && *count >= URLS_MAX) {
            snprintf(error, size, "--urls %s:%d: more than %d URLs", path, number, URLS_MAX);
            rc = -1;
        } else if (*line && *line != '#') {
            *urls = xrealloc(*urls, (size_t)*count + 1, sizeof **urls);
            (*urls)[(*count)++] = xstrdup(line);
        }
    }
    free(text);
    if (rc == 0 && *count == 0) {
        snprintf(error, size, "--urls %s: no URLs in the file", path);
        rc = -1;
    }
    if (rc != 0) {
        http_free_urls(*urls, *count);
        *urls = NULL;
        *count = 0;
    }
    return rc;
}

void http_display_url(const char *url, char *out, size_t size)
{
    /* scheme://user:password@host/... -> scheme://host/...: credentials never reach an output. */
    const char *authority = strstr(url, "://");
    authority = authority ? authority + 3 : url;
    size_t end = strcspn(authority, "/?#");
    const char *at = memchr(authority, '@', end);
    if (!at) {
        snprintf(out, size, "%s", url);
        return;
    }
    snprintf(out, size, "%.*s%s", (int)(authority - url), url, at + 1);
}

void http_free_urls(char **urls, int count)
{
    for (int i = 0; i < count; i++) free(urls[i]);
    free(urls);
}
