/* book.c — the literate book: every chapter's text with this machine's results.
 *
 * usage: build/book [--results DIR] [--chapters DIR] [--out DIR]
 *
 * Reads chapters/NN-slug/README.md, renders it with cmark-gfm (CommonMark with
 * tables), and puts at its "<!-- results -->" marker this machine's summary.md and
 * figure (from results/chapterN/) beside the committed reference run (from
 * chapters/NN-slug/reference/). Writes DIR/index.html (a table of contents with
 * each verdict, then every chapter), DIR/chapterN.html (one page each, with
 * previous/next links), DIR/book.css and DIR/figures/. Self-contained: relative
 * links only, no network. */
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "cli.h"
#include "fail.h"
#include "machine.h"

#define MAX_CHAPTERS 64
#define MARKER "<!-- results -->"

typedef struct {
    int number;
    char dir[512];       /* chapters/NN-slug */
    char *readme;        /* Markdown */
    char title[300];     /* the README's first heading, without "# " */
    char *summary;       /* this machine's summary.md, or NULL */
    char *reference;     /* the reference run's summary.md, or NULL */
    int has_figure, has_reference_figure;
} chapter_text;

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    char buffer[8192];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, f)) > 0;) fwrite(buffer, 1, n, out);
    fclose(f);
    fclose(out);
    return text;
}

static int copy_file(const char *from, const char *to)
{
    char *text = read_text(from);
    if (!text) return -1;
    atomic_file f;
    int rc = atomic_file_open(&f, to);
    if (rc == 0) {
        fputs(text, f.stream);
        rc = atomic_file_commit(&f);
    }
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

/* The text after "**Verdict:** " in a summary, up to the end of its line. */
static void verdict_of(const char *summary, char *out, size_t size)
{
    const char *v = summary ? strstr(summary, "**Verdict:** ") : NULL;
    if (!v) {
        snprintf(out, size, "not measured yet");
        return;
    }
    v += strlen("**Verdict:** ");
    snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
}

static int by_number(const void *a, const void *b)
{
    return ((const chapter_text *)a)->number - ((const chapter_text *)b)->number;
}

/* chapters/NN-slug folders that hold a README.md: the book's chapters, in order. */
static int find_chapters(const char *chapters_dir, const char *results_dir, chapter_text *chapters)
{
    DIR *d = opendir(chapters_dir);
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < MAX_CHAPTERS;) {
        const char *name = e->d_name;
        if (!(name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' && name[2] == '-')) continue;
        chapter_text *c = &chapters[n];
        memset(c, 0, sizeof *c);
        c->number = atoi(name);
        snprintf(c->dir, sizeof c->dir, "%s/%s", chapters_dir, name);
        char path[1024];
        snprintf(path, sizeof path, "%s/README.md", c->dir);
        if (!(c->readme = read_text(path))) continue;
        const char *heading = strncmp(c->readme, "# ", 2) == 0 ? c->readme + 2 : c->readme;
        snprintf(c->title, sizeof c->title, "%.*s", (int)strcspn(heading, "\n"), heading);
        snprintf(path, sizeof path, "%s/chapter%d/summary.md", results_dir, c->number);
        c->summary = read_text(path);
        snprintf(path, sizeof path, "%s/reference/summary.md", c->dir);
        c->reference = read_text(path);
        n++;
    }
    closedir(d);
    qsort(chapters, (size_t)n, sizeof *chapters, by_number);
    return n;
}

/* figures/chapterN.svg and figures/chapterN-reference.svg, copied into the book. */
static void copy_figures(chapter_text *c, const char *results_dir, const char *out_dir)
{
    char from[1024], to[1024];
    snprintf(from, sizeof from, "%s/chapter%d/figure.svg", results_dir, c->number);
    snprintf(to, sizeof to, "%s/figures/chapter%d.svg", out_dir, c->number);
    c->has_figure = c->summary && copy_file(from, to) == 0;
    snprintf(from, sizeof from, "%s/reference/figure.svg", c->dir);
    snprintf(to, sizeof to, "%s/figures/chapter%d-reference.svg", out_dir, c->number);
    c->has_reference_figure = c->reference && copy_file(from, to) == 0;
}

/* A summary without its own title: the chapter already has one. */
static char *summary_html(const char *summary)
{
    const char *body = strncmp(summary, "## ", 3) == 0 ? summary + strcspn(summary, "\n") : summary;
    return markdown_of(body, 1);
}

static void results_block(FILE *out, const chapter_text *c)
{
    fputs("<div class=\"results\">\n<section class=\"run\">\n<h3>Your machine</h3>\n", out);
    if (c->summary) {
        char *html = summary_html(c->summary);
        fputs(html, out);
        free(html);
        if (c->has_figure)
            fprintf(out, "<img src=\"figures/chapter%d.svg\" alt=\"Chapter %d: this machine's figure\">\n", c->number,
                    c->number);
    } else {
        fprintf(out, "<p class=\"missing\">Not run on this machine yet: <code>make chapter%d</code>, then "
                "<code>make book</code>.</p>\n", c->number);
    }
    fputs("</section>\n<section class=\"run reference\">\n<h3>Reference machine</h3>\n", out);
    if (c->reference) {
        char *html = summary_html(c->reference);
        fputs(html, out);
        free(html);
        if (c->has_reference_figure)
            fprintf(out, "<img src=\"figures/chapter%d-reference.svg\" alt=\"Chapter %d: the reference figure\">\n",
                    c->number, c->number);
    } else {
        fputs("<p class=\"missing\">No reference run is committed for this chapter.</p>\n", out);
    }
    fputs("</section>\n</div>\n", out);
}

/* The chapter's text with the results where its README says. */
static void chapter_body(FILE *out, const chapter_text *c)
{
    fprintf(out, "<article id=\"chapter%d\">\n", c->number);
    const char *marker = strstr(c->readme, MARKER);
    char *before = strndup(c->readme, marker ? (size_t)(marker - c->readme) : strlen(c->readme));
    char *html = markdown(before);
    fputs(html, out);
    free(html);
    free(before);
    results_block(out, c);
    if (marker) {
        html = markdown(marker + strlen(MARKER));
        fputs(html, out);
        free(html);
    }
    fputs("</article>\n", out);
}

static void page_start(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
    html_escaped(out, title);
    fputs("</title>\n<link rel=\"stylesheet\" href=\"book.css\">\n</head>\n<body>\n", out);
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
    fputs("<nav>", out);
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
        verdict_of(chapters[i].summary, mine, sizeof mine);
        verdict_of(chapters[i].reference, theirs, sizeof theirs);
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

static void write_page(const char *path, void (*body)(FILE *, void *), void *arg)
{
    atomic_file f;
    if (atomic_file_open(&f, path) != 0)
        fail_user("book", EXIT_EXPERIMENT_FAILED, "cannot write %s: %s", path, strerror(errno));
    body(f.stream, arg);
    fputs("</body>\n</html>\n", f.stream);
    if (atomic_file_commit(&f) != 0)
        fail_user("book", EXIT_EXPERIMENT_FAILED, "cannot write %s: %s", path, strerror(errno));
}

typedef struct {
    chapter_text *chapters;
    int count, index;
    machine_info machine;
} book;

static void index_page(FILE *out, void *arg)
{
    book *b = arg;
    page_start(out, "threads-vs-processes: the book");
    machine_header(out, &b->machine);
    fputs("<h1>threads-vs-processes</h1>\n<p>The common misconceptions about threads and processes, each measured "
          "on this machine beside a reference run. GIL-threads are C threads under an emulation of CPython's "
          "GIL; C threads have none. Chapters 1&ndash;5 also run the article's own experiment in real CPython "
          "(when python3 is installed) and say how close the emulation came.</p>\n", out);
    contents(out, b->chapters, b->count);
    for (int i = 0; i < b->count; i++) chapter_body(out, &b->chapters[i]);
}

static void chapter_page(FILE *out, void *arg)
{
    book *b = arg;
    const chapter_text *c = &b->chapters[b->index];
    page_start(out, c->title);
    machine_header(out, &b->machine);
    navigation(out, b->chapters, b->count, b->index);
    chapter_body(out, c);
    navigation(out, b->chapters, b->count, b->index);
}

int main(int argc, char **argv)
{
    const char *results = "results", *chapters_dir = "chapters", *out_dir = "results/book";
    for (int i = 1; i < argc; i++) {
        const char **target = strcmp(argv[i], "--results") == 0    ? &results
                              : strcmp(argv[i], "--chapters") == 0 ? &chapters_dir
                              : strcmp(argv[i], "--out") == 0      ? &out_dir
                                                                   : NULL;
        if (strcmp(argv[i], "--help") == 0) {
            puts("usage: book [--results DIR] [--chapters DIR] [--out DIR]");
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
    if (b.count <= 0) {
        fail_user("book", EXIT_BAD_INPUT, "no chapters found in %s", chapters_dir);
    }
    char path[1024], error[600];
    snprintf(path, sizeof path, "%s/figures", out_dir);
    if (cli_make_out_dir(path, error, sizeof error) != 0) {
        fail_user("book", EXIT_EXPERIMENT_FAILED, "%s", error);
    }
    snprintf(path, sizeof path, "%s/book/book.css", chapters_dir);
    char css[1024];
    snprintf(css, sizeof css, "%s/book.css", out_dir);
    if (copy_file(path, css) != 0) {
        fail_user("book", EXIT_EXPERIMENT_FAILED, "cannot copy %s to %s", path, css);
    }
    for (int i = 0; i < b.count; i++) copy_figures(&b.chapters[i], results, out_dir);
    snprintf(path, sizeof path, "%s/index.html", out_dir);
    write_page(path, index_page, &b);
    for (b.index = 0; b.index < b.count; b.index++) {
        snprintf(path, sizeof path, "%s/chapter%d.html", out_dir, b.chapters[b.index].number);
        write_page(path, chapter_page, &b);
    }
    int measured = 0;
    for (int i = 0; i < b.count; i++) measured += b.chapters[i].summary != NULL;
    printf("book: %s/index.html and %d chapter pages (%d measured here, %d not yet)\n", out_dir, b.count, measured,
           b.count - measured);
    for (int i = 0; i < b.count; i++) {
        free(b.chapters[i].readme);
        free(b.chapters[i].summary);
        free(b.chapters[i].reference);
    }
    free(b.chapters);
    return 0;
}
