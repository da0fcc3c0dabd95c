# gumloop-mcp: a stdio MCP server for the Gumloop API.
#   make            build ./gumloop-mcp
#   make check      build and run every test (installs missing Debian packages)
#   make demo       run a scripted session against the fake Gumloop
#   make bench      benchmarks against the floor and a Node peer (bench/)
#   make readme     regenerate the README's settings table and tool catalog
#   make interop    the official MCP SDK, Inspector and conformance suite
#                   against the server (installs them from npm into .tools/)
#   make mcpb       build/gumloop-mcp.mcpb, a Claude Desktop extension
#   make SANITIZE=address,undefined check
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (clang)
#   make install PREFIX=/usr/local DESTDIR=
# V=1 shows the commands.

CC ?= cc
CFLAGS ?= -O2 -g
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man/man1
DOCDIR = $(PREFIX)/share/doc/gumloop-mcp

WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla -Wpointer-arith \
	-Wundef -fno-common
ifdef DEVELOPER
WARN += -Werror
endif

PKGS = libcurl libcjson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcurl -lcjson)

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_GNU_SOURCE -Iinclude \
	$(PKG_CFLAGS) $(WARN) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS)
# libcurl is not linked: src/http.c loads it on the first request.
CJSON_LIBS := $(shell pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
LIBS = $(CJSON_LIBS) -lmbedcrypto -lz -lm -ldl

ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

ifneq ($(V),1)
Q = @
QUIET_CC = @echo '   CC' $@;
QUIET_LINK = @echo ' LINK' $@;
endif

BUILD = build
SRCS = $(wildcard src/*.c) $(wildcard src/tools/*.c)
OBJS = $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS = $(filter-out $(BUILD)/src/main.o,$(OBJS))

FAKE_SRCS = $(wildcard test/fake/*.c)
FAKE_OBJS = $(FAKE_SRCS:%.c=$(BUILD)/%.o)
FAKE = test/fake-gumloop

# The test binary for the conformance suite: every object built again with
# the fixture tools compiled in (test/interop/fixtures.c).
CONF_BUILD = $(BUILD)/conformance
CONF_OBJS = $(SRCS:%.c=$(CONF_BUILD)/%.o) $(CONF_BUILD)/test/interop/fixtures.o
CONFORMANCE = $(BUILD)/gumloop-mcp-conformance

UNIT_SRCS = $(wildcard test/unit/*.c)
UNIT_BINS = $(UNIT_SRCS:test/unit/%.c=$(BUILD)/test/%)

# Fuzz targets (test/fuzz/fuzz_NAME.c): `make check` replays each seed
# corpus test/fuzz/corpus-NAME/ with CC; `make fuzz` builds them with
# clang's libFuzzer and runs each for FUZZ_SECONDS, with test/fuzz/NAME.dict
# (else json.dict).
FUZZ_NAMES = line http zip
FUZZ_REPLAY = $(FUZZ_NAMES:%=$(BUILD)/test/fuzz-replay-%)
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN ?= 2048
FUZZ_CC ?= clang
FUZZ_BUILD = $(BUILD)/libfuzzer
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_BINS = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz-%)

DEPS = $(OBJS:.o=.d) $(FAKE_OBJS:.o=.d) $(CONF_OBJS:.o=.d) \
	$(UNIT_SRCS:test/unit/%.c=$(BUILD)/test/unit/%.d) \
	$(wildcard $(BUILD)/test/fuzz/*.d $(FUZZ_BUILD)/src/*.d \
		$(FUZZ_BUILD)/src/tools/*.d $(FUZZ_BUILD)/test/fuzz/*.d)

.PHONY: all check unit cases integration demo readme deps install uninstall \
	clean asan valgrind-check bench fuzz FORCE conformance interop mcpb

all: deps gumloop-mcp

# Installs the Debian packages the build needs when they are missing.
deps:
	$(Q)./test/ensure-deps.sh

gumloop-mcp: $(OBJS)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LIBS)

# The objects remember the flags they were built with: switching SANITIZE
# or CFLAGS rebuilds them instead of linking stale ones.
FLAGS_STAMP = $(BUILD)/.flags
FLAGS_TEXT = $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)

$(FLAGS_STAMP): FORCE
	@mkdir -p $(BUILD)
	@[ "$$(cat $@ 2>/dev/null)" = '$(FLAGS_TEXT)' ] || echo '$(FLAGS_TEXT)' >$@

FORCE:

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(CONF_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -DCONFORMANCE_FIXTURES -c -o $@ $<

$(CONFORMANCE): $(CONF_OBJS)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(CONF_OBJS) $(LIBS)

conformance: $(CONFORMANCE)

mcpb: gumloop-mcp
	$(Q)python3 examples/claude-desktop/extension/mcpb.py ./gumloop-mcp $(BUILD)/gumloop-mcp.mcpb

interop: all $(FAKE) $(CONFORMANCE)
	$(Q)./test/interop/run.sh

$(BUILD)/test/fake/%.o: test/fake/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -D_GNU_SOURCE -c -o $@ $<

$(FAKE): $(FAKE_OBJS)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(FAKE_OBJS) -lmicrohttpd \
		$(PKG_LIBS) -lpthread -lm

$(BUILD)/test/%: $(BUILD)/test/unit/%.o $(LIB_OBJS)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

unit: $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do $$t || exit 1; done

$(BUILD)/test/fuzz/replay-%.o: test/fuzz/replay.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -DFUZZ_CORPUS='"test/fuzz/corpus-$*"' \
		-c -o $@ $<

$(BUILD)/test/fuzz-replay-%: $(BUILD)/test/fuzz/replay-%.o \
		$(BUILD)/test/fuzz/fuzz_%.o $(BUILD)/test/fuzz/common.o $(LIB_OBJS)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) \
		-fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/fuzz-%: $(FUZZ_BUILD)/test/fuzz/fuzz_%.o \
		$(FUZZ_BUILD)/test/fuzz/common.o $(LIB_OBJS:$(BUILD)/%=$(FUZZ_BUILD)/%)
	$(QUIET_LINK)$(FUZZ_CC) $(ALL_LDFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer \
		-o $@ $^ $(LIBS)

.SECONDARY: $(FUZZ_NAMES:%=$(BUILD)/test/fuzz/replay-%.o) \
	$(FUZZ_NAMES:%=$(BUILD)/test/fuzz/fuzz_%.o) $(BUILD)/test/fuzz/common.o \
	$(FUZZ_NAMES:%=$(FUZZ_BUILD)/test/fuzz/fuzz_%.o) \
	$(FUZZ_BUILD)/test/fuzz/common.o $(LIB_OBJS:$(BUILD)/%=$(FUZZ_BUILD)/%)

# New inputs go to $(FUZZ_BUILD)/corpus-NAME; the seeds stay as they are.
fuzz: deps $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_BUILD)/corpus-$$t && \
		d=test/fuzz/$$t.dict && { [ -f $$d ] || d=test/fuzz/json.dict; } && \
		$(FUZZ_BUILD)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
			-dict=$$d -max_len=$(FUZZ_MAX_LEN) \
			-print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crash-$$t- \
			$(FUZZ_BUILD)/corpus-$$t test/fuzz/corpus-$$t || exit 1; \
	done

check: all $(FAKE) $(UNIT_BINS) $(FUZZ_REPLAY)
	$(Q)./test/run-all.sh $(UNIT_BINS) $(FUZZ_REPLAY)

readme: gumloop-mcp
	$(Q)python3 test/lib/readme.py

demo: all $(FAKE)
	$(Q)python3 test/demo.py

# The floor programs link the libraries the server was built against
# (--no-as-needed: loaded even though the floor calls none of them).
BENCH = $(BUILD)/bench
BENCH_FLOOR_LIBS = -Wl,--no-as-needed -lcurl -lcjson -lmbedcrypto -lm
BENCH_BINS = $(BENCH)/runner $(BENCH)/floor-bare $(BENCH)/floor-linked \
	$(BENCH)/http_floor

$(BENCH)/runner: bench/runner.c
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -o $@ $<

$(BENCH)/floor-bare: bench/floor.c
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -o $@ $<

$(BENCH)/floor-linked: bench/floor.c
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -o $@ $< $(BENCH_FLOOR_LIBS)

$(BENCH)/http_floor: bench/http_floor.c
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -o $@ $< $(PKG_LIBS)

bench: all $(FAKE) $(BENCH_BINS)
	$(Q)python3 bench/bench.py $(BENCH_ARGS)

asan:
	$(MAKE) clean
	$(MAKE) SANITIZE=address,undefined check

valgrind-check: all $(FAKE) $(UNIT_BINS) $(FUZZ_REPLAY)
	$(Q)VALGRIND=1 ./test/run-all.sh $(UNIT_BINS) $(FUZZ_REPLAY)

install: gumloop-mcp
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(DOCDIR)/examples
	install -m 755 gumloop-mcp $(DESTDIR)$(BINDIR)/gumloop-mcp
	install -m 644 src/gumloop-mcp.1 $(DESTDIR)$(MANDIR)/gumloop-mcp.1
	cp -R examples/. $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 README.md LICENSE $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gumloop-mcp $(DESTDIR)$(MANDIR)/gumloop-mcp.1
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BUILD) gumloop-mcp $(FAKE)

-include $(DEPS)
