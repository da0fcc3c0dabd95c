/*
 * Parsing a response body, large ones without holding them twice.
 *
 * cJSON copies every string it reads, so a 10 MiB body parsed the plain
 * way peaks at the body plus a tree as large. Here the long string values
 * of a large body are decoded first, one at a time, each into its own
 * allocation, while the body is compacted behind them and the pages it no
 * longer needs go back to the system; cJSON then parses the small rest,
 * and the long strings are put back where they were.
 */
#ifndef GUMLOOP_JSONBODY_H
#define GUMLOOP_JSONBODY_H

#include <cjson/cJSON.h>
#include "util.h"

/* Bodies from this size on are parsed the lean way. */
#define JSON_BODY_LEAN_FROM ((size_t)1 << 20)
/* String values from this size on are decoded on their own. */
#define JSON_BODY_LONG_STRING ((size_t)64 << 10)

/*
 * The parsed body, or NULL when it is not JSON (cJSON's leniency, as
 * cJSON_ParseWithLength). A large valid body is rewritten in place:
 * body holds no useful text afterwards, and the caller still releases it.
 */
cJSON *json_parse_body(struct buf *body);

#endif
