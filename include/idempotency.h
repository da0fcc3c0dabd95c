#ifndef GUMLOOP_IDEMPOTENCY_H
#define GUMLOOP_IDEMPOTENCY_H
/*
 * Safe writes (shared/interface.md, "Idempotency"), for write and custom
 * tools only:
 *  - with idempotency_key: a repeat with the same key and the same
 *    arguments gets the first result again without calling Gumloop; the
 *    same key with other arguments is refused;
 *  - without one: an identical call within 10 s of one that happened, or
 *    may have (timeout, connection lost), is not sent again: the answer
 *    says why and shows the earlier result; force: true sends it anyway.
 * A call that got a definite HTTP error is not remembered, so a retry after
 * a 409 or a 429 goes out. "Identical" compares the tool and its arguments
 * (idempotency_key and force left out) with object keys sorted.
 *
 * What is kept is bounded in bytes: a result over 256 KiB (or an old one,
 * once 4 MiB are kept) is replayed as its short top-level fields, the ids
 * among them, with a note that the rest was too large to keep.
 *
 * Ownership: results kept here are copies owned by this module until
 * idempotency_release(); what idempotency_replay() returns is the caller's.
 */
#include <cjson/cJSON.h>
#include "tool.h"

#define IDEMPOTENCY_WINDOW_MS 10000

/*
 * Before the handler runs. Returns the answer to give instead of sending
 * (a new CallToolResult; call->is_error and call->refused describe it), or
 * NULL: send the call, unless call->is_error is now set (the key was used
 * for other arguments: the call is refused).
 */
cJSON *idempotency_replay(struct tool_call *call);
/* After the handler ran: remembers result (borrowed; a copy is kept) when
 * the write happened or may have. */
void idempotency_record(const struct tool_call *call, const cJSON *result);
/* Forgets everything (at exit). */
void idempotency_release(void);

#endif
