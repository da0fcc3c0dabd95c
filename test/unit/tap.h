/*
 * A minimal TAP helper for the C unit tests: CHECK(cond, name) prints
 * "ok N - name" or "not ok N - name"; tap_done() returns the exit status.
 */
#ifndef TAP_H
#define TAP_H
#include <stdio.h>

static int tap_count, tap_failed;

#define CHECK(cond, ...) do { \
	int tap_ok_ = (cond); \
	tap_count++; \
	if (tap_ok_) { \
		printf("ok %d - ", tap_count); \
	} else { \
		tap_failed++; \
		printf("not ok %d - ", tap_count); \
	} \
	printf(__VA_ARGS__); \
	printf("%s\n", tap_ok_ ? "" : " (" #cond ")"); \
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
#endif
