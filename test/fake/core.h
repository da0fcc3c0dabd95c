/*
 * core.h: what fake.c, serve.c and control.c share; areas never need it.
 * Ownership follows fake.h: arguments are borrowed, returned pointers
 * belong to the caller unless said otherwise.
 */
#ifndef FAKE_CORE_H
#define FAKE_CORE_H

#include <stdatomic.h>
#include <stddef.h>

#include <microhttpd.h>

#include "fake.h"

#define FAKE_BODY_MAX ((size_t)64 << 20)	/* request bodies */
#define FAKE_RECORD_TEXT_MAX ((size_t)1 << 20)	/* body_text in records */
#define FAKE_CONTROL_PREFIX "/_fake/"

/* fake.c */
extern const struct fake_area *const fake_areas[];	/* NULL-terminated */
extern atomic_int fake_stopping;	/* set once shutdown begins */

enum fake_key_kind {
	FAKE_KEY_NONE = 0,	/* not accepted */
	FAKE_KEY_PLAIN,		/* a --key value */
	FAKE_KEY_PERSONAL,	/* a --personal-key value */
};

/* What kind of key key is (compared in constant time per key). */
enum fake_key_kind fake_key_kind(const char *key);

/* serve.c: the MHD callbacks */
enum MHD_Result serve_request(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **con_cls);
void serve_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		     enum MHD_RequestTerminationCode toe);
size_t serve_unescape(void *cls, struct MHD_Connection *conn, char *s);

/* control.c */
struct fake_fault {
	char *path;		/* prefix of the raw path, or NULL for any */
	char *method;		/* or NULL for any */
	int status;
	cJSON *headers;		/* object: name -> string */
	char *body;
	size_t body_len;
	char *content_type;
	long delay_ms;
	long trickle_ms;
	int cut;
	int drop;		/* close the connection, no answer at all */
	int times;		/* < 0: forever */
	int pass_through;
};

/* Answers one /_fake/ request; the state lock must be held. */
void control_handle(struct fake_req *req, struct fake_resp *resp);

/* Appends req to the recorded requests; the state lock must be held. */
void control_record(const struct fake_req *req);

/*
 * The first queued fault matching method and raw path, counted as used,
 * or NULL.  The copy belongs to the caller (control_fault_free).  The
 * state lock must be held.
 */
struct fake_fault *control_take_fault(const char *method, const char *path);
void control_fault_free(struct fake_fault *f);

/* Forgets records, faults and area state and reseeds; lock held. */
void control_reset(void);

/* Frees everything control.c holds (at exit); lock held. */
void control_release(void);

/* util.c */

/* Sleeps ms milliseconds in short naps, stopping early at shutdown. */
void fake_nap(long ms);

/* Frees the contents of resp and zeroes it. */
void fake_resp_release(struct fake_resp *resp);

#endif
