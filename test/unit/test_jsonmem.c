/*
 * The small-block stacks behind cJSON: a block handed out again is always
 * large enough for the request, blocks of every size come and go, and a
 * tree built and deleted through the hooks round-trips.
 */
#include <malloc.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "jsonmem.h"
#include "tap.h"

static void test_blocks_fit(void)
{
	void *p[300];
	size_t n, i;
	int fits = 1;

	for (n = 1; n <= 300; n++)	/* every request size, kept then reused */
		jsonmem_free(jsonmem_alloc(n));
	for (n = 1; n <= 300; n++) {
		for (i = 0; i < 300; i++) {
			p[i] = jsonmem_alloc(n + i % 7);
			fits &= malloc_usable_size(p[i]) >= n + i % 7;
			memset(p[i], 0xA5, n + i % 7);	/* valgrind/ASan check it */
		}
		for (i = 0; i < 300; i++)
			jsonmem_free(p[i]);
	}
	CHECK(fits, "every block handed out holds what was asked for");
	jsonmem_free(NULL);	/* a no-op, as free(NULL) */
}

static void test_cjson_through_hooks(void)
{
	const char *doc = "{\"a\":[1,\"two\",{\"k\":null}],\"long key name here\":"
			  "\"a value long enough for another size class\"}";
	int i, same = 1;

	jsonmem_init();
	for (i = 0; i < 1000; i++) {
		cJSON *v = cJSON_Parse(doc);
		char *text = cJSON_PrintUnformatted(v);

		same &= text && !strcmp(text, doc);
		cJSON_free(text);
		cJSON_Delete(v);
	}
	CHECK(same, "a thousand parse, print, delete rounds give the same text");
}

int main(void)
{
	test_blocks_fit();
	test_cjson_through_hooks();
	return tap_done();
}
