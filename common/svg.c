/* svg.c — is this SVG a drawing, and nothing else? */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "svg.h"

/* The elements gnuplot's svg terminal writes (and a few plain shapes beside them). */
static const char *const drawing_elements[] = { "svg", "g", "path", "text", "tspan", "rect", "title", "desc",
                                                "defs", "circle", "ellipse", "line", "polyline", "polygon", "use",
                                                "filter", "feComposite", "feFlood", "clipPath", "linearGradient",
                                                "stop", "symbol", "marker" };

static bool is_drawing_element(const char *name, size_t length)
{
    for (size_t i = 0; i < sizeof drawing_elements / sizeof *drawing_elements; i++)
        if (strlen(drawing_elements[i]) == length && strncmp(drawing_elements[i], name, length) == 0) return true;
    return false;
}

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == ':' || c == '.';
}

/* The attributes of one tag, from just after its name to its '>': no on...=, and
 * every href a fragment of this file. */
static const char *check_attributes(const char *p, const char **reason)
{
    while (*p && *p != '>') {
        if (!name_char(*p)) {
            if (*p == '"' || *p == '\'') { /* a value: skip to its closing quote */
                const char *end = strchr(p + 1, *p);
                if (!end) {
                    *reason = "an unclosed attribute value";
                    return NULL;
                }
                p = end + 1;
            } else {
                p++;
            }
            continue;
        }
        const char *name = p;
        while (name_char(*p)) p++;
        size_t length = (size_t)(p - name);
        if (length >= 2 && strncasecmp(name, "on", 2) == 0) {
            *reason = "an event attribute (on...=)";
            return NULL;
        }
        bool link = (length == 4 && strncasecmp(name, "href", 4) == 0) ||
                    (length == 10 && strncasecmp(name, "xlink:href", 10) == 0);
        if (link) {
            while (*p == ' ' || *p == '=') p++;
            if ((*p == '"' || *p == '\'') && p[1] != '#') {
                *reason = "a link to something outside the file";
                return NULL;
            }
        }
    }
    return p;
}

bool svg_is_plain_drawing(const char *text, char *why, size_t why_size)
{
    const char *reason = NULL;
    if (strstr(text, "<!")) reason = "a declaration (<!...)";
    else if (strcasestr(text, "javascript:")) reason = "javascript:";
    for (const char *u = text; !reason && (u = strcasestr(u, "url(")); u += 4) {
        const char *target = u + 4;
        while (*target == ' ' || *target == '\'' || *target == '"') target++;
        if (*target != '#') reason = "a url() outside the file";
    }
    bool saw_svg = false;
    for (const char *p = text; !reason && (p = strchr(p, '<'));) {
        p++;
        if (*p == '?') { /* the XML declaration */
            const char *end = strstr(p, "?>");
            if (p != text + 1 || !end) reason = "a processing instruction";
            p = end ? end + 2 : p;
            continue;
        }
        if (*p == '/') p++;
        const char *name = p;
        while (name_char(*p)) p++;
        if (!is_drawing_element(name, (size_t)(p - name))) {
            reason = "an element gnuplot does not write (a script, an image, an object, ...)";
            break;
        }
        saw_svg |= (size_t)(p - name) == 3 && strncmp(name, "svg", 3) == 0;
        p = check_attributes(p, &reason);
        if (!p) break;
    }
    if (!reason && !saw_svg) reason = "no <svg> element";
    if (reason) snprintf(why, why_size, "%s", reason);
    return reason == NULL;
}
