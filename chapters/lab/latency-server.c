/* latency-server.c — the I/O lab's server: GET /page/I answers after page I's latency.
 *
 * usage: build/latency-server [--profile P] [--port N] [--port-file F] [--body-bytes N] [--seed N]
 *
 *   $ build/latency-server --profile uniform:0.25
 *   latency-server: listening on http://127.0.0.1:41235 (profile uniform:0.25)
 *   $ curl http://127.0.0.1:41235/page/3        # after 0.25 s
 *   $ curl http://127.0.0.1:41235/stats         # {"requests":1,"in_flight":0,"peak_in_flight":1}
 *
 * It stops cleanly on SIGINT or SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "atomic_file.h"
#include "fail.h"
#include "latency_server.h"

static const char usage[] =
    "usage: latency-server [--profile P] [--port N] [--port-file F] [--body-bytes N] [--seed N]\n"
    "  --profile P      uniform:SECONDS | article | lognormal:MEDIAN,SIGMA (default uniform:0.25)\n"
    "  --port N         port on 127.0.0.1 (0-65535; default 0: any free port)\n"
    "  --port-file F    write the port number to F once listening\n"
    "  --body-bytes N   size of each page (0-10000000; default 1024)\n"
    "  --seed N         seed of the lognormal profile (default 1)\n";

static noreturn void usage_error(const char *fmt, const char *a, const char *b)
{
    char message[600];
    snprintf(message, sizeof message, fmt, a, b);
    fail_user("latency-server", EXIT_BAD_INPUT, "%s", message);
}

static long whole_number(const char *flag, const char *text, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        char range[64];
        snprintf(range, sizeof range, "a whole number from %ld to %ld", min, max);
        fail_user("latency-server", EXIT_BAD_INPUT, "%s: expected %s, got '%s'", flag, range, text);
    }
    return v;
}

/* Many connections at once need many file descriptors: take the hard limit. */
static void raise_fd_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

static int write_port_file(const char *path, int port)
{
    atomic_file f;
    if (atomic_file_open(&f, path) != 0) return -1;
    fprintf(f.stream, "%d\n", port);
    return atomic_file_commit(&f);
}

int main(int argc, char **argv)
{
    const char *profile_text = "uniform:0.25", *port_file = NULL;
    long port = 0, body_bytes = 1024, seed = 1;
    /* Whoever reads our standard output may leave (`latency-server | head -1`): a
     * line that cannot be written is reported, not a silent death by SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            fputs(usage, stdout);
            fail_unless_stdout_written("latency-server");
            return 0;
        }
        const char *known[] = { "--profile", "--port", "--port-file", "--body-bytes", "--seed" };
        int is_known = 0;
        for (size_t k = 0; k < sizeof known / sizeof *known; k++) is_known |= strcmp(flag, known[k]) == 0;
        if (!is_known) usage_error("unknown flag '%s'%s (try --help)", flag, "");
        if (i + 1 >= argc) usage_error("%s needs a value%s", flag, "");
        const char *value = argv[++i];
        if (strcmp(flag, "--profile") == 0) profile_text = value;
        else if (strcmp(flag, "--port") == 0) port = whole_number(flag, value, 0, 65535);
        else if (strcmp(flag, "--port-file") == 0) port_file = value;
        else if (strcmp(flag, "--body-bytes") == 0) body_bytes = whole_number(flag, value, 0, 10000000);
        else seed = whole_number(flag, value, 0, 1L << 62);
    }
    char error[300];
    latency_profile profile;
    if (profile_parse(profile_text, (uint64_t)seed, &profile, error, sizeof error) != 0)
        usage_error("--profile: %s%s", error, "");

    /* Block the stop signals before any thread exists, then wait for one of them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    raise_fd_limit();

    latency_server *server = latency_server_start(&profile, (int)port, (size_t)body_bytes, error, sizeof error);
    /* A port of the user's choosing that is taken is a usage problem. */
    if (!server) fail_user("latency-server", port ? EXIT_BAD_INPUT : EXIT_EXPERIMENT_FAILED, "%s", error);
    if (port_file && write_port_file(port_file, latency_server_port(server)) != 0) {
        int saved = errno;
        latency_server_stop(server);
        fail_user("latency-server", EXIT_BAD_INPUT, "--port-file %s: %s", port_file, strerror(saved));
    }
    printf("latency-server: listening on http://127.0.0.1:%d (profile %s)\n", latency_server_port(server),
           profile_text);
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    latency_stats st = latency_server_stats(server, 0);
    latency_server_stop(server);
    printf("latency-server: stopped by %s after %ld requests (peak %d in flight)\n", strsignal(sig), st.requests,
           st.peak);
    fail_unless_stdout_written("latency-server");
    return 0;
}
