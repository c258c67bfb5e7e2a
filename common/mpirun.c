/* mpirun.c — find mpirun, check a hostfile, run ranks, say in one line what failed. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "mpirun.h"
#include "textfile.h"

/* Short enough for one 80-column line after "chapter13: ". */
#define INSTALL_HINT "make deps installs it"

/* "mpirun (Open MPI) 4.1.4" -> "Open MPI 4.1.4" */
static void read_version(mpi_launcher *m)
{
    char *argv[] = { m->mpirun, "--version", NULL };
    capture_result r;
    snprintf(m->version, sizeof m->version, "Open MPI");
    if (capture_run(argv, NULL, 10, &r) != 0) return;
    const char *v = r.out.text ? strstr(r.out.text, "(Open MPI) ") : NULL;
    if (v) snprintf(m->version, sizeof m->version, "Open MPI %.*s", (int)strcspn(v + 11, " \n"), v + 11);
    capture_free(&r);
}

int mpirun_find(mpi_launcher *m, const char *rank_program, char *why, size_t why_size)
{
    m->as_root = geteuid() == 0;
    if (!child_find_command("mpirun", m->mpirun, sizeof m->mpirun)) {
        snprintf(why, why_size, "Open MPI is not installed (no mpirun on PATH): %s", INSTALL_HINT);
        return -1;
    }
    if (access(rank_program, X_OK) != 0) {
        snprintf(why, why_size, "build/mpi-rank was not built (no ompi-c for pkg-config): %s", INSTALL_HINT);
        return -1;
    }
    snprintf(m->rank_program, sizeof m->rank_program, "%s", rank_program);
    read_version(m);
    return 0;
}

/* ---- the hostfile ---- */

static bool host_name_ok(const char *host)
{
    size_t n = strlen(host);
    if (n == 0 || n > 253 || !isalnum((unsigned char)host[0])) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)host[i]) && !strchr(".-:", host[i])) return false;
    return true;
}

/* "slots=4" or "max_slots=4": the number, or -1. */
static int slots_of(const char *word, const char *key)
{
    size_t k = strlen(key);
    if (strncmp(word, key, k) != 0 || word[k] != '=') return -1;
    char *end;
    long v = strtol(word + k + 1, &end, 10);
    return word[k + 1] && !*end && v >= 1 && v <= MPIRUN_MOST_SLOTS ? (int)v : -1;
}

/* One line: "" or a comment (nothing), or HOST and its slots; false with `why`.
 * `seen` holds the hosts of the lines before (mpirun refuses a host named twice). */
static bool check_line(char *line, int number, char **seen, int *hosts, int *slots, char *why, size_t why_size)
{
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *save = NULL, *host = strtok_r(line, " \t\r", &save);
    if (!host) return true;
    if (!host_name_ok(host)) {
        snprintf(why, why_size, "line %d: \"%.40s\" is not a host name (letters, digits, '.', '-', ':')", number, host);
        return false;
    }
    for (int i = 0; i < *hosts; i++)
        if (strcmp(seen[i], host) == 0) {
            snprintf(why, why_size, "line %d: %.40s is named twice (give it slots=N once)", number, host);
            return false;
        }
    int given = 1;
    for (char *word = strtok_r(NULL, " \t\r", &save); word; word = strtok_r(NULL, " \t\r", &save)) {
        int s = slots_of(word, "slots"), most = slots_of(word, "max_slots");
        if (s < 0 && most < 0) {
            snprintf(why, why_size, "line %d: \"%.40s\" is not slots=N or max_slots=N (N from 1 to %d)", number, word,
                     MPIRUN_MOST_SLOTS);
            return false;
        }
        if (s > 0) given = s;
    }
    seen[(*hosts)++] = host;
    *slots += given;
    return true;
}

int mpirun_hostfile(mpi_launcher *m, const char *path, char *why, size_t why_size)
{
    char reason[200];
    char *text = textfile_read(path, MPIRUN_HOSTFILE_LIMIT, reason, sizeof reason);
    if (!text) {
        snprintf(why, why_size, "%s", reason);
        return -1;
    }
    char *copy = strdup(text);
    int hosts = 0, slots = 0, number = 0;
    char *seen[MPIRUN_HOSTFILE_LINES];
    bool ok = copy != NULL;
    for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line && ok;
         line = strtok_r(NULL, "\n", &save)) {
        if (++number > MPIRUN_HOSTFILE_LINES) {
            snprintf(why, why_size, "more than %d lines", MPIRUN_HOSTFILE_LINES);
            ok = false;
        } else {
            ok = check_line(line, number, seen, &hosts, &slots, why, why_size);
        }
    }
    free(copy);
    if (ok && hosts == 0) {
        snprintf(why, why_size, "it names no host");
        ok = false;
    }
    /* The copy mpirun reads: a memory file only this process and its children hold. */
    int fd = ok ? memfd_create("hostfile", 0) : -1;
    if (ok && (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))) {
        snprintf(why, why_size, "could not keep a copy: %s", strerror(errno));
        ok = false;
    }
    free(text);
    if (!ok) {
        if (fd >= 0) close(fd);
        return -1;
    }
    m->hostfile_fd = fd;
    m->hosts = hosts;
    m->slots = slots;
    return 0;
}

/* ---- running ---- */

void mpirun_command(const mpi_launcher *m, int ranks, mpi_transport transport, mpirun_line *line)
{
    int n = 0;
    char **argv = line->argv;
    snprintf(line->np, sizeof line->np, "%d", ranks);
    argv[n++] = (char *)m->mpirun;
    if (m->as_root) argv[n++] = "--allow-run-as-root"; /* Open MPI refuses root without it */
    argv[n++] = "--oversubscribe";
    argv[n++] = "--bind-to";
    argv[n++] = "none";
    argv[n++] = "-np";
    argv[n++] = line->np;
    if (m->hostfile_fd >= 0) {
        /* mpirun's own descriptor: the copy this process checked, inherited. */
        snprintf(line->hostfile, sizeof line->hostfile, "/proc/self/fd/%d", m->hostfile_fd);
        argv[n++] = "--hostfile";
        argv[n++] = line->hostfile;
    }
    if (transport == MPI_TCP || m->hostfile_fd < 0) {
        argv[n++] = "--mca";
        argv[n++] = "btl";
        argv[n++] = transport == MPI_TCP ? "tcp,self" : "vader,self";
    }
    if (m->single_copy_off) {
        argv[n++] = "--mca";
        argv[n++] = "btl_vader_single_copy_mechanism";
        argv[n++] = "none";
    }
    argv[n] = NULL;
    line->count = n;
}

/* The first line of mpirun's error text that says something: Open MPI frames its
 * messages in lines of dashes. */
static void first_words(const capture_buffer *b, char *out, size_t size)
{
    out[0] = '\0';
    for (const char *line = b->text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        size_t n = strcspn(line, "\n");
        if (n > 2 && line[0] != '-' && strncmp(line, "[", 1) != 0) {
            snprintf(out, size, "%.*s", (int)(n < 200 ? n : 200), line);
            return;
        }
    }
}

/* Does mpirun's error text name the shared-memory transport? Its words, and the line
 * its single-copy read prints when process_vm_readv() is refused (Open MPI 4.1,
 * opal/mca/btl/vader/btl_vader_get.c: "Read %ld, expected %lu, errno = %d"). */
static bool names_shared_memory(const capture_buffer *b)
{
    static const char *const words[] = { "vader", "btl_sm", "process_vm_readv", "CMA", "/dev/shm", "shmem",
                                         "Read -1, expected" };
    for (size_t i = 0; b->text && i < sizeof words / sizeof *words; i++)
        if (strstr(b->text, words[i])) return true;
    return false;
}

int mpirun_run(const mpi_launcher *m, int ranks, mpi_transport transport, const char *const *rank_args,
               double timeout_s, mpi_outcome *out)
{
    memset(out, 0, sizeof *out);
    mpirun_line line;
    mpirun_command(m, ranks, transport, &line);
    char *argv[64];
    int n = 0;
    for (int i = 0; i < line.count; i++) argv[n++] = line.argv[i];
    argv[n++] = (char *)m->rank_program;
    for (int i = 0; rank_args[i] && n < 63; i++) argv[n++] = (char *)rank_args[i];
    argv[n] = NULL;
    capture_result *r = &out->capture;
    if (capture_run(argv, NULL, timeout_s, r) != 0) {
        snprintf(out->error, sizeof out->error, "mpirun could not be started: %s", strerror(errno));
        return -1;
    }
    out->total_s = (double)(r->ended_ns - r->started_ns) / 1e9;
    out->first_line_s = r->first_out_ns ? (double)(r->first_out_ns - r->started_ns) / 1e9 : 0;
    char said[220];
    first_words(&r->err, said, sizeof said);
    if (r->timed_out) {
        snprintf(out->error, sizeof out->error, "mpirun of %d ranks did not finish within %.0f s and was stopped",
                 ranks, timeout_s);
    } else if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0) {
        out->shared_memory_failed = transport == MPI_SHARED_MEMORY && names_shared_memory(&r->err);
        snprintf(out->error, sizeof out->error, "mpirun of %d ranks failed (%s %d)%s%s", ranks,
                 WIFEXITED(r->status) ? "exit status" : "signal",
                 WIFEXITED(r->status) ? WEXITSTATUS(r->status) : WTERMSIG(r->status), *said ? ": " : "", said);
    }
    return out->error[0] ? -1 : 0;
}

void mpirun_done(mpi_outcome *out)
{
    capture_free(&out->capture);
}

void mpirun_close(mpi_launcher *m)
{
    if (m->hostfile_fd >= 0) close(m->hostfile_fd);
    m->hostfile_fd = -1;
}
