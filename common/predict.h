/* predict.h — a student's predictions, checked against the run (OSTEP's homework
 * simulators with their -c flag are the model).
 *
 * A chapter's README names, in its "Predict" block, the quantities a student can
 * guess before running it ("gil/serial": GIL-threads' time / serial time). The
 * chapter's identity header lists their keys (CHAPTER_ANSWERS, from the README);
 * `--predict 'gil/serial=1.0,threads/serial=0.5'` gives guesses for them. After the
 * run each guess is printed beside the measured median and its interval. */
#ifndef TVP_PREDICT_H
#define TVP_PREDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "stats.h"

#define PREDICT_MAX_KEYS 8
#define PREDICT_KEY_SIZE 32

typedef struct {
    int count;
    char keys[PREDICT_MAX_KEYS][PREDICT_KEY_SIZE];
} predict_keys;

typedef struct {
    int count;
    char keys[PREDICT_MAX_KEYS][PREDICT_KEY_SIZE];
    double values[PREDICT_MAX_KEYS];
} predict_guesses;

/* The keys a chapter answers, from a space-separated list ("gil/serial threads/serial").
 * -1 if the list is malformed (a key too long, too many, a repeat, a character other
 * than a-z, 0-9, '/', '-', '_'). */
int predict_keys_from(predict_keys *keys, const char *list);
int predict_key_index(const predict_keys *keys, const char *key); /* -1 if absent */

/* Parse "key=value[,key=value...]" against the chapter's keys, adding to the guesses
 * already there (count 0 before the first: a second --predict adds its keys). -1
 * with a one-line reason in `error` (an unknown key, a value that is not a number
 * from 0 to PREDICT_MAX_VALUE, a key given twice, an empty spec). */
#define PREDICT_MAX_VALUE 100000
int predict_parse(predict_guesses *guesses, const predict_keys *keys, const char *spec, char *error, size_t size);

/* "gil/serial: you said 1.00, measured 1.04 (1.01-1.26): inside the interval" and the
 * like, for one guess against the measurement (answered false: not measured on this
 * run). The line is written into out[size]. */
const char *predict_verdict(const char *key, double guess, estimate measured, bool answered, char *out, size_t size);

#endif
