// The official TypeScript SDK client (@modelcontextprotocol/sdk) against
// gumloop-mcp and the fake Gumloop: initialize, every tools/list page,
// the flow tools with progress, every tool once (the SDK validates each
// structuredContent against the tool's outputSchema), errors, close.
//
//   SDK_DIR=.tools/sdk GUMLOOP_MCP=./gumloop-mcp EXPECTED_TOOLS=names.json \
//   GUMLOOP_BASE_URL=http://127.0.0.1:PORT/api/v1 ... node sdk-client.mjs
//
// Prints TAP lines ("ok - ..." / "not ok - ...") and exits 1 on a failure.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const sdk = `${process.env.SDK_DIR}/node_modules/@modelcontextprotocol/sdk/dist/esm`;
const { Client } = await import(pathToFileURL(`${sdk}/client/index.js`));
const { StdioClientTransport } = await import(pathToFileURL(`${sdk}/client/stdio.js`));

let failures = 0;
function check(ok, what, detail) {
	console.log(`${ok ? 'ok' : 'not ok'} - sdk: ${what}`);
	if (!ok) {
		failures++;
		if (detail !== undefined)
			console.log(`#   ${JSON.stringify(detail).slice(0, 2000)}`);
	}
}

const serverEnv = {};
for (const k of ['PATH', 'HOME', 'GUMLOOP_API_KEY', 'GUMLOOP_USER_ID',
	'GUMLOOP_BASE_URL', 'GUMLOOP_STREAM_BASE_URL'])
	if (process.env[k]) serverEnv[k] = process.env[k];
serverEnv.GUMLOOP_MCP_POLL_MS = '50';

const transport = new StdioClientTransport({
	command: process.env.GUMLOOP_MCP, args: [], env: serverEnv, stderr: 'pipe',
});
const client = new Client({ name: 'gumloop-mcp-interop', version: '1.0.0' },
	{ capabilities: {} });
await client.connect(transport);

// The wire, both ways, as parsed messages (the SDK drops a progress
// notification that arrives just before its response: count them here).
const sent = [], received = [];
const onmessage = transport.onmessage;
transport.onmessage = (m) => { received.push(m); onmessage(m); };
const send = transport.send.bind(transport);
transport.send = (m, o) => { sent.push(m); return send(m, o); };
const child = transport._process;
const kills = [];
const kill = child.kill.bind(child);
child.kill = (sig) => { kills.push(sig); return kill(sig); };

const info = client.getServerVersion();
check(info?.name === 'gumloop-mcp', 'initialize: serverInfo names gumloop-mcp', info);
check(!!client.getServerCapabilities()?.tools, 'initialize: tools capability');
await client.ping();
check(true, 'ping answered');
await client.setLoggingLevel('debug');
check(true, 'logging/setLevel answered');

// Every page of tools/list; listTools() also compiles each outputSchema.
let tools = [], cursor, pages = 0;
do {
	const page = await client.listTools(cursor ? { cursor } : {});
	tools = tools.concat(page.tools);
	cursor = page.nextCursor;
	pages++;
} while (cursor && pages < 100);
const expected = JSON.parse(readFileSync(process.env.EXPECTED_TOOLS, 'utf8'));
check(JSON.stringify(tools.map((t) => t.name)) === JSON.stringify(expected),
	`tools/list: ${tools.length} tools on ${pages} page(s), as --list-tools says`,
	{ got: tools.map((t) => t.name), expected });
// The SDK keeps validators for the last page listed only (each
// listTools() clears its cache), so compile every schema with its
// validator here and check each result below against it.
const validators = new Map();
const broken = [];
for (const t of tools.filter((t) => t.outputSchema)) {
	try {
		validators.set(t.name, client._jsonSchemaValidator.getValidator(t.outputSchema));
	} catch (e) {
		broken.push(`${t.name}: ${e.message}`);
	}
}
check(broken.length === 0,
	`${validators.size} outputSchemas compiled by the SDK's validator`, broken);

async function call(name, args, options) {
	let r;
	try {
		r = await client.callTool({ name, arguments: args }, undefined, options);
	} catch (e) {
		return { thrown: e };
	}
	const validate = validators.get(name);
	if (validate && !r.structuredContent)
		return { thrown: new Error('no structuredContent') };
	const v = validate ? validate(r.structuredContent) : { valid: true };
	return v.valid ? r : { thrown: new Error(`invalid: ${v.errorMessage}`) };
}

// The flow scenario, with progress on the wait.
const flows = await call('list_all_gumloop_flows', {});
const flow = flows.structuredContent?.saved_items?.find(
	(f) => f.name === 'Competitor Pricing Scraper');
check(!!flow, 'list_all_gumloop_flows validates and finds the flow', flows);
const inputs = await call('get_single_gumloop_automation_by_id',
	{ saved_item_id: flow?.saved_item_id });
check(inputs.structuredContent?.inputs?.[0]?.name === 'target_url',
	'get_single_gumloop_automation_by_id gives the input names', inputs);
const started = await call('create_a_gumloop_flow_run', {
	saved_item_id: flow?.saved_item_id,
	inputs: { target_url: 'https://example.com/sdk' },
});
const runId = started.structuredContent?.run_id;
check(!!runId && !started.isError, 'create_a_gumloop_flow_run starts a run', started);
const progressSeen = [];
const waitTool = tools.find((t) => t.name === 'wait_for_gumloop_flow_run')
	? 'wait_for_gumloop_flow_run' : 'get_single_gumloop_flow_run_by_id';
const before = sent.length;
const done = await call(waitTool, { run_id: runId }, {
	onprogress: (p) => progressSeen.push(p), resetTimeoutOnProgress: true,
});
check(done.structuredContent?.state === 'DONE' &&
	/example\.com\/sdk/.test(done.structuredContent?.outputs?.prices ?? ''),
	`${waitTool} returns the run's outputs`, done);
if (waitTool === 'wait_for_gumloop_flow_run') {
	const req = sent.slice(before).find((m) => m.method === 'tools/call');
	const token = req?.params?._meta?.progressToken;
	const wire = received.filter((m) => m.method === 'notifications/progress' &&
		m.params.progressToken === token);
	check(typeof token === 'number' && wire.length >= 1,
		`progress: ${wire.length} notification(s) echo the numeric token ${token}`,
		{ token, wire });
	const values = wire.map((m) => m.params.progress);
	check(values.every((v, i) => i === 0 || v > values[i - 1]),
		'progress values increase', values);
	check(progressSeen.length >= wire.length - 1,
		`onprogress saw ${progressSeen.length} of them`);
}

// Every tool once, arguments made from its inputSchema: results and tool
// errors alike are validated by the SDK against the outputSchema.
function dummy(schema) {
	if (!schema || typeof schema !== 'object') return 'x';
	if (schema.enum) return schema.enum[0];
	const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
	switch (type) {
	case 'integer': case 'number': return schema.minimum ?? 1;
	case 'boolean': return false;
	case 'array': return schema.minItems ? [dummy(schema.items)] : [];
	case 'object': {
		const o = {};
		for (const k of schema.required ?? []) o[k] = dummy(schema.properties?.[k]);
		return o;
	}
	default: return 'x';
	}
}
let okResults = 0, errorResults = 0;
const thrown = [];
for (const t of tools) {
	const r = await call(t.name, dummy(t.inputSchema), { timeout: 30000 });
	if (r.thrown) thrown.push(`${t.name}: ${r.thrown.message}`);
	else if (r.isError) errorResults++;
	else okResults++;
}
check(thrown.length === 0, `every tool called once: ${okResults} results and ` +
	`${errorResults} tool errors, all valid against their schemas`, thrown);

// Errors the protocol way.
const unknown = await call('no_such_tool', {});
check(!!unknown.thrown && /no_such_tool/.test(unknown.thrown.message),
	'an unknown tool is a JSON-RPC error', unknown);
try {
	await client.request({ method: 'no/such/method' },
		(await import(pathToFileURL(`${sdk}/types.js`))).ResultSchema);
	check(false, 'an unknown method is refused');
} catch (e) {
	check(e.code === -32601, 'an unknown method is -32601', e.message);
}
const raw = received.filter((m) => typeof m !== 'object' || m.jsonrpc !== '2.0');
check(raw.length === 0, 'every stdout line is a JSON-RPC message', raw);

// close(): the SDK ends stdin, waits 2 s, then sends SIGTERM.
await client.close();
check(kills.length === 0 && child.exitCode === 0,
	'close: the server exits 0 on end of input, before the SDK\'s 2 s SIGTERM',
	{ kills, exitCode: child.exitCode, signal: child.signalCode });

console.log(`# sdk: ${failures} failure(s)`);
process.exit(failures ? 1 : 0);
