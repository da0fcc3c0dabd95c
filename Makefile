# gumloop-mcp: a stdio MCP server for the Gumloop API.
#   make            build ./gumloop-mcp
#   make check      build and run every test (installs missing Debian packages)
#   make demo       run a scripted session against the fake Gumloop
#   make bench      benchmarks against the floor and a Node peer (bench/)
#   make readme     regenerate the generated blocks of README.md and docs/tools.md
#   make interop    the official MCP SDK, Inspector and conformance suite
#                   against the server (installs them from npm into .tools/)
#   make mcpb       build/gumloop-mcp.mcpb, a Claude Desktop extension for
#                   the platform it is built on
#   make deb        build/gumloop-mcp_VERSION_ARCH.deb (Debian, Ubuntu)
#   make dist       build/gumloop-mcp-VERSION.tar.gz, the source release
#   make SANITIZE=address,undefined check
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (clang)
#   make install PREFIX=/usr/local DESTDIR=
#   make musl-check every source compiles against musl's headers
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

UNAME_S := $(shell uname -s 2>/dev/null)

# Libraries: pkg-config where the library ships a .pc file (cJSON, libcurl,
# zlib, libmicrohttpd; mbedTLS from 3.6), plain -l flags where it has none.
# $(call pc,NAME,FALLBACK) and $(call pc_cflags,NAME...).
pc = $(shell pkg-config --libs $(1) 2>/dev/null || echo $(2))
pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)

CJSON_LIBS := $(call pc,libcjson,-lcjson)
MBED_LIBS := $(call pc,mbedcrypto,-lmbedcrypto)
ZLIB_LIBS := $(call pc,zlib,-lz)
CURL_LIBS := $(call pc,libcurl,-lcurl)
MHD_LIBS := $(call pc,libmicrohttpd,-lmicrohttpd)
LIB_CFLAGS := $(call pc_cflags,libcjson) $(call pc_cflags,mbedcrypto) \
	$(call pc_cflags,libcurl) $(call pc_cflags,zlib)

# Homebrew's prefix is not on the compiler's path (/opt/homebrew on Apple
# silicon): its headers and libraries, for those without a .pc file.
ifeq ($(UNAME_S),Darwin)
BREW_PREFIX := $(shell brew --prefix 2>/dev/null)
ifneq ($(BREW_PREFIX),)
LIB_CFLAGS += -I$(BREW_PREFIX)/include
LDFLAGS += -L$(BREW_PREFIX)/lib
endif
endif

# dlopen is in libc everywhere but in glibc before 2.34.
ifeq ($(UNAME_S),Linux)
DL_LIBS = -ldl
endif

# compat.h comes first in every file: the platform's feature macros.
ALL_CFLAGS = -std=c11 -include src/compat.h -Iinclude $(LIB_CFLAGS) \
	$(WARN) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS)
LIBS = $(CJSON_LIBS) $(MBED_LIBS) $(ZLIB_LIBS) -lm $(DL_LIBS)

# libcurl is loaded on the first request (src/http.c); LINK_CURL=1 links
# it instead, kept even though no symbol of it is named at link time.
ifdef LINK_CURL
ALL_CFLAGS += -DLINK_CURL
ifneq ($(UNAME_S),Darwin)
LIBS += -Wl,--no-as-needed
endif
LIBS += $(CURL_LIBS)
endif

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

# The targets that run tests first make sure what the tests need is there:
# on Debian or Ubuntu as root they install it, elsewhere they say what to
# install (test/ensure-deps.sh). Then make runs again, so that pkg-config
# sees what was just installed.
TEST_GOALS = check demo valgrind-check interop fuzz bench

.PHONY: all check unit cases integration demo readme deps install uninstall \
	clean asan valgrind-check bench fuzz FORCE conformance interop mcpb \
	deb dist musl-check $(TEST_GOALS:%=run-%)

# make only builds: it needs the three libraries and never calls a package
# manager.
all: gumloop-mcp

deps:
	$(Q)./test/ensure-deps.sh

$(TEST_GOALS): deps
	$(Q)$(MAKE) --no-print-directory run-$@

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

run-interop: all $(FAKE) $(CONFORMANCE)
	$(Q)./test/interop/run.sh

$(BUILD)/test/fake/%.o: test/fake/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) $(call pc_cflags,libmicrohttpd) -c -o $@ $<

$(FAKE): $(FAKE_OBJS)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(FAKE_OBJS) $(MHD_LIBS) \
		$(CJSON_LIBS) -lpthread -lm

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
run-fuzz: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_BUILD)/corpus-$$t && \
		d=test/fuzz/$$t.dict && { [ -f $$d ] || d=test/fuzz/json.dict; } && \
		$(FUZZ_BUILD)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
			-dict=$$d -max_len=$(FUZZ_MAX_LEN) \
			-print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crash-$$t- \
			$(FUZZ_BUILD)/corpus-$$t test/fuzz/corpus-$$t || exit 1; \
	done

run-check: all $(FAKE) $(UNIT_BINS) $(FUZZ_REPLAY)
	$(Q)./test/run-all.sh $(UNIT_BINS) $(FUZZ_REPLAY)

musl-check:
	$(Q)./test/musl-check.sh

readme: gumloop-mcp
	$(Q)python3 test/lib/readme.py

run-demo: all $(FAKE)
	$(Q)python3 test/demo.py

# The floor programs link the libraries the server was built against
# (--no-as-needed: loaded even though the floor calls none of them).
BENCH = $(BUILD)/bench
BENCH_FLOOR_LIBS = -Wl,--no-as-needed $(CURL_LIBS) $(CJSON_LIBS) $(MBED_LIBS) -lm
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
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -o $@ $< $(CURL_LIBS) $(CJSON_LIBS)

run-bench: all $(FAKE) $(BENCH_BINS)
	$(Q)python3 bench/bench.py $(BENCH_ARGS)

asan:
	$(MAKE) clean
	$(MAKE) SANITIZE=address,undefined check

run-valgrind-check: all $(FAKE) $(UNIT_BINS) $(FUZZ_REPLAY)
	$(Q)VALGRIND=1 ./test/run-all.sh $(UNIT_BINS) $(FUZZ_REPLAY)

install: gumloop-mcp
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(DOCDIR)/examples
	install -m 755 gumloop-mcp $(DESTDIR)$(BINDIR)/gumloop-mcp
	install -m 644 src/gumloop-mcp.1 $(DESTDIR)$(MANDIR)/gumloop-mcp.1
	cp -R examples/. $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 README.md LICENSE $(DESTDIR)$(DOCDIR)/

# The source release: every file git knows, under gumloop-mcp-VERSION/,
# and the Homebrew formula that builds from it (build/gumloop-mcp.rb).
VERSION = $(shell sed -n 's/^\#define GUMLOOP_MCP_VERSION "\(.*\)"$$/\1/p' \
	include/version.h)
DIST = gumloop-mcp-$(VERSION)
DIST_URL ?= file://$(CURDIR)/$(BUILD)/$(DIST).tar.gz
DIST_HOMEPAGE ?= https://www.gumloop.com

dist:
	$(Q)rm -rf $(BUILD)/dist && mkdir -p $(BUILD)/dist/$(DIST)
	$(Q)git ls-files | tar -cf - -T - | tar -xf - -C $(BUILD)/dist/$(DIST)
	$(Q)tar -C $(BUILD)/dist -cf - $(DIST) | gzip -9n >$(BUILD)/$(DIST).tar.gz
	$(Q)sha=$$(sha256sum $(BUILD)/$(DIST).tar.gz 2>/dev/null || \
		shasum -a 256 $(BUILD)/$(DIST).tar.gz) && \
	sed -e 's|@URL@|$(DIST_URL)|' -e 's|@HOMEPAGE@|$(DIST_HOMEPAGE)|' \
		-e "s|@SHA256@|$${sha%% *}|" packaging/homebrew/gumloop-mcp.rb \
		>$(BUILD)/gumloop-mcp.rb
	$(Q)rm -rf $(BUILD)/dist
	@echo "dist: $(BUILD)/$(DIST).tar.gz, formula $(BUILD)/gumloop-mcp.rb"

# The package's files are make install's, under PREFIX=/usr.
deb: gumloop-mcp
	$(Q)rm -rf $(BUILD)/deb
	$(Q)$(MAKE) --no-print-directory install PREFIX=/usr \
		DESTDIR=$(CURDIR)/$(BUILD)/deb/debian/gumloop-mcp >/dev/null
	$(Q)./packaging/deb.sh $(BUILD)/deb $(BUILD)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gumloop-mcp $(DESTDIR)$(MANDIR)/gumloop-mcp.1
	rm -rf $(DESTDIR)$(DOCDIR)

# Not while .ci/trixie.sh has this machine's /dev bound under build/.
clean:
	@! grep -qs ' $(CURDIR)/$(BUILD)/' /proc/self/mounts || \
		{ echo "clean: something is mounted under $(BUILD)/; not removing it" >&2; exit 1; }
	rm -rf $(BUILD) gumloop-mcp $(FAKE)

-include $(DEPS)
