/*
 * Small-block stacks in front of malloc for cJSON (see jsonmem.h). A
 * block is filed by the size malloc_usable_size reports, so any block
 * (cJSON's, or one of ours that cJSON frees) can come back for any
 * request it is large enough for.
 */
#include <malloc.h>
#include <stdlib.h>
#include <cjson/cJSON.h>
#include "jsonmem.h"
#include "util.h"

#define SMALLEST 24	/* usable bytes of glibc's smallest block (x86-64) */
#define STEP 16
#define CLASSES 8	/* usable 24, 40, ..., 136 */
#define KEEP 512	/* blocks kept per class: at most 320 KiB in all */

static void *kept[CLASSES][KEEP];
static unsigned nkept[CLASSES];

/* The class whose blocks can hold n bytes, or -1 when none is small. */
static int class_for_request(size_t n)
{
	size_t c = n <= SMALLEST ? 0 : (n - SMALLEST + STEP - 1) / STEP;

	return c < CLASSES ? (int)c : -1;
}

/* The class a block of this usable size is filed under, or -1. */
static int class_of_block(size_t usable)
{
	size_t c;

	if (usable < SMALLEST)
		return -1;
	c = (usable - SMALLEST) / STEP;	/* rounds down: it holds that much */
	return c < CLASSES ? (int)c : -1;
}

void *jsonmem_alloc(size_t n)
{
	int c = class_for_request(n);

	if (c >= 0 && nkept[c])
		return kept[c][--nkept[c]];
	return xmalloc(n);
}

void jsonmem_free(void *p)
{
	int c;

	if (!p)
		return;
	c = class_of_block(malloc_usable_size(p));
	if (c >= 0 && nkept[c] < KEEP) {
		kept[c][nkept[c]++] = p;
		return;
	}
	free(p);
}

void jsonmem_init(void)
{
	cJSON_Hooks hooks = { jsonmem_alloc, jsonmem_free };

	cJSON_InitHooks(&hooks);
}
