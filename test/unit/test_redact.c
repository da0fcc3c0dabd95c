/*
 * Redaction: registered secrets are replaced wherever they occur, short
 * strings are never registered, and the logs lose the query of signed URLs
 * (S3, GCS, CloudFront, Azure SAS) but keep ordinary ones.
 */
#include <stdlib.h>
#include <string.h>
#include "crypto.h"
#include "log.h"
#include "tap.h"

static void check_redacted(const char *in, const char *want)
{
	char *got = redact_string(in);

	CHECK(!strcmp(got, want), "'%s' -> '%s'", in, got);
	free(got);
}

static void check_url(const char *in, const char *want)
{
	char *got = redact_signed_urls(in);

	CHECK(!strcmp(got, want), "'%s' -> '%s'", in, got);
	free(got);
}

int main(void)
{
	redact_register("sk_live_123456");
	redact_register("tok");		/* too short to be a key */
	redact_register("sk_live_123456");	/* once is enough */
	check_redacted("no secret here", "no secret here");
	check_redacted("Bearer sk_live_123456 and sk_live_123456!",
		       "Bearer [redacted] and [redacted]!");
	check_redacted("sk_live_123456sk_live_123456", "[redacted][redacted]");
	check_redacted("a token tok", "a token tok");
	CHECK(redact_contains("x sk_live_123456", 16), "contains: found");
	CHECK(!redact_contains("sk_live_12345", 13), "contains: a prefix is not it");

	check_url("GET https://api.gumloop.com/api/v1/get_pl_run?run_id=r1",
		  "GET https://api.gumloop.com/api/v1/get_pl_run?run_id=r1");
	check_url("GET https://s3.amazonaws.com/b/k?X-Amz-Algorithm=A&"
		  "X-Amz-Signature=abc123 done",
		  "GET https://s3.amazonaws.com/b/k?[redacted] done");
	check_url("\"url\":\"https://storage.googleapis.com/b/o?"
		  "X-Goog-Signature=f00\"}",
		  "\"url\":\"https://storage.googleapis.com/b/o?[redacted]\"}");
	check_url("https://a.blob.core.windows.net/c/f?sv=2020&sig=xyz",
		  "https://a.blob.core.windows.net/c/f?[redacted]");
	check_url("https://d1.cloudfront.net/f?Expires=1&Key-Pair-Id=K&Policy=P",
		  "https://d1.cloudfront.net/f?[redacted]");
	check_url("two: http://h/a?token=1 http://h/b?page=2",
		  "two: http://h/a?[redacted] http://h/b?page=2");
	check_url("no url at all", "no url at all");

	redact_wipe();
	check_redacted("sk_live_123456", "sk_live_123456");
	CHECK(crypto_equal("abc", 3, "abc", 3) && !crypto_equal("abc", 3, "abd", 3)
	      && !crypto_equal("abc", 3, "abcd", 4), "crypto_equal");
	return tap_done();
}
