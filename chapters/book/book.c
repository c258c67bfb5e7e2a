/* book.c — the literate book: every chapter's text with this machine's results.
 *
 * usage: build/book [--results DIR] [--chapters DIR] [--out DIR]
 *
 * Reads chapters/NN-slug/README.md, renders it with cmark-gfm (CommonMark with
 * tables), and puts at its "<!-- results -->" marker this machine's summary.md and
 * figure (from results/chapterN/) above the committed reference run (from
 * chapters/NN-slug/reference/), both folded until the reader opens them, and under
 * the Predict block the reference run's answers, folded. Writes DIR/index.html (a
 * table of contents with each run's answer, then every chapter: the whole book on
 * one page, for printing), DIR/chapterN.html (one page each, with a sidebar,
 * previous/next links and links to its source), DIR/source/ (each chapter's
 * program, figure script and original.py, and every file of common/, as pages with
 * numbered, anchored lines; a chapter's citations of common/ files link to them),
 * DIR/search-index.js (every section's text, for the offline search in search.js),
 * DIR/book.css, DIR/search.js, DIR/book.js (keys, the light/dark toggle, folding),
 * Debian's lunr.min.js and highlight.min.js, and DIR/figures/. Self-contained:
 * relative links only, nothing fetched; the one link out is to the original post. */
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <ctype.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "cli.h"
#include "fail.h"
#include "machine.h"
#include "prose.h"
#include "svg.h"
#include "textfile.h"
#include "manifest.h" /* CHAPTER_MANIFEST: every chapter, from chapters/chapters.sh */

#define MAX_CHAPTERS 64
#define MARKER "<!-- results -->"
#define POST_URL "https://medium.com/contentsquare-engineering-blog/multithreading-vs-multiprocessing-in-python-ece023ad55a"
#define MAX_SOURCES 8

/* Does the book have a class page (results/class/summary.md, from make class)? */
static bool class_page;

typedef struct {
    int number;
    char dir[512];       /* chapters/NN-slug */
    char results[64];    /* its results folder's name: chapterN (from the manifest) */
    char *readme;        /* Markdown, its placeholders filled from the reference run */
    int unfilled;        /* placeholders that named nothing in the reference run */
    char unfilled_why[300];
    char title[300];     /* the README's first heading, without "# " */
    char *summary;       /* this machine's summary.md, or NULL */
    char *reference;     /* the reference run's summary.md, or NULL */
    char *answers;       /* this machine's answers.csv, or NULL */
    char *reference_answers;
    int has_figure, has_reference_figure;
    char sources[MAX_SOURCES][128]; /* the folder's *.c, figure.gp, original.py, and the
                                     * .c files of its subfolders ("rank/mpi_rank.c") */
    int source_count;
    char *body;          /* the chapter's HTML, once built */
} chapter_text;

/* A text the book reads: the chapter's own files and what results/ holds, which
 * another user may have made: no link, no FIFO or device, at most 4 MiB (textfile.h). */
static char *read_text(const char *path)
{
    char why[160];
    return textfile_read(path, 4 << 20, why, sizeof why);
}

/* `text` as the file `name` in `dir`, whole or not at all. 0, or -1 with errno. */
static int write_text(atomic_dir dir, const char *name, const char *text)
{
    atomic_file f;
    if (atomic_file_open_at(&f, dir.fd, dir.path, name) != 0) return -1;
    fputs(text, f.stream);
    return atomic_file_commit(&f);
}

/* A figure from results/ into the book, only if it is a plain drawing (svg.h): a
 * results folder may come from someone else, and a browser runs what an SVG carries. */
static int copy_figure(const char *from, atomic_dir dir, const char *name)
{
    char *text = read_text(from);
    if (!text) return -1;
    char why[120];
    int rc = -1;
    if (!svg_is_plain_drawing(text, why, sizeof why)) warn_user("book", "%s left out: it is not a plain drawing (%s)", from, why);
    else rc = write_text(dir, name, text);
    free(text);
    return rc;
}

static int copy_file(const char *from, atomic_dir dir, const char *name)
{
    char *text = read_text(from);
    int rc = text ? write_text(dir, name, text) : -1;
    free(text);
    return rc;
}

/* Does a link or image point inside the book's own folder? ("figures/x.svg",
 * "#anchor", "chapter3.html": yes; "http://...", "//host", "data:...", "/etc": no.) */
static int inside_the_book(const char *url)
{
    if (!url || !*url) return 1;
    if (url[0] == '/' || url[0] == '\\') return 0;
    size_t scheme = strcspn(url, ":/?#");
    return url[scheme] != ':';
}

/* The book references nothing outside its folder: an image there loses its source,
 * and in text from a run (`links_too`) a link loses its target. Raw HTML is already
 * left out by cmark's default (safe) rendering. */
static void keep_inside(cmark_node *document, int links_too)
{
    cmark_iter *iter = cmark_iter_new(document);
    for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
        cmark_node *node = cmark_iter_get_node(iter);
        if (ev != CMARK_EVENT_ENTER) continue;
        cmark_node_type type = cmark_node_get_type(node);
        if ((type == CMARK_NODE_IMAGE || (links_too && type == CMARK_NODE_LINK)) &&
            !inside_the_book(cmark_node_get_url(node)))
            cmark_node_set_url(node, "");
    }
    cmark_iter_free(iter);
}

/* Markdown to HTML, with GitHub's tables (the summaries are tables). `from_a_run`:
 * the text came from a run (a summary), so its links are kept inside the book too. */
static char *markdown_of(const char *text, int from_a_run)
{
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
    cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension("table"));
    cmark_parser_feed(parser, text, strlen(text));
    cmark_node *document = cmark_parser_finish(parser);
    keep_inside(document, from_a_run);
    char *html = cmark_render_html(document, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser));
    cmark_node_free(document);
    cmark_parser_free(parser);
    return html;
}

static char *markdown(const char *text)
{
    return markdown_of(text, 0);
}

static void html_escaped(FILE *out, const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c == '<') fputs("&lt;", out);
        else if (*c == '>') fputs("&gt;", out);
        else if (*c == '&') fputs("&amp;", out);
        else if (*c == '"') fputs("&quot;", out);
        else fputc(*c, out);
    }
}

/* The text after `label` ("**Verdict:** ") in a summary, up to the end of its line;
 * false where the summary has no such line. */
static bool summary_line(const char *summary, const char *label, char *out, size_t size)
{
    const char *v = summary ? strstr(summary, label) : NULL;
    if (!v) return false;
    v += strlen(label);
    snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
    return true;
}

static void verdict_of(const char *summary, char *out, size_t size)
{
    if (!summary_line(summary, "**Verdict:** ", out, size)) snprintf(out, size, "not measured yet");
}

/* The answer alone, for the contents table, so that it fits one screen: the verdict's
 * headline (report.h: "**In short:**"; the verdict where a summary predates
 * headlines) up to its first colon, without its parentheses (the numbers, which the
 * chapter's page gives): "FALSE under the GIL, TRUE for C threads". */
static void answer_of_run(const char *summary, char *out, size_t size)
{
    char line[600];
    if (!summary_line(summary, "**In short:** ", line, sizeof line)) verdict_of(summary, line, sizeof line);
    line[strcspn(line, ":")] = '\0';
    size_t n = 0;
    int depth = 0;
    for (const char *c = line; *c && n + 1 < size; c++) {
        if (*c == '(') depth++;
        if (depth == 0 && !(*c == ' ' && (c[1] == '(' || c[1] == ',' || c[1] == ';' || (n > 0 && out[n - 1] == ' '))))
            out[n++] = *c;
        if (*c == ')' && depth > 0) depth--;
    }
    while (n > 0 && out[n - 1] == ' ') n--;
    out[n] = '\0';
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static bool plain_name(const char *name)
{
    size_t len = strlen(name);
    return len > 0 && name[0] != '.' && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == len;
}

/* The files of `dir` (the chapter's folder, or `sub` inside it) a reader may want to
 * read: its programs; in the folder itself also its figure script and CPython
 * original, and the programs of its subfolders (chapter 13's ranks: rank/). */
static void find_sources_in(chapter_text *c, const char *sub)
{
    char path[1200];
    snprintf(path, sizeof path, "%s%s%s", c->dir, sub ? "/" : "", sub ? sub : "");
    DIR *d = opendir(path);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d)) && c->source_count < MAX_SOURCES;) {
        size_t len = strlen(e->d_name);
        bool program = len > 2 && strcmp(e->d_name + len - 2, ".c") == 0;
        if (!plain_name(e->d_name)) continue;
        char full[1600];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        bool folder = e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && lstat(full, &st) == 0 && S_ISDIR(st.st_mode));
        if (!sub && folder) {
            find_sources_in(c, e->d_name);
        } else if (program || (!sub && (strcmp(e->d_name, "figure.gp") == 0 || strcmp(e->d_name, "original.py") == 0))) {
            char name[128];
            if (snprintf(name, sizeof name, "%s%s%s", sub ? sub : "", sub ? "/" : "", e->d_name) < (int)sizeof name)
                memcpy(c->sources[c->source_count++], name, strlen(name) + 1);
        }
    }
    closedir(d);
}

static void find_sources(chapter_text *c)
{
    find_sources_in(c, NULL);
    qsort(c->sources, (size_t)c->source_count, sizeof c->sources[0], by_name);
}

/* A source's page: source/chapterN-NAME.html, a subfolder's '/' as '-'. */
static const char *source_page_name(const chapter_text *c, const char *source, char *out, size_t size)
{
    snprintf(out, size, "chapter%d-%s.html", c->number, source);
    for (char *slash = strchr(out, '/'); slash; slash = strchr(slash, '/')) *slash = '-';
    return out;
}

/* The chapters of the manifest (chapters/chapters.sh), in order, each with its text
 * from DIR/NN-slug (DIR: --chapters) and its run from RESULTS/chapterN (--results). */
static const struct {
    int number;
    const char *dir, *results;
} manifest[] = {
#define MANIFEST_ENTRY(number, dir, claim, results) { number, dir, results },
    CHAPTER_MANIFEST(MANIFEST_ENTRY)
#undef MANIFEST_ENTRY
};

static const char *last_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int find_chapters(const char *chapters_dir, const char *results_dir, chapter_text *chapters)
{
    int n = 0;
    for (size_t m = 0; m < sizeof manifest / sizeof *manifest && n < MAX_CHAPTERS; m++) {
        chapter_text *c = &chapters[n];
        memset(c, 0, sizeof *c);
        c->number = manifest[m].number;
        snprintf(c->dir, sizeof c->dir, "%s/%s", chapters_dir, last_part(manifest[m].dir));
        char path[1024];
        snprintf(path, sizeof path, "%s/README.md", c->dir);
        char *readme = read_text(path);
        if (!readme) continue;
        /* Its measured numbers, from its reference run (prose.h). */
        char reference_dir[600];
        snprintf(reference_dir, sizeof reference_dir, "%s/reference", c->dir);
        c->readme = prose_fill(readme, reference_dir, &c->unfilled, c->unfilled_why, sizeof c->unfilled_why);
        free(readme);
        const char *heading = strncmp(c->readme, "# ", 2) == 0 ? c->readme + 2 : c->readme;
        snprintf(c->title, sizeof c->title, "%.*s", (int)strcspn(heading, "\n"), heading);
        snprintf(c->results, sizeof c->results, "%s", last_part(manifest[m].results));
        snprintf(path, sizeof path, "%s/%s/summary.md", results_dir, c->results);
        c->summary = read_text(path);
        snprintf(path, sizeof path, "%s/reference/summary.md", c->dir);
        c->reference = read_text(path);
        snprintf(path, sizeof path, "%s/%s/answers.csv", results_dir, c->results);
        c->answers = read_text(path);
        snprintf(path, sizeof path, "%s/reference/answers.csv", c->dir);
        c->reference_answers = read_text(path);
        find_sources(c);
        n++;
    }
    return n;
}

/* figures/chapterN.svg and figures/chapterN-reference.svg, copied into the book. */
static void copy_figures(chapter_text *c, const char *results_dir, atomic_dir figures)
{
    char from[1024], to[64];
    snprintf(from, sizeof from, "%s/%s/figure.svg", results_dir, c->results);
    snprintf(to, sizeof to, "chapter%d.svg", c->number);
    c->has_figure = c->summary && copy_figure(from, figures, to) == 0;
    snprintf(from, sizeof from, "%s/reference/figure.svg", c->dir);
    snprintf(to, sizeof to, "chapter%d-reference.svg", c->number);
    c->has_reference_figure = c->reference && copy_figure(from, figures, to) == 0;
}

/* A summary without its own title: the chapter already has one. */
static char *summary_html(const char *summary)
{
    const char *body = strncmp(summary, "## ", 3) == 0 ? summary + strcspn(summary, "\n") : summary;
    return markdown_of(body, 1);
}

/* "class" from a summary's "Scale class, ..." line; "" if there is none. */
static void scale_of(const char *summary, char *out, size_t size)
{
    const char *s = summary ? strstr(summary, "Scale ") : NULL;
    snprintf(out, size, "%.*s", s ? (int)strcspn(s + 6, ",.") : 0, s ? s + 6 : "");
}

static void figure(FILE *out, const char *src, const char *alt)
{
    fprintf(out, "<figure><a href=\"%s\" title=\"the figure at full size\"><img src=\"%s\" alt=\"", src, src);
    html_escaped(out, alt);
    fputs("\"></a><figcaption>Click the figure to open it at full size.</figcaption></figure>\n", out);
}

static void one_run(FILE *out, const chapter_text *c, const char *summary, bool reference)
{
    fprintf(out, "<section class=\"run%s\">\n<h3>%s</h3>\n", reference ? " reference" : "",
            reference ? "The reference machine" : "Your machine");
    if (!summary) {
        if (reference)
            fputs("<p class=\"missing\">No reference run is committed for this chapter.</p>\n", out);
        else
            fprintf(out, "<p class=\"missing\">Not run on this machine yet: <code>make chapter%d</code>, then "
                    "<code>make book</code>.</p>\n", c->number);
        fputs("</section>\n", out);
        return;
    }
    char *html = summary_html(summary);
    fputs(html, out);
    free(html);
    char src[64], alt[80];
    snprintf(src, sizeof src, "figures/chapter%d%s.svg", c->number, reference ? "-reference" : "");
    snprintf(alt, sizeof alt, "Chapter %d: %s figure", c->number, reference ? "the reference" : "this machine's");
    if (reference ? c->has_reference_figure : c->has_figure) figure(out, src, alt);
    fputs("</section>\n", out);
}

/* The value of `key` in an answers.csv ("0.98 (0.95-1.02)"), or "not measured". */
static void answer_of(const char *csv, const char *key, char *out, size_t size)
{
    snprintf(out, size, "not measured");
    for (const char *line = csv; line && *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0)) {
        size_t k = strlen(key);
        if (strncmp(line, key, k) != 0 || line[k] != ',') continue;
        double median, lo, hi;
        int fields = sscanf(line + k + 1, "%lf,%lf,%lf", &median, &lo, &hi);
        if (fields == 3) snprintf(out, size, "%.2f (%.2f-%.2f)", median, lo, hi);
        else if (fields >= 1) snprintf(out, size, "%.2f", median);
        return;
    }
}

/* Under the Predict block, folded: the reference run's answers (and this machine's). */
static void answers(FILE *out, const chapter_text *c)
{
    fputs("<details class=\"answers\">\n<summary>Answers, from the reference run (open after you have written "
          "yours)</summary>\n", out);
    if (!c->reference_answers) {
        char verdict[600];
        verdict_of(c->reference, verdict, sizeof verdict);
        fputs("<p>The reference run's verdict: ", out);
        html_escaped(out, verdict);
        fputs("</p>\n<p>The numbers behind it are in its table below.</p>\n</details>\n", out);
        return;
    }
    fputs("<table>\n<thead><tr><th>quantity</th><th>reference run: median (95% interval)</th>"
          "<th>your machine</th></tr></thead>\n<tbody>\n", out);
    const char *rows = strstr(c->reference_answers, "key,median");
    for (const char *line = rows ? rows + strcspn(rows, "\n") + 1 : ""; *line;) {
        size_t length = strcspn(line, "\n");
        char key[64], theirs[96], mine[96];
        snprintf(key, sizeof key, "%.*s", (int)strcspn(line, ",\n"), line);
        if (*key) {
            answer_of(c->reference_answers, key, theirs, sizeof theirs);
            answer_of(c->answers, key, mine, sizeof mine);
            fputs("<tr><td><code>", out);
            html_escaped(out, key);
            fputs("</code></td><td>", out);
            html_escaped(out, theirs);
            fputs("</td><td>", out);
            html_escaped(out, c->answers ? mine : "not run yet");
            fputs("</td></tr>\n", out);
        }
        line += length + (line[length] != 0);
    }
    fputs("</tbody>\n</table>\n</details>\n", out);
}

/* The results, folded under the Predict block until the reader opens them: guesses
 * first, then the measurement (book.js opens them for a link into them, and to print). */
static void results_block(FILE *out, const chapter_text *c)
{
    answers(out, c);
    fputs("<details class=\"results\">\n<summary>Write your answers to the Predict block first, then show the "
          "results: this machine's and the reference machine's</summary>\n<div class=\"results\">\n", out);
    char mine[32], theirs[32];
    scale_of(c->summary, mine, sizeof mine);
    scale_of(c->reference, theirs, sizeof theirs);
    if (*mine && *theirs && strcmp(mine, theirs) != 0) {
        fputs("<p class=\"scale-warning\">Your run used the <strong>", out);
        html_escaped(out, mine);
        fputs("</strong> scale, the reference run the <strong>", out);
        html_escaped(out, theirs);
        fprintf(out, "</strong> scale: the work and the number of rounds differ, so compare the two with care "
                "(<code>make chapter%d</code> runs the class scale).</p>\n", c->number);
    }
    one_run(out, c, c->summary, false);
    one_run(out, c, c->reference, true);
    fputs("</div>\n</details>\n", out);
}

/* An id from a heading's text: "How sure is the verdict?" -> "ch3-how-sure-is-the-verdict". */
static void slug(const char *html, size_t length, int chapter, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "ch%d-", chapter);
    bool in_tag = false, dash = false;
    for (size_t i = 0; i < length && used + 2 < size; i++) {
        unsigned char ch = (unsigned char)html[i];
        if (ch == '<') in_tag = true;
        if (in_tag) {
            if (ch == '>') in_tag = false;
            continue;
        }
        if (isalnum(ch)) {
            if (dash && out[used - 1] != '-') out[used++] = '-';
            out[used++] = (char)tolower(ch);
            dash = false;
        } else {
            dash = true;
        }
    }
    out[used] = '\0';
}

/* Every <h1>-<h3> of the chapter's HTML gets an id and a link to itself (an anchor
 * to share, and the places the search leads to). Repeated headings get -2, -3... */
static char *with_anchors(const char *html, int chapter)
{
    char *result = NULL, seen[64][96];
    size_t size = 0;
    int seen_count = 0;
    FILE *out = open_memstream(&result, &size);
    for (const char *p = html;;) {
        const char *h = strstr(p, "<h");
        while (h && !(h[2] >= '1' && h[2] <= '3' && h[3] == '>')) h = strstr(h + 2, "<h");
        if (!h) {
            fputs(p, out);
            break;
        }
        char close[8];
        snprintf(close, sizeof close, "</h%c>", h[2]);
        const char *end = strstr(h + 4, close);
        if (!end) {
            fputs(p, out);
            break;
        }
        char base[80], id[96];
        slug(h + 4, (size_t)(end - h - 4), chapter, base, sizeof base);
        int repeats = 0;
        for (int i = 0; i < seen_count; i++) repeats += strcmp(seen[i], base) == 0;
        if (seen_count < 64) snprintf(seen[seen_count++], sizeof seen[0], "%s", base);
        if (repeats) snprintf(id, sizeof id, "%s-%d", base, repeats + 1);
        else snprintf(id, sizeof id, "%s", base);
        fwrite(p, 1, (size_t)(h - p), out);
        fprintf(out, "<h%c id=\"%s\">%.*s <a class=\"anchor\" href=\"#%s\" aria-label=\"link to this section\">#</a>%s",
                h[2], id, (int)(end - h - 4), h + 4, id, close);
        p = end + strlen(close);
    }
    fclose(out);
    return result;
}

/* Links to the chapter's sources (pages of the book) and to the original post. */
static void source_links(FILE *out, const chapter_text *c)
{
    fputs("<p class=\"sources\">Read the code: ", out);
    for (int i = 0; i < c->source_count; i++) {
        char page[300];
        fprintf(out, "%s<a href=\"source/%s\"><code>%s</code></a>", i ? " &middot; " : "",
                source_page_name(c, c->sources[i], page, sizeof page), c->sources[i]);
    }
    fprintf(out, "%sThe original post: <a href=\"%s\">&ldquo;Multithreading VS Multiprocessing in Python&rdquo;</a> "
            "(2018).</p>\n", c->source_count ? ". " : "", POST_URL);
}

/* The files of common/ (their names), which every chapter builds on and cites. */
#define MAX_COMMON 128
static char common_files[MAX_COMMON][64];
static int common_count;

static void find_common(const char *chapters_dir)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/../common", chapters_dir);
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d)) && common_count < MAX_COMMON;) {
        size_t len = strlen(e->d_name);
        if (len > 2 && len < sizeof common_files[0] && e->d_name[len - 2] == '.' &&
            (e->d_name[len - 1] == 'c' || e->d_name[len - 1] == 'h') &&
            strspn(e->d_name, "abcdefghijklmnopqrstuvwxyz0123456789_.") == len)
            memcpy(common_files[common_count++], e->d_name, len + 1);
    }
    closedir(d);
    qsort(common_files, (size_t)common_count, sizeof common_files[0], by_name);
}

/* The chapter's text with every citation of a file of common/ ("<code>common/gil.c</code>",
 * as cmark-gfm writes `common/gil.c`) made a link to its page. malloc'd. */
static char *with_common_links(char *html)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    for (const char *p = html; *p;) {
        const char *code = strstr(p, "<code>common/");
        if (!code) {
            fputs(p, out);
            break;
        }
        fwrite(p, 1, (size_t)(code - p), out);
        const char *name = code + strlen("<code>common/"), *end = strstr(name, "</code>");
        int found = -1;
        for (int i = 0; end && i < common_count && found < 0; i++)
            if ((size_t)(end - name) == strlen(common_files[i]) && strncmp(name, common_files[i], (size_t)(end - name)) == 0)
                found = i;
        if (found >= 0) {
            fprintf(out, "<a href=\"source/common-%s.html\"><code>common/%s</code></a>", common_files[found],
                    common_files[found]);
            p = end + strlen("</code>");
        } else {
            fputs("<code>", out);
            p = code + strlen("<code>");
        }
    }
    fclose(out);
    free(html);
    return text;
}

/* The chapter's text with the results where its README says, its headings anchored. */
static char *chapter_html(const chapter_text *c)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    const char *marker = strstr(c->readme, MARKER);
    char *before = strndup(c->readme, marker ? (size_t)(marker - c->readme) : strlen(c->readme));
    char *html = markdown(before);
    const char *end_of_title = strstr(html, "</h1>");
    if (end_of_title) { /* the sources right under the title */
        end_of_title += strlen("</h1>");
        fwrite(html, 1, (size_t)(end_of_title - html), out);
        fputc('\n', out);
        source_links(out, c);
        fputs(end_of_title, out);
    } else {
        fputs(html, out);
    }
    free(html);
    free(before);
    results_block(out, c);
    if (marker) {
        html = markdown(marker + strlen(MARKER));
        fputs(html, out);
        free(html);
    }
    fclose(out);
    char *anchored = with_anchors(text, c->number);
    free(text);
    return with_common_links(anchored);
}

static void chapter_body(FILE *out, const chapter_text *c)
{
    fprintf(out, "<article id=\"chapter%d\">\n%s</article>\n", c->number, c->body);
}

static void page_start(FILE *out, const char *title, const char *root)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"color-scheme\" content=\"light dark\">\n<title>", out);
    html_escaped(out, title);
    /* The reader's light or dark choice (book.js keeps it), set before the page is
     * drawn so that it does not flash in the other theme. */
    fprintf(out, "</title>\n<link rel=\"stylesheet\" href=\"%sbook.css\">\n<script>try { var theme = "
            "localStorage.getItem(\"tvp-book-theme\"); if (theme === \"light\" || theme === \"dark\") "
            "document.documentElement.setAttribute(\"data-theme\", theme); } catch (e) {}</script>\n</head>\n<body>\n",
            root);
}

/* The sidebar's `current` when the page is not a chapter's. */
#define CURRENT_CONTENTS -1
#define CURRENT_CLASS -2

/* The sidebar: search, then every chapter (the current one marked: an index into
 * `chapters`, or CURRENT_CONTENTS, CURRENT_CLASS). Folded on a
 * narrow screen (search.js opens it on a wide one). */
static void sidebar(FILE *out, const chapter_text *chapters, int n, int current, const char *root)
{
    fputs("<details class=\"sidebar\" open>\n<summary>Contents and search</summary>\n<nav aria-label=\"Contents\">\n",
          out);
    fprintf(out, "<form class=\"search\" role=\"search\" onsubmit=\"return false\"><input type=\"search\" "
            "id=\"search\" placeholder=\"Search the book (s or /)\" aria-label=\"Search the book\" autocomplete=\"off\">"
            "</form>\n<p class=\"keys\"><button type=\"button\" id=\"theme\">Light or dark</button> "
            "<span>&larr; &rarr; turn the pages</span></p>\n<ol class=\"search-results\" id=\"search-results\"></ol>\n"
            "<ol class=\"toc\">\n<li%s><a href=\"%sindex.html\">Contents and verdicts</a></li>\n",
            current == CURRENT_CONTENTS ? " class=\"current\"" : "", root);
    for (int i = 0; i < n; i++) {
        const char *colon = strchr(chapters[i].title, ':');
        fprintf(out, "<li%s><a href=\"%schapter%d.html\"><span class=\"number\">%d</span> ",
                i == current ? " class=\"current\"" : "", root, chapters[i].number, chapters[i].number);
        html_escaped(out, colon ? colon + 2 : chapters[i].title);
        fputs("</a></li>\n", out);
    }
    if (class_page)
        fprintf(out, "<li%s><a href=\"%sclass.html\">The class, on one figure</a></li>\n",
                current == CURRENT_CLASS ? " class=\"current\"" : "", root);
    fprintf(out, "</ol>\n<p class=\"post\"><a href=\"%s\">The original post (2018)</a></p>\n</nav>\n</details>\n",
            POST_URL);
    fprintf(out, "<script src=\"%slunr.min.js\"></script>\n<script src=\"%ssearch-index.js\"></script>\n"
            "<script src=\"%ssearch.js\"></script>\n<script src=\"%sbook.js\"></script>\n", root, root, root, root);
}

static void machine_header(FILE *out, const machine_info *m)
{
    fputs("<header class=\"machine\">Built on ", out);
    html_escaped(out, m->cpu_model);
    fprintf(out, ", %d cores, %.1f GiB, ", m->cores, m->memory_gib);
    html_escaped(out, m->kernel);
    fputs(", ", out);
    html_escaped(out, m->compiler);
    fprintf(out, ", %s. Each chapter's table says the scale it ran at.</header>\n", m->date);
}

static void navigation(FILE *out, const chapter_text *chapters, int n, int i)
{
    fputs("<nav class=\"pages\">", out);
    if (i > 0) fprintf(out, "<a href=\"chapter%d.html\" rel=\"prev\">&larr; Chapter %d</a> ", chapters[i - 1].number,
                       chapters[i - 1].number);
    fputs("<a href=\"index.html\">Contents</a>", out);
    if (i + 1 < n) fprintf(out, " <a href=\"chapter%d.html\" rel=\"next\">Chapter %d &rarr;</a>", chapters[i + 1].number,
                           chapters[i + 1].number);
    fputs("</nav>\n", out);
}

static void contents(FILE *out, const chapter_text *chapters, int n)
{
    fputs("<table class=\"contents\">\n<thead><tr><th>Chapter</th><th>The claim</th><th>Verdict on your machine</th>"
          "<th>On the reference machine</th></tr></thead>\n<tbody>\n", out);
    for (int i = 0; i < n; i++) {
        char mine[600], theirs[600];
        answer_of_run(chapters[i].summary, mine, sizeof mine);
        answer_of_run(chapters[i].reference, theirs, sizeof theirs);
        fprintf(out, "<tr><td>%d</td><td><a href=\"chapter%d.html\">", chapters[i].number, chapters[i].number);
        const char *colon = strchr(chapters[i].title, ':');
        html_escaped(out, colon ? colon + 2 : chapters[i].title);
        fputs("</a></td><td>", out);
        html_escaped(out, mine);
        fputs("</td><td>", out);
        html_escaped(out, theirs);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

/* Text of an HTML fragment: tags dropped, the book's entities decoded, runs of
 * white space made one space. */
static void plain_text(FILE *out, const char *html, size_t length)
{
    /* Every entity the book writes (its own HTML, cmark-gfm's): a search snippet shows
     * the character, never "&middot;". */
    static const struct { const char *entity, *text; } entities[] = {
        { "&lt;", "<" },  { "&gt;", ">" },    { "&amp;", "&" },    { "&quot;", "\"" },  { "&#39;", "'" },
        { "&middot;", "\u00b7" }, { "&rarr;", "\u2192" }, { "&larr;", "\u2190" }, { "&times;", "\u00d7" },
        { "&nbsp;", " " }, { "&mdash;", "\u2014" }, { "&ndash;", "\u2013" }, { "&hellip;", "\u2026" },
    };
    bool in_tag = false, space = false;
    for (size_t i = 0; i < length; i++) {
        char ch = html[i];
        if (ch == '<') in_tag = true;
        if (in_tag) {
            if (ch == '>') in_tag = false;
            space = true;
            continue;
        }
        const char *decoded = NULL;
        if (ch == '&')
            for (size_t e = 0; e < sizeof entities / sizeof *entities && !decoded; e++)
                if (strncmp(html + i, entities[e].entity, strlen(entities[e].entity)) == 0) {
                    i += strlen(entities[e].entity) - 1;
                    decoded = entities[e].text;
                }
        if (decoded) {
            if (space) fputc(' ', out);
            space = false;
            fputs(decoded, out);
            continue;
        }
        if (isspace((unsigned char)ch)) {
            space = true;
            continue;
        }
        if (space) fputc(' ', out);
        space = false;
        fputc(ch, out);
    }
}

/* A JavaScript string literal: data, whatever it holds (quotes, backslashes, control
 * characters and '<' escaped). */
static void js_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') fprintf(out, "\\%c", *c);
        else if (*c < 0x20 || *c == '<' || *c == '>' || *c == 0x7f) fprintf(out, "\\u%04x", *c);
        else fputc(*c, out);
    }
    fputc('"', out);
}

/* One search entry per section of the chapter: where it is, its heading, its text. */
static void index_sections(FILE *out, const chapter_text *c)
{
    const char *body = c->body, *end = body + strlen(body);
    for (const char *h = strstr(body, " id=\"ch"); h;) {
        const char *heading_start = h - 3;  /* "<hN" */
        const char *id = h + 5, *id_end = strchr(id, '"');
        const char *heading_end = strstr(h, "</h");
        if (!id_end || !heading_end || heading_start < body || heading_start[0] != '<') break;
        const char *next = strstr(heading_end, " id=\"ch");
        const char *section_end = next ? next - 3 : end;
        char *heading = NULL, *text = NULL;
        size_t hs = 0, ts = 0;
        FILE *hf = open_memstream(&heading, &hs), *tf = open_memstream(&text, &ts);
        fprintf(hf, "Chapter %d \xe2\x80\xba ", c->number);
        const char *title_start = strchr(h, '>') + 1;
        plain_text(hf, title_start, (size_t)(heading_end - title_start));
        plain_text(tf, heading_end, (size_t)(section_end - heading_end));
        fclose(hf);
        fclose(tf);
        size_t hl = strlen(heading); /* the anchor's "#" at the end of the heading */
        if (hl > 2 && strcmp(heading + hl - 2, " #") == 0) heading[hl - 2] = '\0';
        fprintf(out, "{\"u\":\"chapter%d.html#%.*s\",\"t\":", c->number, (int)(id_end - id), id);
        js_string(out, heading);
        fputs(",\"x\":", out);
        js_string(out, text);
        fputs("},\n", out);
        free(heading);
        free(text);
        h = next;
    }
}

static void search_index(FILE *out, void *arg);


/* A source file as a page of the book: a chapter's (chapter set), or one of common/
 * (chapter NULL), which the chapters cite. */
typedef struct {
    const char *path, *name;
    const chapter_text *chapter;
} source_file;


/* The book is built in a private folder inside --out (.book-XXXXXX) and moved in
 * whole at the end (atomic_dir_publish), so a full disk or an interrupted build
 * leaves the previous book as it was. */
static int out_fd = -1;
static char staging_name[32];

/* Stop: the staging folder goes, --out keeps the previous book. */
static noreturn void fail_building(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static noreturn void fail_building(const char *fmt, ...)
{
    int saved = errno;
    if (out_fd >= 0 && *staging_name) atomic_dir_remove(out_fd, staging_name);
    errno = saved;
    va_list ap;
    va_start(ap, fmt);
    fail_user_v("book", EXIT_EXPERIMENT_FAILED, fmt, ap);
}

static void write_file(atomic_dir dir, const char *name, void (*body)(FILE *, void *), void *arg, const char *ending)
{
    atomic_file f;
    if (atomic_file_open_at(&f, dir.fd, dir.path, name) != 0)
        fail_building("cannot write %s/%s: %s", dir.path, name, strerror(errno));
    body(f.stream, arg);
    fputs(ending, f.stream);
    if (atomic_file_commit(&f) != 0) fail_building("cannot write %s/%s: %s", dir.path, name, strerror(errno));
}

static void write_page(atomic_dir dir, const char *name, void (*body)(FILE *, void *), void *arg)
{
    write_file(dir, name, body, arg, "</body>\n</html>\n");
}

typedef struct {
    chapter_text *chapters;
    int count, index;
    machine_info machine;
    source_file source; /* the source page being written */
    char *class_summary; /* results/class/summary.md, or NULL */
    int has_class_figure;
} book;

/* "1, 2, 3, 4, 5, 9, 10, 11 and 12": the chapters whose folder holds an original.py. */
static void chapters_with_original(const book *b, char *out, size_t size)
{
    int numbers[MAX_CHAPTERS], n = 0;
    for (int i = 0; i < b->count; i++)
        for (int f = 0; f < b->chapters[i].source_count; f++)
            if (strcmp(b->chapters[i].sources[f], "original.py") == 0) numbers[n++] = b->chapters[i].number;
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%d", i == 0 ? "" : i == n - 1 ? " and " : ", ", numbers[i]);
}

static void search_index(FILE *out, void *arg)
{
    book *b = arg;
    fputs("/* Generated by build/book: every section of the book, for search.js. */\nwindow.BOOK_INDEX = [\n", out);
    for (int i = 0; i < b->count; i++) index_sections(out, &b->chapters[i]);
    fputs("];\n", out);
}

/* The class page: every machine a class shared (make share, make class). */
static void class_html(FILE *out, void *arg)
{
    book *b = arg;
    page_start(out, "The class, on one figure", "");
    sidebar(out, b->chapters, b->count, CURRENT_CLASS, "");
    fputs("<main>\n<h1>The class, on one figure</h1>\n<p>Each student ran <code>make share</code> and handed in the "
          "file it wrote; <code>make class DIR=FOLDER</code> gathered them. Every point is one machine.</p>\n", out);
    char *html = markdown_of(b->class_summary, 1); /* from files handed in: links kept inside the book */
    fputs(html, out);
    free(html);
    if (b->has_class_figure) figure(out, "figures/class.svg", "every machine of the class");
    fputs("</main>\n", out);
}

/* highlight.js's name for a file's language, from its name. */
static const char *language_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && (strcmp(dot, ".c") == 0 || strcmp(dot, ".h") == 0)) return "cpp";
    if (dot && strcmp(dot, ".py") == 0) return "python";
    return "plaintext";
}

/* A source file: its lines numbered in a gutter, each number an anchor (#L12) to
 * link to; the code coloured by highlight.js (book.js). */
static void source_page(FILE *out, void *arg)
{
    book *b = arg;
    const source_file *s = &b->source;
    char title[200];
    if (s->chapter) snprintf(title, sizeof title, "%s, chapter %d", s->name, s->chapter->number);
    else snprintf(title, sizeof title, "common/%s", s->name);
    page_start(out, title, "../");
    sidebar(out, b->chapters, b->count, s->chapter ? b->index : CURRENT_CONTENTS, "../");
    if (s->chapter)
        fprintf(out, "<main>\n<p><a href=\"../chapter%d.html\">&larr; back to chapter %d</a></p>\n<h1>",
                s->chapter->number, s->chapter->number);
    else
        fputs("<main>\n<p><a href=\"../index.html\">&larr; back to the contents</a> (common/ is shared by every "
              "chapter)</p>\n<h1>", out);
    html_escaped(out, s->chapter ? s->path : title);
    char *text = read_text(s->path);
    const char *code = text ? text : "(could not be read)";
    int lines = 1;
    for (const char *c = code; *c; c++) lines += *c == '\n' && c[1];
    fputs("</h1>\n<div class=\"source\"><pre class=\"gutter\" aria-hidden=\"true\">", out);
    for (int l = 1; l <= lines; l++) fprintf(out, "<a id=\"L%d\" href=\"#L%d\">%d</a>\n", l, l, l);
    fprintf(out, "</pre><pre class=\"code\"><code class=\"language-%s\">", language_of(s->name));
    html_escaped(out, code);
    free(text);
    fputs("</code></pre></div>\n</main>\n<script src=\"../highlight.min.js\"></script>\n"
          "<script>if (window.hljs) document.querySelectorAll(\"pre.code code\").forEach(function (block) { "
          "window.hljs.highlightBlock(block); });</script>\n", out);
}

static void index_page(FILE *out, void *arg)
{
    book *b = arg;
    page_start(out, "threads-vs-processes: the book", "");
    sidebar(out, b->chapters, b->count, CURRENT_CONTENTS, "");
    fputs("<main>\n", out);
    machine_header(out, &b->machine);
    char with_python[200];
    chapters_with_original(b, with_python, sizeof with_python);
    fprintf(out, "<h1>threads-vs-processes</h1>\n<p>The common misconceptions about threads and processes, each "
            "measured on this machine beside a reference run. GIL-threads are C threads under an emulation of "
            "CPython's GIL; C threads have none. Chapters %s also run the article's own experiment in real CPython "
            "(when python3 is installed) and say how close the emulation came.</p>\n", with_python);
    fprintf(out, "<p>The claims come from the post <a href=\"%s\">&ldquo;Multithreading VS Multiprocessing in "
            "Python&rdquo;</a> (2018). This page holds the whole book, for printing; each chapter also has a page of "
            "its own.</p>\n", POST_URL);
    if (class_page)
        fputs("<p><a href=\"class.html\">The class, on one figure</a>: every machine that shared its results.</p>\n",
              out);
    contents(out, b->chapters, b->count);
    /* The code every chapter builds on, a page per file (the chapters link the ones they cite). */
    fputs("<p class=\"sources\">The code every chapter shares: ", out);
    for (int f = 0, shown = 0; f < common_count; f++) {
        size_t len = strlen(common_files[f]);
        if (common_files[f][len - 1] != 'c') continue;
        fprintf(out, "%s<a href=\"source/common-%s.html\"><code>common/%s</code></a>", shown++ ? " &middot; " : "",
                common_files[f], common_files[f]);
    }
    fputs(" (each with its header, <code>.h</code>, which says what it does).</p>\n", out);
    for (int i = 0; i < b->count; i++) chapter_body(out, &b->chapters[i]);
    fputs("</main>\n", out);
}

static void chapter_page(FILE *out, void *arg)
{
    book *b = arg;
    const chapter_text *c = &b->chapters[b->index];
    page_start(out, c->title, "");
    sidebar(out, b->chapters, b->count, b->index, "");
    fputs("<main>\n", out);
    machine_header(out, &b->machine);
    navigation(out, b->chapters, b->count, b->index);
    chapter_body(out, c);
    navigation(out, b->chapters, b->count, b->index);
    fputs("</main>\n", out);
}

/* --check-text: one line per chapter whose text names a quantity its reference run
 * does not have; exit 1 if there is one. */
static int check_placeholders(const book *b)
{
    int bad = 0;
    for (int i = 0; i < b->count; i++) {
        const chapter_text *c = &b->chapters[i];
        if (!c->unfilled) continue;
        printf("chapter %d: %d placeholder%s unfilled; the first: %s\n", c->number, c->unfilled,
               c->unfilled == 1 ? "" : "s", c->unfilled_why);
        bad++;
    }
    if (!bad) printf("book: every placeholder of %d chapters filled from its reference run\n", b->count);
    return bad ? EXIT_EXPERIMENT_FAILED : 0;
}

int main(int argc, char **argv)
{
    const char *results = "results", *chapters_dir = "chapters", *out_dir = "results/book";
    bool check_text = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check-text") == 0) {
            check_text = true;
            continue;
        }
        const char **target = strcmp(argv[i], "--results") == 0    ? &results
                              : strcmp(argv[i], "--chapters") == 0 ? &chapters_dir
                              : strcmp(argv[i], "--out") == 0      ? &out_dir
                                                                   : NULL;
        if (strcmp(argv[i], "--help") == 0) {
            puts("usage: book [--results DIR] [--chapters DIR] [--out DIR] [--check-text]\n"
                 "  --check-text  write nothing: check that every placeholder of every chapter's text\n"
                 "                names a quantity of its reference run (exit 1 naming the first that does not)");
            fail_unless_stdout_written("book");
            return 0;
        }
        if (!target || i + 1 >= argc || !*argv[i + 1]) {
            fail_user("book", EXIT_BAD_INPUT, "%s: expected --results DIR, --chapters DIR or --out DIR", argv[i]);
        }
        *target = argv[++i];
    }
    book b = { .chapters = xcalloc(MAX_CHAPTERS, sizeof *b.chapters) };
    machine_describe(&b.machine);
    b.count = find_chapters(chapters_dir, results, b.chapters);
    find_common(chapters_dir); /* before the chapters' pages, which link to them */
    if (b.count <= 0) {
        fail_user("book", EXIT_BAD_INPUT, "no chapters found in %s", chapters_dir);
    }
    if (check_text) {
        int status = check_placeholders(&b);
        fail_unless_stdout_written("book");
        return status;
    }
    char path[1024], error[600];
    /* --out, held open and locked; every page is written by descriptor into the
     * staging folder (messages name where it will land). */
    if ((out_fd = cli_hold_out_dir(out_dir, ".book-", error, sizeof error)) < 0)
        fail_user("book", EXIT_EXPERIMENT_FAILED, "%s", error);
    atomic_dir out = { -1, out_dir };
    if ((out.fd = atomic_dir_create_at(out_fd, ".book-", staging_name, sizeof staging_name)) < 0)
        fail_building("cannot write into %s: %s", out_dir, strerror(errno));
    char figures_path[1024], source_path[1024];
    snprintf(figures_path, sizeof figures_path, "%s/figures", out_dir);
    snprintf(source_path, sizeof source_path, "%s/source", out_dir);
    atomic_dir figures = { atomic_dir_open_at(out.fd, "figures"), figures_path };
    atomic_dir source = { atomic_dir_open_at(out.fd, "source"), source_path };
    if (figures.fd < 0 || source.fd < 0)
        fail_building("cannot make %s: %s", figures.fd < 0 ? figures_path : source_path, strerror(errno));
    static const char *const assets[] = { "book.css", "search.js", "book.js" };
    for (size_t a = 0; a < sizeof assets / sizeof *assets; a++) {
        snprintf(path, sizeof path, "%s/book/%s", chapters_dir, assets[a]);
        if (copy_file(path, out, assets[a]) != 0)
            fail_building("cannot copy %s to %s: %s", path, out_dir, strerror(errno));
    }
    /* What readers' tools use, from Debian, copied in so that the book works offline:
     * lunr.js for the search, highlight.js for the code pages. */
    static const struct { const char *path, *name, *package; } libraries[] = {
        { "/usr/share/javascript/lunr/lunr.min.js", "lunr.min.js", "libjs-lunr" },
        { "/usr/share/javascript/highlight.js/highlight.min.js", "highlight.min.js", "libjs-highlight.js" },
    };
    for (size_t l = 0; l < sizeof libraries / sizeof *libraries; l++)
        if (copy_file(libraries[l].path, out, libraries[l].name) != 0)
            fail_building("cannot copy %s (make deps installs Debian's %s): %s", libraries[l].path,
                          libraries[l].package, strerror(errno));
    snprintf(path, sizeof path, "%s/class/summary.md", results);
    b.class_summary = read_text(path);
    class_page = b.class_summary != NULL;
    if (class_page) {
        snprintf(path, sizeof path, "%s/class/figure.svg", results);
        b.has_class_figure = copy_figure(path, figures, "class.svg") == 0;
    }
    for (int i = 0; i < b.count; i++) {
        copy_figures(&b.chapters[i], results, figures);
        b.chapters[i].body = chapter_html(&b.chapters[i]);
    }
    for (b.index = 0; b.index < b.count; b.index++) {
        const chapter_text *c = &b.chapters[b.index];
        for (int f = 0; f < c->source_count; f++) {
            char name[300];
            snprintf(path, sizeof path, "%s/%s", c->dir, c->sources[f]);
            b.source = (source_file){ .path = path, .name = c->sources[f], .chapter = c };
            write_page(source, source_page_name(c, c->sources[f], name, sizeof name), source_page, &b);
        }
    }
    for (int f = 0; f < common_count; f++) {
        char name[300];
        snprintf(path, sizeof path, "%s/../common/%.63s", chapters_dir, common_files[f]);
        b.source = (source_file){ .path = path, .name = common_files[f], .chapter = NULL };
        snprintf(name, sizeof name, "common-%.63s.html", common_files[f]);
        write_page(source, name, source_page, &b);
    }
    if (class_page) write_page(out, "class.html", class_html, &b);
    write_file(out, "search-index.js", search_index, &b, "");
    write_page(out, "index.html", index_page, &b);
    for (b.index = 0; b.index < b.count; b.index++) {
        char name[64];
        snprintf(name, sizeof name, "chapter%d.html", b.chapters[b.index].number);
        write_page(out, name, chapter_page, &b);
    }
    char failed[256] = "";
    if (atomic_dir_publish(out.fd, out_fd, failed, sizeof failed) != 0)
        fail_building("cannot put the book into %s: %s/%s: %s", out_dir, out_dir, failed,
                      errno == EEXIST ? "something of another kind is in its place" : strerror(errno));
    close(figures.fd);
    close(source.fd);
    close(out.fd);
    atomic_dir_remove(out_fd, staging_name); /* now empty, or the previous figures/ and source/ */
    int measured = 0;
    for (int i = 0; i < b.count; i++) measured += b.chapters[i].summary != NULL;
    printf("book: %s/index.html and %d chapter pages (%d measured here, %d not yet)\n", out_dir, b.count, measured,
           b.count - measured);
    for (int i = 0; i < b.count; i++) {
        free(b.chapters[i].readme);
        free(b.chapters[i].summary);
        free(b.chapters[i].reference);
        free(b.chapters[i].answers);
        free(b.chapters[i].reference_answers);
        free(b.chapters[i].body);
    }
    free(b.chapters);
    free(b.class_summary);
    close(out_fd);
    fail_unless_stdout_written("book");
    return 0;
}
