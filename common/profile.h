/* profile.h — how long the lab's latency server waits before answering each page.
 *
 *   uniform:SECONDS          every page waits SECONDS
 *   article                  the post's own example: 15 pages at 0.1 s, 1 at 10 s
 *                            (page i waits 10 s when i % 16 == 15)
 *   lognormal:MEDIAN,SIGMA   page i waits MEDIAN * exp(SIGMA * z_i), z_i a standard
 *                            normal drawn from (seed, i): the same every run
 */
#ifndef TVP_PROFILE_H
#define TVP_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#define PROFILE_MAX_SECONDS 600.0

typedef enum { PROFILE_UNIFORM, PROFILE_ARTICLE, PROFILE_LOGNORMAL } profile_kind;

typedef struct {
    profile_kind kind;
    double seconds;       /* uniform */
    double median, sigma; /* lognormal */
    uint64_t seed;        /* lognormal */
} latency_profile;

/* 0, or -1 with a one-line reason in `error`. */
int profile_parse(const char *text, uint64_t seed, latency_profile *profile, char *error, size_t error_size);

/* Seconds page `page` waits (never more than PROFILE_MAX_SECONDS). */
double profile_latency(const latency_profile *profile, long page);

#endif
