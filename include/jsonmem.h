/*
 * cJSON's memory: every node, key and short string of every message is
 * its own small block, a few hundred per tool call, all freed together
 * when the message is done. glibc's per-thread cache holds only seven
 * blocks of a size, so most of them took its slow paths (a fifth of a
 * call's own work in bench/'s profile). Freed small blocks are kept here
 * instead, a bounded stack per size, and handed out again first.
 */
#ifndef GUMLOOP_JSONMEM_H
#define GUMLOOP_JSONMEM_H

#include <stddef.h>

/* Installs the allocator as cJSON's hooks; call once, before any cJSON. */
void jsonmem_init(void);
void *jsonmem_alloc(size_t n);
void jsonmem_free(void *p);

#endif
