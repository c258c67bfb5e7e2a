# threads-vs-processes — a runnable workbook on threads, processes and the GIL.
# `make help` lists everything; `make chapter1` runs one experiment end to end.

# Folder and chapter names a user gives (OUT, DIR, CHAPTER) reach the recipes as
# environment variables, quoted by the shell ("$$OUT"), never pasted into a command
# line: "Bob's class" is a folder name. Taken as written ($(value)), so that make
# does not expand a $(...) in a name either: "$(shell ...)" in one runs nothing.
override OUT := $(value OUT)
override DIR := $(value DIR)
override CHAPTER := $(value CHAPTER)
export OUT DIR CHAPTER

CC       ?= gcc
VARIANT  ?= release
REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
WERROR   ?= -Werror
CFLAGS_COMMON = -std=gnu11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -pthread -Icommon \
                -DGIT_REVISION='"$(REVISION)"'

# Libraries through pkg-config (fallbacks keep `make help` and `make deps` working before they exist).
LIB_CFLAGS := $(shell pkg-config --cflags libcurl libmicrohttpd zlib 2>/dev/null)
LIB_LIBS   := $(shell pkg-config --libs libcurl libmicrohttpd zlib 2>/dev/null || echo -lcurl -lmicrohttpd -lz)

ifeq ($(VARIANT),release)
  BUILD  := build
  CFLAGS_VARIANT := -O2 -g
else ifeq ($(VARIANT),tsan)
  # -g1: the line tables a sanitizer's report needs (function, file, line), without
  # the variables' debug information, which takes a fifth of the compile time.
  BUILD  := build/tsan
  CFLAGS_VARIANT := -O1 -g1 -fsanitize=thread
else ifeq ($(VARIANT),asan)
  BUILD  := build/asan
  CFLAGS_VARIANT := -O1 -g1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else
  $(error VARIANT must be release, tsan or asan)
endif

CFLAGS  := $(CFLAGS_COMMON) $(CFLAGS_VARIANT) $(LIB_CFLAGS) $(CFLAGS_EXTRA)
# The gold linker where the compiler has it: it links about three times as fast as
# the default one, and a new revision relinks every program of the three builds.
FAST_LINKER := $(shell $(CC) -fuse-ld=gold -Wl,--version 2>/dev/null | grep -q gold && echo -fuse-ld=gold)
LDFLAGS := $(FAST_LINKER) -pthread $(filter -fsanitize=%,$(CFLAGS_VARIANT)) $(LIB_LIBS) -lm
# Open MPI (chapter 13): its ranks' program is built only where pkg-config finds it;
# without it chapter 13 says in one line how to install it.
MPI_CFLAGS := $(shell pkg-config --cflags ompi-c 2>/dev/null)
MPI_LIBS   := $(shell pkg-config --libs ompi-c 2>/dev/null)
MPI_RANK   := $(if $(MPI_LIBS),$(BUILD)/mpi-rank)
BOOK_CFLAGS := $(shell pkg-config --cflags libcmark-gfm 2>/dev/null)
BOOK_LIBS   := $(shell pkg-config --libs libcmark-gfm 2>/dev/null || echo -lcmark-gfm) -lcmark-gfm-extensions
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:common/%.c=$(BUILD)/common/%.o)
# The chapters are the folders chapters/NN-slug (chapters/chapters.sh is the one place that says so).
CHAPTERS   := $(shell chapters/chapters.sh numbers)
chapter_dir = $(shell chapters/chapters.sh dir $(1))
CHAPTER_BIN := $(CHAPTERS:%=$(BUILD)/chapter%)
# The CPUs this process may run on (nproc reads the affinity mask), for parallel builds.
CORES      := $(shell nproc 2>/dev/null || echo 1)
# What plots/render.sh needs besides gnuplot.
FIGURE_TOOLS := $(BUILD)/plotvars-check $(BUILD)/figure-write
# What chapters start as children: the I/O lab's server, and chapter 13's MPI ranks.
CHAPTER_HELPERS := $(BUILD)/latency-server $(MPI_RANK)
HEADERS    := $(wildcard common/*.h)
UNIT_SRC   := $(wildcard tests/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)
ARGS       ?=
# Compile or link into a file of this make's own, then rename it into place: a program
# someone runs while make rebuilds it (another terminal, a test suite beside) is the
# old one or the new one, never missing or half written.
WRITE_TARGET = -o $@.$$$$.new && mv -f $@.$$$$.new $@
# `make V=1` shows the full compiler commands.
ifeq ($(V),1)
  Q :=
  SAY := @true
else
  Q := @
  SAY := @echo
endif

# The Debian packages the workbook needs (ARCHITECTURE.md, "Dependencies").
DEBIAN_PACKAGES := gcc libc6-dev make pkg-config libcurl4-openssl-dev libmicrohttpd-dev libcmocka-dev zlib1g-dev librsvg2-bin \
                   gnuplot-nox fonts-dejavu-core procps valgrind libcmark-gfm-dev libcmark-gfm-extensions-dev python3 \
                   libjs-lunr libjs-highlight.js openmpi-bin libopenmpi-dev python3-mpi4py
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: FORCE help all figures book book-check reference test unit sanitize sanitized bench clean deps programs headers readme share class compare \
        $(CHAPTERS:%=chapter%) $(CHAPTERS:%=figure%)
.DEFAULT_GOAL := help
.SECONDEXPANSION:
.PRECIOUS: $(BUILD)/gen/chapter%/chapter_identity.h $(BUILD)/obj/%.o

# (Every line fits 80 columns: a long claim continues on the next line.)
help:
	@echo "threads-vs-processes: the misconceptions about threads and processes, measured."
	@echo
	@echo "Chapters (ARGS=\"--runtime gil --jobs 4\" passes flags; build/chapterN --help):"
	@for n in $(CHAPTERS); do \
	  printf '  make chapter%-3s "%s"\n' "$$n" "$$(chapters/chapters.sh claim $$n)" | fold -s -w 79 | sed '2,$$s/^/                   /'; \
	done
	@echo
	@echo "  make chapterN ARGS=\"--out DIR\" (or OUT=DIR)  the data and figures in DIR"
	@echo "  make figureN   re-draw chapter N's figure from its CSVs (OUT=DIR: from DIR)"
	@echo "  make all       run every chapter"
	@echo "  make figures   re-draw every figure from the CSVs in results/ (no re-run)"
	@echo "  make test      every test: unit (also under TSAN and ASan+UBSan), end to end,"
	@echo "                 bad input, faults, sanitizers, valgrind (see TESTING.md)"
	@echo "  make sanitize  every chapter under ThreadSanitizer and ASan+UBSan"
	@echo "  make book      the book: every chapter's text with this machine's results"
	@echo "                 (FRESH=1 reruns every chapter)"
	@echo "  make book-check open the book in headless Chromium: screenshots and checks"
	@echo "  make share     one small file of this machine's results, to hand in (ALL=1: every last run, labelled)"
	@echo "  make compare A=DIR B=DIR   two runs of a chapter side by side (an exercise run and the default one)"
	@echo "  make class DIR=FOLDER [CHAPTER=N]"
	@echo "                 the class's handed-in files on one figure and a book page"
	@echo "  make reference regenerate the committed reference runs (ONLY=\"1 3\": those)"
	@echo "  make bench     the headline ratios on this machine"
	@echo "  make deps      install the Debian packages (DEBIAN_PACKAGES in the Makefile)"
	@echo "  make clean     remove build/ and results/"

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all present"; else \
	  echo "deps: installing $$missing"; \
	  $(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

# --- building ------------------------------------------------------------------

programs: $(CHAPTER_BIN) $(BUILD)/bench $(CHAPTER_HELPERS) $(BUILD)/book $(BUILD)/class $(FIGURE_TOOLS)
# What runs under the sanitizers (tests/sanitize.sh, the unit tests): the chapters and
# what they start.
sanitized: $(CHAPTER_BIN) $(CHAPTER_HELPERS) $(UNIT_BIN)

$(BUILD)/common/%.o: common/%.c $(wildcard common/*.h) | $(BUILD)/common
	$(SAY) "  CC      $<  ($(VARIANT))"
	$(Q)$(CC) $(CFLAGS) -c $< $(WRITE_TARGET)

# The revision the programs report (--version, data.csv's "# revision="): a file
# rewritten only when `git describe` says something else, so that the two objects
# that print it are rebuilt then (the -D flag alone left them naming an old one).
$(BUILD)/gen/revision: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(REVISION)' | cmp -s - $@ || echo '$(REVISION)' >$@
$(BUILD)/common/cli.o $(BUILD)/common/machine.o: $(BUILD)/gen/revision
FORCE:

# Every program is its own source file(s), compiled under $(BUILD)/obj/ (the same
# path as the source), linked with the common objects. Compiled apart from the link,
# so that a new revision (two common objects) relinks the programs without compiling
# each one again. SOURCE_CFLAGS: what one source needs besides CFLAGS.
$(BUILD)/obj/%.o: %.c $(HEADERS)
	$(SAY) "  CC      $<  ($(VARIANT))"
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SOURCE_CFLAGS) -c $< $(WRITE_TARGET)
object_of = $(1:%.c=$(BUILD)/obj/%.o)
# Link the program $@ from its own objects (every prerequisite under obj/) and the common ones.
LINK_PROGRAM = $(CC) $(filter $(BUILD)/obj/%.o,$^) $(COMMON_OBJ) $(LDFLAGS)

# A chapter's program: every .c file of its folder, each including a header made from
# the folder (its number, its claim from the README's title line, its path).
define chapter_program
CHAPTER_SRC_$(1) := $$(wildcard $$(call chapter_dir,$(1))/*.c)
$$(call object_of,$$(CHAPTER_SRC_$(1))): SOURCE_CFLAGS = -I$(BUILD)/gen/chapter$(1)
$$(call object_of,$$(CHAPTER_SRC_$(1))): $(BUILD)/gen/chapter$(1)/chapter_identity.h
$(BUILD)/chapter$(1): $$(call object_of,$$(CHAPTER_SRC_$(1))) $(COMMON_OBJ) | $(BUILD)
	$$(SAY) "  LINK    $$@"
	$$(Q)$$(LINK_PROGRAM) $$(WRITE_TARGET)
endef
$(foreach n,$(CHAPTERS),$(eval $(call chapter_program,$(n))))

$(BUILD)/gen/chapter%/chapter_identity.h: $$(call chapter_dir,$$*)/README.md chapters/chapters.sh
	$(Q)mkdir -p $(@D)
	$(Q)chapters/chapters.sh header $* >$@.new && mv $@.new $@

# The other programs, each one source file: the latency server (chapters start it),
# Open MPI's ranks (chapter 13; with Open MPI's flags), plots/render.sh's two helpers
# (plotvars-check reads a results folder's plot-vars.gp as data before gnuplot loads
# it; figure-write writes each figure by descriptor), the book and the class (with
# every chapter's number, folder, claim and results folder), the bench, the unit tests.
$(BUILD)/latency-server: $(call object_of,chapters/lab/latency-server.c)
$(BUILD)/mpi-rank: $(call object_of,chapters/13-beyond-one-machine/rank/mpi_rank.c)
$(BUILD)/plotvars-check: $(call object_of,plots/plotvars_check.c)
$(BUILD)/figure-write: $(call object_of,plots/figure_write.c)
$(BUILD)/book: $(call object_of,chapters/book/book.c)
$(BUILD)/class: $(call object_of,chapters/class/class.c)
$(BUILD)/bench: $(call object_of,tests/bench.c)
$(BUILD)/latency-server $(BUILD)/mpi-rank $(BUILD)/plotvars-check $(BUILD)/figure-write \
$(BUILD)/book $(BUILD)/class $(BUILD)/bench: $(COMMON_OBJ) | $(BUILD)
	$(SAY) "  LINK    $@"
	$(Q)$(LINK_PROGRAM) $(PROGRAM_LIBS) $(WRITE_TARGET)
$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(COMMON_OBJ) | $(BUILD)/tests
	$(SAY) "  LINK    $@"
	$(Q)$(LINK_PROGRAM) $(CMOCKA_LIBS) $(WRITE_TARGET)

$(call object_of,chapters/13-beyond-one-machine/rank/mpi_rank.c): SOURCE_CFLAGS = $(MPI_CFLAGS)
$(BUILD)/mpi-rank: PROGRAM_LIBS = $(MPI_LIBS)
$(call object_of,chapters/book/book.c chapters/class/class.c): $(BUILD)/gen/manifest.h
$(call object_of,chapters/class/class.c): SOURCE_CFLAGS = -I$(BUILD)/gen
$(call object_of,chapters/book/book.c): SOURCE_CFLAGS = -I$(BUILD)/gen $(BOOK_CFLAGS)
$(BUILD)/book: PROGRAM_LIBS = $(BOOK_LIBS)
$(BUILD)/obj/tests/%.o: SOURCE_CFLAGS = $(CMOCKA_CFLAGS)

# Every chapter's number, folder, claim and results folder, for the programs that
# handle them all (the book, the class): made from the chapter folders.
$(BUILD)/gen/manifest.h: $(wildcard chapters/*/README.md) chapters/chapters.sh
	$(Q)mkdir -p $(@D)
	$(Q)chapters/chapters.sh manifest >$@.new && mv $@.new $@

$(BUILD) $(BUILD)/common $(BUILD)/tests:
	$(Q)mkdir -p $@

# --- running the chapters -------------------------------------------------------

# Where chapter N's results go, as the program itself decides (--where): an --out in
# ARGS, else OUT=DIR, else results/chapterN, or a folder in it named from the flags
# that change the experiment, so an exercise run goes beside the default run. Bad
# flags stop here, with the program's one-line reason. (With --help, --version or
# --where nothing is run, nothing drawn.)
out_flag = $(if $(OUT),--out "$$OUT")
out_dir_of = show=--show; set -- $(ARGS); for a; do case $$a in -h|--help|--version|--where) show=;; esac; done; \
	out=; if [ -n "$$show" ]; then out=$$($(BUILD)/chapter$(1) $(out_flag) $(ARGS) --where) || exit 2; fi

# Run the experiment, then draw its figure (PNG, SVG, and in the terminal) from the
# same directory, then the verdict's headline (summary.md's "In short" line) once more:
# the answer is the last thing on the screen. Everything a chapter runs is a
# prerequisite: its program, and the latency server of the I/O lab that chapters start
# as a child.
$(CHAPTERS:%=chapter%): chapter%: $(BUILD)/chapter% $(CHAPTER_HELPERS) $(FIGURE_TOOLS)
	@$(call out_dir_of,$*); set -e; \
	$(BUILD)/chapter$* $(out_flag) $(ARGS); \
	if [ -n "$$show" ]; then plots/render.sh $* "$$out" --show; \
	  { printf 'VERDICT: '; sed -n 's/^[*][*]In short:[*][*] //p' "$$out/summary.md" | tr -d '\140*'; } | fold -s -w 80; fi

# Re-draw one chapter's figure from the CSVs already there.
$(CHAPTERS:%=figure%): figure%: $(BUILD)/chapter% $(FIGURE_TOOLS)
	@$(call out_dir_of,$*); plots/render.sh $* "$$out"

all: $(CHAPTERS:%=chapter%)

# A chapter that does not exist, "make chapter 3", or a word make took for a target
# (ARGS=--reps 12 without quotes): one line with the right form, exit 2. (.DEFAULT,
# not a chapter% pattern: a pattern would also match build/chapterN's own files.)
chapter:
	@echo "make: a chapter is one word: make chapter3 (the chapters are $(strip $(CHAPTERS)))" >&2; exit 2
.DEFAULT:
	@echo "$(if $(filter chapter%,$@),make: there is no $@; the chapters are $(strip $(CHAPTERS)) (make chapter3),make: no target '$@' (make help lists them; flags go in quotes: make chapter3 ARGS=\"--reps 12\"))" >&2; exit 2

# The book: run the chapters that have no results yet (all of them with FRESH=1), then
# build results/book/index.html and one page per chapter.
book: $(CHAPTER_BIN) $(CHAPTER_HELPERS) $(BUILD)/book $(FIGURE_TOOLS)
	@for n in $(CHAPTERS); do \
	  if [ -n "$(FRESH)" ] || [ ! -f results/chapter$$n/summary.md ]; then \
	    $(BUILD)/chapter$$n --out results/chapter$$n --quiet $(ARGS) && plots/render.sh $$n results/chapter$$n || exit 1; \
	  fi; \
	done
	@$(BUILD)/book --results results --out results/book

# Open the book in headless Chromium: screenshots, and every image must load.
book-check: book
	@tests/book_check.sh results/book

# Regenerate the committed reference runs (summary.md, figure.svg, modes.csv, machine.txt, answers.csv per chapter).
# (`make reference ONLY="9 10"` regenerates those chapters' only.)
reference: $(CHAPTER_BIN) $(CHAPTER_HELPERS) $(FIGURE_TOOLS)
	@for n in $(if $(ONLY),$(ONLY),$(CHAPTERS)); do \
	  d=$$(chapters/chapters.sh dir $$n) && out=results/reference/chapter$$n && \
	  $(BUILD)/chapter$$n --out $$out --quiet && plots/render.sh $$n $$out >/dev/null && \
	  mkdir -p $$d/reference && cp $$out/summary.md $$out/figure.svg $$out/modes.csv $$d/reference/ && \
	  { [ ! -f $$out/answers.csv ] || cp $$out/answers.csv $$d/reference/; } && \
	  grep '^# \(machine\|cores\|memory_gib\|kernel\|compiler\|date\|scale\|revision\|python\)=' $$out/data.csv \
	    | sed -e 's/^# //' -e 's/ (\/.*)$$//' >$$d/reference/machine.txt || exit 1; \
	done
	@echo "reference: chapters/*/reference/ regenerated; commit them"

# A class on one figure: each student runs `make share` (each chapter's default
# experiment at the class scale; ALL=1: every chapter's last run, labelled) and hands
# in the file it names; the teacher puts them in one folder and runs `make class DIR=folder`.
# (OUT=DIR writes elsewhere than results/share and results/class.)
share: $(BUILD)/class
	@$(BUILD)/class share --results results --out "$${OUT:-results/share}" $(if $(ALL),--all)

# Two results folders of a chapter side by side: an exercise run (which goes beside
# the default run, in a folder named from its flags) against the default one.
compare: $(BUILD)/class
	@if [ -z "$$A" ] || [ -z "$$B" ]; then echo "compare: which two runs? make compare A=results/chapter3 B=results/chapter3/switch-interval-0.1" >&2; exit 2; fi
	@$(BUILD)/class compare "$$A" "$$B"

class: $(BUILD)/class $(FIGURE_TOOLS)
	@if [ -z "$$DIR" ]; then echo "class: which folder holds the files handed in? make class DIR=FOLDER [CHAPTER=N]" >&2; exit 2; fi
	@out=$${OUT:-results/class}; $(BUILD)/class gather "$$DIR" --out "$$out" $${CHAPTER:+--chapter "$$CHAPTER"} && \
	  plots/render.sh class "$$out" && echo "class: make book adds the class page (from results/class)"

figures: $(FIGURE_TOOLS)
	@failed=; for n in $(CHAPTERS); do \
	  if [ -f results/chapter$$n/data.csv ]; then plots/render.sh $$n results/chapter$$n || failed="$$failed $$n"; \
	  else echo "figures: no results/chapter$$n/data.csv yet (make chapter$$n)"; fi; \
	done; \
	if [ -n "$$failed" ]; then echo "figures: not drawn for chapter$$failed (see above)" >&2; exit 1; fi

bench: $(BUILD)/bench
	$(BUILD)/bench

# --- testing ---------------------------------------------------------------------

unit: $(UNIT_BIN) $(CHAPTER_HELPERS)

# The README's chapter table, from the chapter folders (tests/book.sh fails when it is stale).
readme:
	@chapters/chapters.sh readme >README.md.new && mv README.md.new README.md && echo "readme: chapter table written"

# Every header compiles on its own (it includes what it uses).
headers:
	@for h in $(HEADERS); do \
	  printf '#include "%s"\n' "$$(basename $$h)" | $(CC) $(CFLAGS) -fsyntax-only -x c - || { echo "headers: $$h does not compile alone"; exit 1; }; \
	done; echo "headers: all $(words $(HEADERS)) compile alone"

# Everything, in the three builds; then every suite (TESTING.md says what each checks).
# The release build with as many compilers as cores, then every part of the suite side
# by side (tests/run.sh), whose sanitizer parts make the other two builds as they start.
test:
	@$(MAKE) --no-print-directory headers
	@$(MAKE) --no-print-directory -j$(CORES) unit programs
	@tests/run.sh

# Every chapter and the server under ThreadSanitizer and ASan+UBSan, at --scale tiny.
sanitize:
	@$(MAKE) --no-print-directory -j$(CORES) VARIANT=tsan sanitized
	@$(MAKE) --no-print-directory -j$(CORES) VARIANT=asan sanitized
	@tests/sanitize.sh

clean:
	rm -rf build results
