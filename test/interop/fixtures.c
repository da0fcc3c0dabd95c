/*
 * The fixture tools the MCP conformance suite calls by name
 * (test_simple_text, test_tool_with_progress, ...). Compiled only into
 * build/gumloop-mcp-conformance with -DCONFORMANCE_FIXTURES (make
 * conformance); never into the installed binary. Each returns the content
 * the suite's scenario describes.
 */
#include <stdarg.h>
#include <stdlib.h>
#include "mcp.h"
#include "tool.h"
#include "util.h"

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
	{ 0 }
};
