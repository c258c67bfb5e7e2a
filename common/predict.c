/* predict.c — predictions: the keys a chapter answers, a student's guesses, and how
 * far each guess was from the measurement. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "predict.h"

static bool valid_key(const char *key, size_t length)
{
    if (length == 0 || length >= PREDICT_KEY_SIZE) return false;
    for (size_t i = 0; i < length; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789/-_", key[i]) || key[i] == '\0') return false;
    return true;
}

int predict_key_index(const predict_keys *keys, const char *key)
{
    for (int i = 0; i < keys->count; i++)
        if (strcmp(keys->keys[i], key) == 0) return i;
    return -1;
}

int predict_keys_from(predict_keys *keys, const char *list)
{
    keys->count = 0;
    for (const char *p = list;;) {
        p += strspn(p, " ");
        if (!*p) return 0;
        size_t length = strcspn(p, " ");
        if (!valid_key(p, length) || keys->count == PREDICT_MAX_KEYS) return -1;
        char key[PREDICT_KEY_SIZE];
        memcpy(key, p, length);
        key[length] = '\0';
        if (predict_key_index(keys, key) >= 0) return -1;
        memcpy(keys->keys[keys->count++], key, length + 1);
        p += length;
    }
}

/* At most `max` characters of what the user typed, control characters shown as '?',
 * so that an error message stays one line. */
static const char *shown(const char *text, size_t length, size_t max, char *out, size_t size)
{
    snprintf(out, size, "%.*s", (int)(length < max ? length : max), text);
    return fail_one_line(out);
}

static void list_keys(const predict_keys *keys, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < keys->count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", keys->keys[i]);
}

int predict_parse(predict_guesses *guesses, const predict_keys *keys, const char *spec, char *error, size_t size)
{
    char known[PREDICT_MAX_KEYS * (PREDICT_KEY_SIZE + 2)];
    list_keys(keys, known, sizeof known);
    if (keys->count == 0) {
        snprintf(error, size, "--predict: this chapter has no quantities to predict (its README's Predict block names none)");
        return -1;
    }
    for (const char *p = spec;;) {
        size_t length = strcspn(p, ",");
        const char *eq = memchr(p, '=', length);
        char typed[96];
        if (length == 0 || !eq) {
            snprintf(error, size, "--predict: expected KEY=VALUE[,KEY=VALUE...] with a key among %s, got '%s'",
                     known, shown(spec, strlen(spec), 80, typed, sizeof typed));
            return -1;
        }
        char key[PREDICT_KEY_SIZE], value[64];
        size_t key_length = (size_t)(eq - p), value_length = length - key_length - 1;
        int index = -1;
        if (key_length < sizeof key) {
            memcpy(key, p, key_length);
            key[key_length] = '\0';
            index = predict_key_index(keys, key);
        }
        if (index < 0) {
            snprintf(error, size, "--predict: unknown quantity '%s'; this chapter answers %s",
                     shown(p, key_length, 40, typed, sizeof typed), known);
            return -1;
        }
        char *end = NULL;
        double number = NAN;
        if (value_length > 0 && value_length < sizeof value) {
            memcpy(value, eq + 1, value_length);
            value[value_length] = '\0';
            errno = 0;
            number = strtod(value, &end);
        }
        /* Every quantity is a ratio or a share: none is negative or astronomical. */
        if (!end || *end || errno || !isfinite(number) || number < 0 || number > PREDICT_MAX_VALUE) {
            snprintf(error, size, "--predict: %s: expected a number from 0 to %d, got '%s'", key, PREDICT_MAX_VALUE,
                     shown(eq + 1, value_length, 40, typed, sizeof typed));
            return -1;
        }
        for (int i = 0; i < guesses->count; i++)
            if (strcmp(guesses->keys[i], key) == 0) {
                snprintf(error, size, "--predict: %s is given twice", key);
                return -1;
            }
        memcpy(guesses->keys[guesses->count], key, key_length + 1);
        guesses->values[guesses->count++] = number;
        if (p[length] == '\0') return 0;
        p += length + 1;
    }
}

/* Three significant digits, trailing zeros kept (1.00, 0.516, 21.2), whole above 100. */
static const char *number(double v, char *out, size_t size)
{
    snprintf(out, size, fabs(v) >= 100 ? "%.0f" : "%#.3g", v);
    return out;
}

const char *predict_verdict(const char *key, double guess, estimate measured, bool answered, char *out, size_t size)
{
    char said[32], median[32], lo[32], hi[32];
    number(guess, said, sizeof said);
    if (!answered) {
        snprintf(out, size, "%s: you said %s; not measured on this run (a mode it needs did not run)", key, said);
        return out;
    }
    char interval[80] = "", where[96];
    bool has_interval = measured.n >= STATS_MIN_VALUES;
    if (has_interval)
        snprintf(interval, sizeof interval, measured.coverage < STATS_LEVEL ? " (%s-%s, %.0f %%)" : " (%s-%s)",
                 number(measured.lo, lo, sizeof lo), number(measured.hi, hi, sizeof hi), 100 * measured.coverage);
    const char *interval_note = has_interval ? ", outside the interval" : " (one round: no interval)";
    char shown_guess[32], shown_median[32]; /* as printed: a guess that reads the same is the median */
    bool same = strcmp(number(guess, shown_guess, sizeof shown_guess),
                       number(measured.median, shown_median, sizeof shown_median)) == 0;
    if (has_interval && guess >= measured.lo && guess <= measured.hi)
        snprintf(where, sizeof where, "inside the interval: a good prediction");
    else if (same)
        snprintf(where, sizeof where, "the median itself%s", interval_note);
    else if (measured.median == 0) /* no percentage of zero */
        snprintf(where, sizeof where, "%s the median%s", guess > 0 ? "above" : "below", interval_note);
    else {
        double off = 100 * (guess - measured.median) / fabs(measured.median);
        snprintf(where, sizeof where, "%.0f %% %s the median%s", fabs(off), off > 0 ? "above" : "below", interval_note);
    }
    snprintf(out, size, "%s: you said %s, measured %s%s: %s", key, said, number(measured.median, median, sizeof median),
             interval, where);
    return out;
}
