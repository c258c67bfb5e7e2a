/* profile.c — parse latency profiles and give each page its latency. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

static int bad(char *error, size_t size, const char *text, const char *why)
{
    snprintf(error, size, "profile '%s': %s (expected uniform:SECONDS, article or lognormal:MEDIAN,SIGMA)", text,
             why);
    return -1;
}

/* A whole-string number in [min, max]; `end_at` is the character that must follow. */
static int number(const char *s, char end_at, double min, double max, double *value, const char **rest)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != end_at || !isfinite(v) || v < min || v > max) return -1;
    *value = v;
    *rest = end;
    return 0;
}

int profile_parse(const char *text, uint64_t seed, latency_profile *p, char *error, size_t size)
{
    memset(p, 0, sizeof *p);
    p->seed = seed;
    const char *rest;
    if (strcmp(text, "article") == 0) {
        p->kind = PROFILE_ARTICLE;
        return 0;
    }
    if (strncmp(text, "uniform:", 8) == 0) {
        p->kind = PROFILE_UNIFORM;
        if (number(text + 8, '\0', 0, PROFILE_MAX_SECONDS, &p->seconds, &rest) != 0)
            return bad(error, size, text, "SECONDS must be a number from 0 to 600");
        return 0;
    }
    if (strncmp(text, "lognormal:", 10) == 0) {
        p->kind = PROFILE_LOGNORMAL;
        if (number(text + 10, ',', 1e-6, PROFILE_MAX_SECONDS, &p->median, &rest) != 0)
            return bad(error, size, text, "MEDIAN must be a number above 0 and at most 600, followed by ','");
        if (number(rest + 1, '\0', 0, 5, &p->sigma, &rest) != 0)
            return bad(error, size, text, "SIGMA must be a number from 0 to 5");
        return 0;
    }
    return bad(error, size, text, "unknown profile");
}

/* splitmix64: a tiny, well-mixed hash, so page i's draw does not depend on order. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static double unit_interval(uint64_t x) /* (0, 1) */
{
    return ((double)(x >> 11) + 0.5) / 9007199254740992.0;
}

double profile_latency(const latency_profile *p, long page)
{
    double s = 0;
    switch (p->kind) {
    case PROFILE_UNIFORM:
        s = p->seconds;
        break;
    case PROFILE_ARTICLE:
        s = page % 16 == 15 ? 10.0 : 0.1;
        break;
    case PROFILE_LOGNORMAL: {
        uint64_t a = mix(p->seed * 0x100000001b3ULL + (uint64_t)page), b = mix(a);
        double z = sqrt(-2.0 * log(unit_interval(a))) * cos(2 * M_PI * unit_interval(b)); /* Box-Muller */
        s = p->median * exp(p->sigma * z);
        break;
    }
    }
    return s < PROFILE_MAX_SECONDS ? s : PROFILE_MAX_SECONDS;
}
