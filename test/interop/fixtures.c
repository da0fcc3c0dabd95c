/*
 * The fixture tools the MCP conformance suite calls by name
 * (test_simple_text, test_tool_with_progress, ...). Compiled only into
 * build/gumloop-mcp-conformance with -DCONFORMANCE_FIXTURES (make
 * conformance); never into the installed binary. Each returns the content
 * the suite's scenario describes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mcp.h"
#include "tool.h"
#include "util.h"
#include "wait.h"

#define FIXTURE_PAUSE_MS 50

/* A 1x1 PNG and a 1 ms WAV, base64. */
static const char png_base64[] =
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ"
	"/pLvAAAAAElFTkSuQmCC";
static const char wav_base64[] =
	"UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";

static cJSON *text_item(const char *text)
{
	cJSON *item = cJSON_CreateObject();

	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", text);
	return item;
}

static cJSON *media_item(const char *type, const char *data, const char *mime)
{
	cJSON *item = cJSON_CreateObject();

	cJSON_AddStringToObject(item, "type", type);
	cJSON_AddStringToObject(item, "data", data);
	cJSON_AddStringToObject(item, "mimeType", mime);
	return item;
}

static cJSON *resource_item(void)
{
	cJSON *item = cJSON_CreateObject(), *res;

	cJSON_AddStringToObject(item, "type", "resource");
	res = cJSON_AddObjectToObject(item, "resource");
	cJSON_AddStringToObject(res, "uri", "test://embedded-resource");
	cJSON_AddStringToObject(res, "mimeType", "text/plain");
	cJSON_AddStringToObject(res, "text", "This is an embedded resource content.");
	return item;
}

/* Replaces the call's content with the items given (NULL-terminated). */
static int reply(struct tool_call *call, cJSON *first, ...)
{
	va_list ap;
	cJSON *item;

	cJSON_Delete(call->content);
	call->content = cJSON_CreateArray();
	va_start(ap, first);
	for (item = first; item; item = va_arg(ap, cJSON *))
		cJSON_AddItemToArray(call->content, item);
	va_end(ap);
	return 0;
}

static int simple_text(struct tool_call *call)
{
	return reply(call, text_item("This is a simple text response for "
				     "testing."), NULL);
}

static int image_content(struct tool_call *call)
{
	return reply(call, media_item("image", png_base64, "image/png"), NULL);
}

static int audio_content(struct tool_call *call)
{
	return reply(call, media_item("audio", wav_base64, "audio/wav"), NULL);
}

static int embedded_resource(struct tool_call *call)
{
	return reply(call, resource_item(), NULL);
}

static int multiple_content_types(struct tool_call *call)
{
	return reply(call, text_item("Multiple content types test:"),
		     media_item("image", png_base64, "image/png"),
		     resource_item(), NULL);
}

static int with_logging(struct tool_call *call)
{
	static const char *const steps[] = {
		"Tool execution started", "Tool processing data",
		"Tool execution completed",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		if (call->hooks && call->hooks->log)
			call->hooks->log(call, MCP_LOG_INFO, steps[i]);
		tool_nap(call, FIXTURE_PAUSE_MS);
	}
	return reply(call, text_item("Tool with logging executed successfully"),
		     NULL);
}

/* Pauses after each step too: some clients drop a notification that
 * arrives just before the response. */
static int with_progress(struct tool_call *call)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (call->hooks && call->hooks->progress)
			call->hooks->progress(call, "working");
		tool_nap(call, FIXTURE_PAUSE_MS);
	}
	return reply(call, text_item("Progress test completed"), NULL);
}

static int error_handling(struct tool_call *call)
{
	return tool_error(call, "This tool intentionally returns an error for "
			  "testing");
}

static int schema_2020_12(struct tool_call *call)
{
	return reply(call, text_item("JSON Schema 2020-12 tool called"), NULL);
}

/* Read by the fixture resources test://static-text and -binary: a
 * download-shaped result, which resources/read turns into contents. */
static int resource_reply(struct tool_call *call, const char *uri,
			  const char *media, const char *member,
			  const char *data)
{
	cJSON *sc = cJSON_CreateObject(), *item = cJSON_CreateObject(), *res;

	cJSON_AddStringToObject(sc, "file_name", uri);
	cJSON_AddStringToObject(sc, "media_type", media);
	tool_ok(call, sc);
	cJSON_AddStringToObject(item, "type", "resource");
	res = cJSON_AddObjectToObject(item, "resource");
	cJSON_AddStringToObject(res, "uri", uri);
	cJSON_AddStringToObject(res, "mimeType", media);
	cJSON_AddStringToObject(res, member, data);
	return reply(call, item, NULL);
}

static int resource_static_text(struct tool_call *call)
{
	return resource_reply(call, "test://static-text", "text/plain", "text",
			      "This is the content of the static text "
			      "resource.");
}

static int resource_static_binary(struct tool_call *call)
{
	return resource_reply(call, "test://static-binary", "image/png", "blob",
			      png_base64);
}

static int resource_template_data(struct tool_call *call)
{
	const char *id = tool_arg_str(call, "id");
	cJSON *sc = cJSON_CreateObject();
	char *data = xasprintf("Data for ID: %s", id);

	cJSON_AddStringToObject(sc, "id", id);
	cJSON_AddTrueToObject(sc, "templateTest");
	cJSON_AddStringToObject(sc, "data", data);
	free(data);
	return tool_ok(call, sc);
}

/*
 * The tasks extension's fixtures (conformance 0.2.0-alpha, tasks-*
 * scenarios): greet answers at once; slow_compute, failing_job,
 * protocol_error_job, confirm_delete and multi_input are waits of the
 * loop, as the Gumloop jobs are, so the server runs them as tasks the
 * same way (T_TASK). Their "job" is local: its id holds when it started
 * and how long it takes, and each poll compares that with the clock.
 */
static int greet(struct tool_call *call)
{
	const char *name = tool_arg_str(call, "name");
	char *text = xasprintf("Hello, %s!", name ? name : "World");

	reply(call, text_item(text), NULL);
	free(text);
	return 0;
}

static cJSON *job_fetch(struct tool_call *call, const char *id)
{
	long long started = 0;
	double seconds = 0;
	const cJSON *base = call->wait ? call->wait->base : NULL;
	cJSON *obj = cJSON_CreateObject();
	const char *state = "working";

	sscanf(id, "%lld:%lf", &started, &seconds);
	if (cJSON_HasObjectItem(base, "ask"))	/* a form to fill first */
		state = cJSON_HasObjectItem(base, "answers") ? "done" : "asking";
	else if (now_ms() - started >= (long long)(seconds * 1000))
		state = "done";
	cJSON_AddStringToObject(obj, "state", state);
	return obj;
}

static const char *job_state(const cJSON *obj)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, "state");

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

static const char *const job_terminal[] = { "done", "asking", NULL };

/* failing_job: a tool error at the end, whatever happened. */
static int job_fail(struct tool_call *call, struct wait *w)
{
	(void)w;
	return tool_error(call, "failing_job failed, as it always does");
}

/* protocol_error_job: a JSON-RPC error (the task is failed). */
static int job_protocol_error(struct tool_call *call, struct wait *w)
{
	(void)w;
	call->protocol_error = 1;
	return tool_error(call, "protocol_error_job: an internal failure");
}

static cJSON *form(const char *message, const char *field, const char *type)
{
	cJSON *f = cJSON_CreateObject(), *schema, *props;

	cJSON_AddStringToObject(f, "message", message);
	schema = cJSON_AddObjectToObject(f, "requestedSchema");
	cJSON_AddStringToObject(schema, "type", "object");
	props = cJSON_AddObjectToObject(schema, "properties");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(props, field), "type",
				type);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(schema, "required"),
			     cJSON_CreateString(field));
	return f;
}

/* confirm_delete asks one form, multi_input two at once. */
static int job_ask(struct tool_call *call, struct wait *w)
{
	const cJSON *base = w->base;
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(base, "filename");
	cJSON *forms;
	char *msg;
	int rc;

	if (strcmp(job_state(w->last), "asking") || !call->hooks ||
	    !call->hooks->ask)
		return 0;
	forms = cJSON_CreateArray();
	if (cJSON_IsString(file)) {
		msg = xasprintf("Delete %s?", file->valuestring);
		cJSON_AddItemToArray(forms, form(msg, "confirm", "boolean"));
		free(msg);
	} else {
		cJSON_AddItemToArray(forms, form("Your name?", "name", "string"));
		cJSON_AddItemToArray(forms, form("Go on?", "confirm", "boolean"));
	}
	rc = call->hooks->ask(call, forms);
	cJSON_Delete(forms);
	return rc == 0;
}

static int job_answer(struct tool_call *call, struct wait *w,
		      const cJSON *answers)
{
	(void)call;
	cJSON_AddItemToObject(w->base, "answers", cJSON_Duplicate(answers, 1));
	return 1;
}

static const struct wait_kind compute_kind = {
	"fixture job", "job_id", job_fetch, job_state, job_terminal, NULL,
	NULL, NULL
};
static const struct wait_kind failing_kind = {
	"fixture job", "job_id", job_fetch, job_state, job_terminal, job_fail,
	NULL, NULL
};
static const struct wait_kind protocol_error_kind = {
	"fixture job", "job_id", job_fetch, job_state, job_terminal,
	job_protocol_error, NULL, NULL
};
static const struct wait_kind asking_kind = {
	"fixture job", "job_id", job_fetch, job_state, job_terminal, NULL,
	job_ask, job_answer
};

/* Begins a job of kind taking seconds; base (taken) is in its result. */
static int job_begin(struct tool_call *call, const struct wait_kind *kind,
		     double seconds, cJSON *base)
{
	char id[64];

	snprintf(id, sizeof(id), "%lld:%g", now_ms(), seconds);
	return wait_begin(call, kind, id, wait_limit_s(call, "wait_seconds",
			  (long)seconds + WAIT_DEFAULT_TIMEOUT_S), base);
}

static int slow_compute(struct tool_call *call)
{
	double seconds = tool_arg_num(call, "seconds", 0);
	const char *label = tool_arg_str(call, "label");
	cJSON *base = cJSON_CreateObject();

	cJSON_AddStringToObject(base, "label", label ? label : "");
	cJSON_AddNumberToObject(base, "seconds", seconds);
	if (seconds <= 0) {	/* the immediate path: no job at all */
		cJSON_AddStringToObject(base, "state", "done");
		return tool_ok(call, base);
	}
	return job_begin(call, &compute_kind, seconds, base);
}

static int failing_job(struct tool_call *call)
{
	return job_begin(call, &failing_kind, 1, NULL);
}

static int protocol_error_job(struct tool_call *call)
{
	return job_begin(call, &protocol_error_kind, 0.5, NULL);
}

static int confirm_delete(struct tool_call *call)
{
	cJSON *base = cJSON_CreateObject();
	const char *file = tool_arg_str(call, "filename");

	cJSON_AddStringToObject(base, "filename", file ? file : "");
	cJSON_AddTrueToObject(base, "ask");
	return job_begin(call, &asking_kind, 0, base);
}

static int multi_input(struct tool_call *call)
{
	cJSON *base = cJSON_CreateObject();

	cJSON_AddTrueToObject(base, "ask");
	return job_begin(call, &asking_kind, 0, base);
}

static const struct param greet_params[] = {
	{ "name", P_STRING, IN_LOCAL, 0, "who to greet", NULL },
	{ 0 }
};

static const struct param compute_params[] = {
	{ "seconds", P_NUMBER, IN_LOCAL, 0, "how long it takes (0: at once)",
	  NULL },
	{ "label", P_STRING, IN_LOCAL, 0, "a label, echoed", NULL },
	{ 0 }
};

static const struct param delete_params[] = {
	{ "filename", P_STRING, IN_LOCAL, 0, "the file to confirm", NULL },
	{ 0 }
};

static const struct param id_param[] = {
	{ "id", P_STRING, IN_LOCAL, REQUIRED, "the template's id", NULL },
	{ 0 }
};

static const struct param schema_params[] = {
	{ "name", P_STRING, IN_LOCAL, 0, "a name", NULL },
	{ "address", P_OBJECT, IN_LOCAL, 0, "an address",
	  "{\"$ref\":\"#/$defs/address\"}" },
	{ 0 }
};

#define FIXTURE(n, fn, what) \
	{ .name = n, .title = what, .description = what, \
	  .access = TOOL_READ, .tag = "conformance", .handler = fn }

/* A fixture that runs as a task: a wait of the loop (wait_seconds). */
#define TASK_FIXTURE(n, fn, p, what) \
	{ .name = n, .title = what, .description = what, \
	  .access = TOOL_READ, .tag = "conformance", .params = p, \
	  .flags = T_TASK | T_WAITABLE, .handler = fn }

const struct tool_def fixtures_tools[] = {
	FIXTURE("test_simple_text", simple_text, "Returns a text item"),
	FIXTURE("test_image_content", image_content, "Returns a PNG image"),
	FIXTURE("test_audio_content", audio_content, "Returns a WAV clip"),
	FIXTURE("test_embedded_resource", embedded_resource,
		"Returns an embedded text resource"),
	FIXTURE("test_multiple_content_types", multiple_content_types,
		"Returns text, an image and a resource"),
	FIXTURE("test_tool_with_logging", with_logging,
		"Sends three log messages"),
	FIXTURE("test_tool_with_progress", with_progress,
		"Sends three progress notifications"),
	FIXTURE("test_error_handling", error_handling,
		"Always returns a tool error"),
	FIXTURE("test_resource_static_text", resource_static_text,
		"Reads the fixture resource test://static-text"),
	FIXTURE("test_resource_static_binary", resource_static_binary,
		"Reads the fixture resource test://static-binary"),
	{ .name = "test_resource_template_data", .title = "Template data",
	  .description = "Reads test://template/{id}/data", .access = TOOL_READ,
	  .tag = "conformance", .params = id_param,
	  .handler = resource_template_data },
	{ .name = "json_schema_2020_12_tool",
	  .title = "Tool with JSON Schema 2020-12 features",
	  .description = "Tool with JSON Schema 2020-12 features",
	  .access = TOOL_READ, .tag = "conformance", .params = schema_params,
	  .schema_extra = "{\"$schema\":"
		"\"https://json-schema.org/draft/2020-12/schema\","
		"\"$defs\":{\"address\":{\"type\":\"object\",\"properties\":{"
		"\"street\":{\"type\":\"string\"},"
		"\"city\":{\"type\":\"string\"}}}}}",
	  .handler = schema_2020_12 },
	{ .name = "greet", .title = "Greets", .description = "Says hello",
	  .access = TOOL_READ, .tag = "conformance", .params = greet_params,
	  .handler = greet },
	TASK_FIXTURE("slow_compute", slow_compute, compute_params,
		     "Takes 'seconds' seconds, then answers (a task)"),
	TASK_FIXTURE("failing_job", failing_job, NULL,
		     "Ends with a tool error after a second (a task)"),
	TASK_FIXTURE("protocol_error_job", protocol_error_job, NULL,
		     "Ends with a JSON-RPC error (a task)"),
	TASK_FIXTURE("confirm_delete", confirm_delete, delete_params,
		     "Asks the user to confirm, then ends (a task)"),
	TASK_FIXTURE("multi_input", multi_input, NULL,
		     "Asks the user two questions at once (a task)"),
	{ 0 }
};
