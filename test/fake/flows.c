/*
 * flows.c: the legacy flow endpoints (gumloop-api.md 2.1): saved items,
 * workbooks, input schemas and runs.  A run's state is computed from the
 * clock at each read: QUEUED for queue_ms, RUNNING until run_ms after it
 * was created, then DONE (or FAILED for "Broken Import"); a kill makes it
 * TERMINATING, then TERMINATED KILL_MS later.
 *
 * "Lead Intake Webhook" has a Webhook Input node and no named inputs: it
 * keeps the raw body its run was started with (Gumloop forwards the whole
 * start_pipeline body to that node) and shows it as the output
 * webhook_body.
 *
 * Knobs (POST /_fake/config): run_ms, queue_ms (for runs started after),
 * max_runs (start_pipeline answers 429 while that many runs are not
 * finished; 0, the default, means no limit) and extra_flows (that many
 * more flows without inputs, "flow_extra_001"..., for paging tests), and
 * gained_input (a string: Competitor Pricing Scraper gains an input of
 * that name, as a flow edited in Gumloop's editor would).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define KILL_MS 100
#define MAP_MAX 10
#define URL_BASE "https://www.gumloop.com/pipeline"

enum run_state {
	QUEUED,
	RUNNING,
	DONE,
	FAILED,
	TERMINATING,
	TERMINATED,
};

static const char *const state_names[] = {
	"QUEUED", "RUNNING", "DONE", "FAILED", "TERMINATING", "TERMINATED",
};

struct run;

struct flow_input {
	const char *name;
	const char *data_type;
	const char *description;
};

struct flow {
	const char *id;
	const char *name;
	const char *description;
	const char *created_ts;
	const struct flow_input *inputs;	/* ends with a zeroed entry */
	void (*outputs)(const struct run *run, cJSON *out);
	int fails;
	int webhook;		/* takes the whole body (Webhook Input) */
};

struct workbook {
	const char *id;
	const char *name;
	const char *description;
	const char *created_ts;
};

struct run {
	char *id;
	const struct flow *flow;
	char *user_id;		/* or NULL when started with project_id */
	cJSON *inputs;		/* object: input name -> value */
	char *raw_body;		/* the start_pipeline body as received */
	long long created_ms;
	long long kill_ms;	/* 0 unless killed */
	long queue_ms;
	long run_ms;
};

static long run_ms = 300;
static long queue_ms = 50;
static long max_runs;		/* active runs allowed; 0 = no limit */
static struct run *runs;	/* in creation order */
static size_t nruns;

static const struct workbook growth = {
	"wb_growth", "Growth Automations",
	"Flows the growth team runs", "2025-01-06T09:00:00Z",
};

static void pricing_outputs(const struct run *run, cJSON *out);
static void report_outputs(const struct run *run, cJSON *out);
static void webhook_outputs(const struct run *run, cJSON *out);

static const struct flow_input pricing_inputs[] = {
	{ "target_url", "string", "Page to scrape for prices" },
	{ 0 }
};

static const struct flow_input report_inputs[] = {
	{ "date_range", "string", "Period to report on, e.g. 2025-W02" },
	{ "target_email", "string", "Where to send the report" },
	{ 0 }
};

static const struct flow_input import_inputs[] = {
	{ "source_file", "file", "File to import" },
	{ 0 }
};

static const struct flow_input webhook_inputs[] = { { 0 } };

static const struct flow flows[] = {
	{ "flow_competitor_pricing", "Competitor Pricing Scraper",
	  "Scrapes a competitor page and extracts its prices",
	  "2025-01-06T09:15:00Z", pricing_inputs, pricing_outputs, 0, 0 },
	{ "flow_weekly_reporting", "Weekly Reporting",
	  "Builds the weekly growth report and emails it",
	  "2025-01-07T10:30:00Z", report_inputs, report_outputs, 0, 0 },
	{ "flow_broken_import", "Broken Import",
	  "Imports a source file (every run fails)",
	  "2025-01-08T14:45:00Z", import_inputs, NULL, 1, 0 },
	{ "flow_lead_webhook", "Lead Intake Webhook",
	  "Takes a lead as the whole request body (Webhook Input node)",
	  "2025-01-09T11:00:00Z", webhook_inputs, webhook_outputs, 0, 1 },
	{ 0 }
};

#define MAX_EXTRA_FLOWS 500

static const struct flow_input no_inputs[] = { { 0 } };
static struct flow extra[MAX_EXTRA_FLOWS];
static char extra_text[MAX_EXTRA_FLOWS][2][32];	/* id, name */
static long extra_flows;
static char gained_input[64];

static void make_extra_flows(void)
{
	long i;

	for (i = 0; i < extra_flows; i++) {
		snprintf(extra_text[i][0], sizeof(extra_text[i][0]),
			 "flow_extra_%03ld", i + 1);
		snprintf(extra_text[i][1], sizeof(extra_text[i][1]),
			 "Extra Flow %03ld", i + 1);
		extra[i] = (struct flow){ extra_text[i][0], extra_text[i][1],
					  "Generated for paging tests",
					  "2025-01-09T08:00:00Z", no_inputs,
					  NULL, 0, 0 };
	}
}

/* The input's value as text ("" if absent); caller frees. */
static char *input_text(const struct run *run, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(run->inputs, name);

	if (cJSON_IsString(v))
		return fake_xstrdup(v->valuestring);
	if (!v)
		return fake_xstrdup("");
	return cJSON_PrintUnformatted(v);
}

static void pricing_outputs(const struct run *run, cJSON *out)
{
	char *url = input_text(run, "target_url");
	size_t n = strlen(url) + 32;
	char *text = fake_xmalloc(n);

	snprintf(text, n, "3 prices found at %s", url);
	cJSON_AddStringToObject(out, "prices", text);
	free(text);
	free(url);
}

static void report_outputs(const struct run *run, cJSON *out)
{
	char *range = input_text(run, "date_range");
	char *email = input_text(run, "target_email");
	size_t n = strlen(range) + strlen(email) + 32;
	char *text = fake_xmalloc(n);

	snprintf(text, n, "report for %s sent to %s", range, email);
	cJSON_AddStringToObject(out, "report", text);
	free(text);
	free(range);
	free(email);
}

static void webhook_outputs(const struct run *run, cJSON *out)
{
	cJSON_AddStringToObject(out, "webhook_body",
				run->raw_body ? run->raw_body : "");
}

static const struct flow *find_flow(const char *id)
{
	const struct flow *f;

	long i;

	for (f = flows; id && f->id; f++)
		if (!strcmp(f->id, id))
			return f;
	for (i = 0; id && i < extra_flows; i++)
		if (!strcmp(extra[i].id, id))
			return &extra[i];
	return NULL;
}

static struct run *find_run(const char *id)
{
	size_t i;

	for (i = 0; id && i < nruns; i++)
		if (!strcmp(runs[i].id, id))
			return &runs[i];
	return NULL;
}

/* The state at now if never killed; sets *finished when terminal. */
static enum run_state natural_state(const struct run *r, long long now,
				    long long *finished)
{
	if (now < r->created_ms + r->queue_ms)
		return QUEUED;
	if (now < r->created_ms + r->run_ms)
		return RUNNING;
	*finished = r->created_ms + r->run_ms;
	return r->flow->fails ? FAILED : DONE;
}

/* The state at now; *finished gets the end time or 0. */
static enum run_state run_state(const struct run *r, long long now,
				long long *finished)
{
	*finished = 0;
	if (!r->kill_ms)
		return natural_state(r, now, finished);
	if (now < r->kill_ms + KILL_MS)
		return TERMINATING;
	*finished = r->kill_ms + KILL_MS;
	return TERMINATED;
}

__attribute__((format(printf, 2, 3)))
static void add_line(cJSON *log, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	cJSON_AddItemToArray(log, cJSON_CreateString(line));
}

/* Log lines for the stages a run went through up to state s. */
static void log_stages(const struct run *r, enum run_state s, cJSON *log)
{
	char *file;

	add_line(log, "Queued run of %s", r->flow->name);
	if (s == QUEUED)
		return;
	add_line(log, "Started run %s", r->id);
	add_line(log, "Running node: Input");
	if (s == DONE) {
		add_line(log, "Running node: Output");
		add_line(log, "Finished: DONE");
	} else if (s == FAILED) {
		file = input_text(r, "source_file");
		add_line(log, "Error: could not parse source_file '%s'", file);
		add_line(log, "Finished: FAILED");
		free(file);
	}
}

static cJSON *run_log(const struct run *r, enum run_state s)
{
	cJSON *log = cJSON_CreateArray();
	long long ignored;

	if (s != TERMINATING && s != TERMINATED) {
		log_stages(r, s, log);
		return log;
	}
	log_stages(r, natural_state(r, r->kill_ms, &ignored), log);
	add_line(log, "Termination requested");
	if (s == TERMINATED)
		add_line(log, "Run terminated");
	return log;
}

static void add_time(cJSON *obj, const char *name, long long ms)
{
	char *iso;

	if (!ms) {
		cJSON_AddNullToObject(obj, name);
		return;
	}
	iso = fake_iso_time(ms);
	cJSON_AddStringToObject(obj, name, iso);
	free(iso);
}

/* The common fields of a run: run_id, state, times, outputs. */
static cJSON *run_summary(const struct run *r, enum run_state *state)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON *outputs;
	long long finished;
	enum run_state s = run_state(r, fake_now_ms(), &finished);

	cJSON_AddStringToObject(obj, "run_id", r->id);
	cJSON_AddStringToObject(obj, "state", state_names[s]);
	add_time(obj, "created_ts", r->created_ms);
	add_time(obj, "finished_ts", finished);
	outputs = cJSON_AddObjectToObject(obj, "outputs");
	if (s == DONE && r->flow->outputs)
		r->flow->outputs(r, outputs);
	if (state)
		*state = s;
	return obj;
}

static cJSON *saved_item(const struct flow *f)
{
	cJSON *obj = cJSON_CreateObject();

	cJSON_AddStringToObject(obj, "saved_item_id", f->id);
	cJSON_AddStringToObject(obj, "name", f->name);
	cJSON_AddStringToObject(obj, "description", f->description);
	cJSON_AddStringToObject(obj, "created_ts", f->created_ts);
	cJSON_AddStringToObject(obj, "workbook_id", growth.id);
	return obj;
}

static cJSON *saved_items(void)
{
	cJSON *list = cJSON_CreateArray();
	const struct flow *f;

	long i;

	for (f = flows; f->id; f++)
		cJSON_AddItemToArray(list, saved_item(f));
	for (i = 0; i < extra_flows; i++)
		cJSON_AddItemToArray(list, saved_item(&extra[i]));
	return list;
}

static void list_saved_items(struct fake_req *req, struct fake_resp *resp)
{
	cJSON *root = cJSON_CreateObject();

	(void)req;
	cJSON_AddItemToObject(root, "saved_items", saved_items());
	fake_json(resp, 200, root);
}

static void list_workbooks(struct fake_req *req, struct fake_resp *resp)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "workbooks");
	cJSON *wb = cJSON_CreateObject();

	(void)req;
	cJSON_AddItemToArray(list, wb);
	cJSON_AddStringToObject(wb, "workbook_id", growth.id);
	cJSON_AddStringToObject(wb, "name", growth.name);
	cJSON_AddStringToObject(wb, "description", growth.description);
	cJSON_AddStringToObject(wb, "created_ts", growth.created_ts);
	cJSON_AddItemToObject(wb, "saved_items", saved_items());
	fake_json(resp, 200, root);
}

/* The flow named by saved_item_id, or NULL after answering 400/404. */
static const struct flow *flow_or_error(struct fake_req *req,
					struct fake_resp *resp)
{
	const char *id = fake_arg(req, "saved_item_id");
	const struct flow *f = find_flow(id);

	if (!id || !*id)
		fake_error_legacy(resp, 400, "saved_item_id is required");
	else if (!f)
		fake_error_legacy(resp, 404, "Saved item not found");
	return f;
}

static void get_inputs(struct fake_req *req, struct fake_resp *resp)
{
	const struct flow *f = flow_or_error(req, resp);
	const struct flow_input *in;
	cJSON *root, *list;

	if (!f)
		return;
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "inputs");
	for (in = f->inputs; in->name; in++) {
		cJSON *obj = cJSON_CreateObject();

		cJSON_AddItemToArray(list, obj);
		cJSON_AddStringToObject(obj, "name", in->name);
		cJSON_AddStringToObject(obj, "data_type", in->data_type);
		cJSON_AddStringToObject(obj, "description", in->description);
	}
	if (*gained_input && f->inputs == pricing_inputs) {
		cJSON *obj = cJSON_CreateObject();

		cJSON_AddItemToArray(list, obj);
		cJSON_AddStringToObject(obj, "name", gained_input);
		cJSON_AddStringToObject(obj, "data_type", "string");
		cJSON_AddNullToObject(obj, "description");
	}
	fake_json(resp, 200, root);
}

static int is_reserved(const char *name)
{
	static const char *const reserved[] = {
		"api_key", "saved_item_id", "user_id", "project_id",
		"openai_token", "action_id", "reuse_action", "trigger_id",
		"pipeline_inputs", NULL,
	};
	const char *const *r;

	for (r = reserved; *r; r++)
		if (!strcmp(*r, name))
			return 1;
	return 0;
}

static void set_input(cJSON *inputs, const char *name, cJSON *take)
{
	cJSON_DeleteItemFromObjectCaseSensitive(inputs, name);
	cJSON_AddItemToObject(inputs, name, take);
}

/* pipeline_inputs as [{input_name, value}]; -1 if malformed. */
static int inputs_from_list(const cJSON *list, cJSON *inputs)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, list) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(
			it, "input_name");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(
			it, "value");

		if (!cJSON_IsString(name) || !value)
			return -1;
		set_input(inputs, name->valuestring,
			  cJSON_Duplicate(value, 1));
	}
	return 0;
}

/* pipeline_inputs as a URL-encoded query string "a=1&b=2". */
static void inputs_from_query(const char *s, cJSON *inputs)
{
	while (*s) {
		size_t len = strcspn(s, "&");
		const char *eq = memchr(s, '=', len);
		size_t klen = eq ? (size_t)(eq - s) : len;
		char *name = fake_url_decode(s, klen, 1, NULL);
		char *value = eq ? fake_url_decode(eq + 1, len - klen - 1, 1,
						   NULL) : fake_xstrdup("");

		if (*name)
			set_input(inputs, name, cJSON_CreateString(value));
		free(name);
		free(value);
		s += len + (s[len] == '&');
	}
}

/* The run's inputs from the body and query; NULL if malformed. */
static cJSON *collect_inputs(const struct fake_req *req)
{
	cJSON *inputs = cJSON_CreateObject();
	const cJSON *body = cJSON_IsObject(req->json) ? req->json : NULL;
	const cJSON *it, *pi;
	const char *q = fake_query(req, "pipeline_inputs");

	if (q)
		inputs_from_query(q, inputs);
	cJSON_ArrayForEach(it, body)
		if (!is_reserved(it->string))
			set_input(inputs, it->string, cJSON_Duplicate(it, 1));
	pi = cJSON_GetObjectItemCaseSensitive(body, "pipeline_inputs");
	if (cJSON_IsString(pi))
		inputs_from_query(pi->valuestring, inputs);
	else if (pi && !cJSON_IsNull(pi) &&
		 (!cJSON_IsArray(pi) || inputs_from_list(pi, inputs))) {
		cJSON_Delete(inputs);
		return NULL;
	}
	return inputs;
}

static struct run *add_run(const struct flow *f, const char *user_id,
			   cJSON *inputs)
{
	struct run *r;

	runs = fake_xrealloc(runs, (nruns + 1) * sizeof(*runs));
	r = &runs[nruns++];
	memset(r, 0, sizeof(*r));
	r->id = fake_new_id("run");
	r->flow = f;
	r->user_id = user_id ? fake_xstrdup(user_id) : NULL;
	r->inputs = inputs;
	r->created_ms = fake_now_ms();
	r->queue_ms = queue_ms;
	r->run_ms = run_ms;
	return r;
}

/* Runs not yet in a terminal state. */
static long active_runs(void)
{
	long long now = fake_now_ms(), finished;
	long n = 0;
	size_t i;

	for (i = 0; i < nruns; i++) {
		enum run_state s = run_state(&runs[i], now, &finished);

		n += s == QUEUED || s == RUNNING || s == TERMINATING;
	}
	return n;
}

static void start_pipeline(struct fake_req *req, struct fake_resp *resp)
{
	const struct flow *f = flow_or_error(req, resp);
	cJSON *inputs, *root;
	struct run *r;
	char url[512];

	if (!f)
		return;
	if (max_runs && active_runs() >= max_runs) {
		fake_error_legacy(resp, 429, "Concurrent run limit reached");
		return;
	}
	inputs = collect_inputs(req);
	if (!inputs) {
		fake_error_legacy(resp, 400, "pipeline_inputs must be a list "
				  "of {input_name, value} objects");
		return;
	}
	r = add_run(f, req->user_id, inputs);
	if (f->webhook && req->body)
		r->raw_body = strndup(req->body, req->body_len);
	snprintf(url, sizeof(url), "%s?run_id=%s&flow_id=%s", URL_BASE,
		 r->id, f->id);
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "run_id", r->id);
	cJSON_AddStringToObject(root, "saved_item_id", f->id);
	cJSON_AddStringToObject(root, "workbook_id", growth.id);
	cJSON_AddStringToObject(root, "url", url);
	fake_json(resp, 200, root);
}

/* The run named by run_id, or NULL after answering 400/404. */
static struct run *run_or_error(struct fake_req *req, struct fake_resp *resp)
{
	const char *id = fake_arg(req, "run_id");
	struct run *r = find_run(id);

	if (!id || !*id)
		fake_error_legacy(resp, 400, "run_id is required");
	else if (!r)
		fake_error_legacy(resp, 404, "Run not found");
	return r;
}

static void get_pl_run(struct fake_req *req, struct fake_resp *resp)
{
	struct run *r = run_or_error(req, resp);
	enum run_state s;
	cJSON *root;

	if (!r)
		return;
	root = run_summary(r, &s);
	cJSON_AddStringToObject(root, "saved_item_id", r->flow->id);
	if (r->user_id)
		cJSON_AddStringToObject(root, "user_id", r->user_id);
	else
		cJSON_AddNullToObject(root, "user_id");
	cJSON_AddItemToObject(root, "log", run_log(r, s));
	fake_json(resp, 200, root);
}

static void kill_pipeline(struct fake_req *req, struct fake_resp *resp)
{
	struct run *r = run_or_error(req, resp);
	long long now = fake_now_ms(), finished;
	enum run_state s;
	cJSON *root;

	if (!r)
		return;
	s = run_state(r, now, &finished);
	if (s == QUEUED || s == RUNNING)
		r->kill_ms = now;
	root = cJSON_CreateObject();
	cJSON_AddBoolToObject(root, "success", s == QUEUED || s == RUNNING);
	cJSON_AddStringToObject(root, "run_id", r->id);
	fake_json(resp, 200, root);
}

/* Up to MAP_MAX runs of f, newest first. */
static cJSON *recent_runs(const struct flow *f)
{
	cJSON *list = cJSON_CreateArray();
	size_t i, n = 0;

	for (i = nruns; i-- > 0 && n < MAP_MAX;) {
		if (runs[i].flow != f)
			continue;
		cJSON_AddItemToArray(list, run_summary(&runs[i], NULL));
		n++;
	}
	return list;
}

static void run_map(struct fake_req *req, struct fake_resp *resp)
{
	const char *wb = fake_arg(req, "workbook_id");
	const struct flow *f = NULL;
	cJSON *root;

	if (fake_arg(req, "saved_item_id") || !wb) {
		if (!fake_arg(req, "saved_item_id")) {
			fake_error_legacy(resp, 400, "saved_item_id or "
					  "workbook_id is required");
			return;
		}
		f = flow_or_error(req, resp);
		if (!f)
			return;
	} else if (strcmp(wb, growth.id)) {
		fake_error_legacy(resp, 404, "Workbook not found");
		return;
	}
	root = cJSON_CreateObject();
	for (f = f ? f : flows; f->id; f++) {
		cJSON_AddItemToObject(root, f->id, recent_runs(f));
		if (fake_arg(req, "saved_item_id"))
			break;
	}
	fake_json(resp, 200, root);
}

static void flows_reset(void)
{
	size_t i;

	for (i = 0; i < nruns; i++) {
		free(runs[i].id);
		free(runs[i].user_id);
		free(runs[i].raw_body);
		cJSON_Delete(runs[i].inputs);
	}
	free(runs);
	runs = NULL;
	nruns = 0;
	gained_input[0] = '\0';
	run_ms = fake_opt_run_ms;
	queue_ms = fake_opt_queue_ms;
	max_runs = 0;
	extra_flows = 0;
}

static int flows_config(const cJSON *in, cJSON *out, const char **cause)
{
	const cJSON *gained = cJSON_GetObjectItemCaseSensitive(in,
							       "gained_input");

	if (gained && (!cJSON_IsString(gained) ||
		       strlen(gained->valuestring) >= sizeof(gained_input))) {
		*cause = "gained_input is a name of at most 63 characters";
		return -1;
	}
	if (gained)
		strcpy(gained_input, gained->valuestring);
	cJSON_AddStringToObject(out, "gained_input", gained_input);
	if (fake_knob(in, out, "run_ms", &run_ms, cause) ||
	    fake_knob(in, out, "queue_ms", &queue_ms, cause) ||
	    fake_knob(in, out, "max_runs", &max_runs, cause) ||
	    fake_knob(in, out, "extra_flows", &extra_flows, cause))
		return -1;
	if (extra_flows > MAX_EXTRA_FLOWS) {
		extra_flows = MAX_EXTRA_FLOWS;
		*cause = "extra_flows is at most 500";
		return -1;
	}
	make_extra_flows();
	return 0;
}

static const struct fake_route flows_routes[] = {
	{ .method = "GET", .pattern = "/list_saved_items", .legacy = 1,
	  .handle = list_saved_items },
	{ .method = "GET", .pattern = "/list_workbooks", .legacy = 1,
	  .handle = list_workbooks },
	{ .method = "GET", .pattern = "/get_inputs", .legacy = 1,
	  .handle = get_inputs },
	{ .method = "POST", .pattern = "/start_pipeline", .legacy = 1,
	  .handle = start_pipeline },
	{ .method = "GET", .pattern = "/get_pl_run", .legacy = 1,
	  .handle = get_pl_run },
	{ .method = "POST", .pattern = "/kill_pipeline", .legacy = 1,
	  .handle = kill_pipeline },
	{ .method = "GET", .pattern = "/get_plrun_saved_item_map", .legacy = 1,
	  .handle = run_map },
	{ 0 }
};

const struct fake_area fake_flows_area = {
	.name = "flows",
	.routes = flows_routes,
	.reset = flows_reset,
	.config = flows_config,
};
