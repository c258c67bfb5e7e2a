/* modes.c — look-ups generated from the catalogue in modes.h. */
#include <string.h>

#include "modes.h"

#define MODE_ROW(id, name, label, colour, serial, pooled) { name, label, colour, serial, pooled },
static const struct {
    const char *name, *label;
    unsigned colour;
    pool_mode serial;
    bool pooled;
} catalogue[MODE_COUNT] = { MODE_CATALOGUE(MODE_ROW) };
#undef MODE_ROW

const char *pool_mode_name(pool_mode mode)
{
    return mode < MODE_COUNT ? catalogue[mode].name : "?";
}

const char *pool_mode_label(pool_mode mode)
{
    return mode < MODE_COUNT ? catalogue[mode].label : "?";
}

unsigned pool_mode_colour(pool_mode mode)
{
    return mode < MODE_COUNT ? catalogue[mode].colour : 0;
}

pool_mode pool_mode_serial_of(pool_mode mode)
{
    return mode < MODE_COUNT ? catalogue[mode].serial : MODE_SERIAL;
}

bool pool_mode_is_pooled(pool_mode mode)
{
    return mode < MODE_COUNT && catalogue[mode].pooled;
}

pool_mode pool_mode_from_name(const char *name)
{
    for (pool_mode m = 0; m < MODE_COUNT; m++)
        if (strcmp(catalogue[m].name, name) == 0) return m;
    return MODE_COUNT;
}

/* The names and labels are fixed strings of this file (no quote in them), written
 * in single quotes, where gnuplot substitutes nothing. */
void modes_write_gnuplot(FILE *out)
{
    fputs("mode_color(m) = ", out);
    for (pool_mode m = 0; m < MODE_COUNT; m++)
        fprintf(out, "m eq '%s' ? 0x%06x : \\\n    ", catalogue[m].name, catalogue[m].colour);
    fputs("0x000000\nmode_label(m) = ", out);
    for (pool_mode m = 0; m < MODE_COUNT; m++)
        fprintf(out, "m eq '%s' ? '%s' : \\\n    ", catalogue[m].name, catalogue[m].label);
    fputs("m\n", out);
}

bool pool_mode_is_cpython(pool_mode mode)
{
    return pool_mode_serial_of(mode) != MODE_SERIAL;
}
