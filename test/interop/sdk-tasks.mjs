// The official TypeScript SDK v1 client's experimental task API
// (client.experimental.tasks: callToolStream, getTask, getTaskResult,
// listTasks, cancelTask) against gumloop-mcp and the fake Gumloop, in the
// 2025-11-25 era: a flow run as a task (task created, status, result equal
// to the plain call's), a tool error as a failed task whose result
// tasks/result still gives, an approval asked by elicitation/create with
// the related-task _meta, and a cancel that kills the run in the fake.
//
//   SDK_DIR=.tools/sdk GUMLOOP_MCP=./gumloop-mcp FAKE_ROOT=http://127.0.0.1:PORT \
//   GUMLOOP_BASE_URL=... node sdk-tasks.mjs
//
// Prints TAP lines and exits 1 on a failure.
import { pathToFileURL } from 'node:url';

const sdk = `${process.env.SDK_DIR}/node_modules/@modelcontextprotocol/sdk/dist/esm`;
const { Client } = await import(pathToFileURL(`${sdk}/client/index.js`));
const { StdioClientTransport } = await import(pathToFileURL(`${sdk}/client/stdio.js`));
const { CallToolResultSchema, ElicitRequestSchema } = await import(pathToFileURL(`${sdk}/types.js`));

const FAKE = process.env.FAKE_ROOT;
const TASK_TOOLS = [
	'create_a_gumloop_agent_interaction', 'create_a_gumloop_flow_run',
	'create_a_gumloop_session', 'create_a_gumloop_session_message',
	'wait_for_gumloop_agent_interaction', 'wait_for_gumloop_flow_run',
	'wait_for_gumloop_session',
];
const RELATED = 'io.modelcontextprotocol/related-task';

let failures = 0;
function check(ok, what, detail) {
	console.log(`${ok ? 'ok' : 'not ok'} - sdk tasks: ${what}`);
	if (!ok) {
		failures++;
		if (detail !== undefined)
			console.log(`#   ${JSON.stringify(detail).slice(0, 2000)}`);
	}
}

async function fake(method, path, body) {
	const r = await fetch(`${FAKE}/_fake/${path}`, {
		method, headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (!r.ok) throw new Error(`fake ${method} ${path}: ${r.status}`);
	return r.json();
}
const fakeRequests = async (pathPart, method) =>
	(await fake('GET', 'requests')).requests.filter((q) =>
		q.path.includes(pathPart) && (!method || q.method === method));

const serverEnv = {};
for (const k of ['PATH', 'HOME', 'GUMLOOP_API_KEY', 'GUMLOOP_USER_ID',
	'GUMLOOP_BASE_URL', 'GUMLOOP_STREAM_BASE_URL'])
	if (process.env[k]) serverEnv[k] = process.env[k];
serverEnv.GUMLOOP_MCP_POLL_MS = '50';

const transport = new StdioClientTransport({
	command: process.env.GUMLOOP_MCP, args: [], env: serverEnv, stderr: 'pipe',
});
// A client that can ask its user: approvals come as elicitation/create.
const client = new Client({ name: 'gumloop-mcp-interop-tasks', version: '1.0.0' },
	{ capabilities: { elicitation: { form: {} } }, defaultTaskPollInterval: 100 });
const elicitations = [];
client.setRequestHandler(ElicitRequestSchema, async (req) => {
	elicitations.push(req.params);
	return { action: 'accept', content: { decision: 'accept', reason: 'interop' } };
});
await client.connect(transport);

const received = [];
const onmessage = transport.onmessage;
transport.onmessage = (m) => { received.push(m); onmessage(m); };

const caps = client.getServerCapabilities();
check(JSON.stringify(caps?.tasks) === JSON.stringify(
	{ list: {}, cancel: {}, requests: { tools: { call: {} } } }),
'initialize: capabilities.tasks has list, cancel and requests.tools.call',
caps?.tasks);

// Every tools/list page; the SDK keeps task support (and output validators)
// of the last page listed only, so give it the whole list.
let tools = [], cursor, pages = 0;
do {
	const page = await client.listTools(cursor ? { cursor } : {});
	tools = tools.concat(page.tools);
	cursor = page.nextCursor;
} while (cursor && ++pages < 100);
client.cacheToolMetadata(tools);
const optional = tools.filter((t) => t.execution?.taskSupport === 'optional')
	.map((t) => t.name).sort();
check(JSON.stringify(optional) === JSON.stringify(TASK_TOOLS),
	`tools/list: taskSupport "optional" on the ${TASK_TOOLS.length} tools ` +
	'that start or wait for Gumloop work, and no other', optional);
check(client.isToolTask('create_a_gumloop_flow_run') &&
	!client.isToolTask('list_all_gumloop_flows'),
'the SDK sees create_a_gumloop_flow_run as a task tool, a list tool not');

// Drains callToolStream: every message, in order.
async function stream(name, args, onCreated) {
	const msgs = [];
	for await (const m of client.experimental.tasks.callToolStream(
		{ name, arguments: args }, undefined, { timeout: 60000 })) {
		msgs.push(m);
		if (m.type === 'taskCreated' && onCreated) await onCreated(m.task);
	}
	return msgs;
}

// (1) A flow run as a task, its result as the plain call's.
const ARGS = { saved_item_id: 'flow_competitor_pricing',
	inputs: { target_url: 'https://example.com/sdk-tasks' } };
const plain = await client.callTool({ name: 'create_a_gumloop_flow_run',
	arguments: { ...ARGS, wait_seconds: 60 } });
check(plain.structuredContent?.state === 'DONE',
	'plain create_a_gumloop_flow_run with wait_seconds ends DONE', plain);
const wireBefore = received.length;
const msgs = await stream('create_a_gumloop_flow_run', ARGS);
const types = msgs.map((m) => m.type);
const created = msgs[0]?.task;
check(types[0] === 'taskCreated' && created?.status === 'working' &&
	created.ttl > 0 && created.pollInterval > 0 && !!created.createdAt,
'callToolStream: the first message is taskCreated (working, ttl, ' +
	'pollInterval, createdAt)', msgs[0]);
const statuses = msgs.filter((m) => m.type === 'taskStatus')
	.map((m) => m.task.status);
check(statuses.length >= 1 && statuses.at(-1) === 'completed' &&
	statuses.slice(0, -1).every((s) => s === 'working'),
`callToolStream: taskStatus messages (${statuses.join(', ')}) end completed`,
statuses);
const last = msgs.at(-1);
check(last?.type === 'result', 'callToolStream: the last message is the ' +
	'result, validated by the SDK against the outputSchema', last);
const res = last?.result ?? {};
const keys = (o) => Object.keys(o ?? {}).sort().join(',');
check(res.structuredContent?.state === 'DONE' && !res.isError &&
	keys(res.structuredContent) === keys(plain.structuredContent) &&
	res.structuredContent.outputs?.prices === plain.structuredContent?.outputs?.prices,
'the task\'s result has the plain call\'s structure, state and outputs',
{ task: res.structuredContent, plain: plain.structuredContent });
check(res._meta?.[RELATED]?.taskId === created?.taskId,
	'tasks/result carries the related-task _meta of its task', res._meta);
const notes = received.slice(wireBefore).filter((m) =>
	m.method === 'notifications/tasks/status' &&
	m.params?.taskId === created?.taskId);
check(notes.some((m) => m.params.status === 'completed'),
	`notifications/tasks/status: ${notes.length} for the task, the last completed`,
	notes.map((m) => m.params.status));
const got = await client.experimental.tasks.getTask(created?.taskId);
check(got.status === 'completed' && got.taskId === created?.taskId,
	'getTask after the end: completed', got);
let listed = [];
for (let c, n = 0; n < 100; n++) {
	const page = await client.experimental.tasks.listTasks(c);
	listed = listed.concat(page.tasks);
	if (!(c = page.nextCursor)) break;
}
check(listed.some((t) => t.taskId === created?.taskId && t.status === 'completed'),
	`listTasks: ${listed.length} task(s), the run's among them`,
	listed.map((t) => t.taskId));

// (2) A tool error: the task is failed (2025-11-25), the stream says so,
// and getTaskResult still gives the isError result.
const bad = await stream('wait_for_gumloop_flow_run', { run_id: 'no-such-run' });
const badId = bad[0]?.task?.taskId;
check(bad[0]?.type === 'taskCreated' && bad.at(-1)?.type === 'error' &&
	/failed/.test(bad.at(-1)?.error?.message ?? ''),
'a tool error: the stream ends with "Task ... failed"',
bad.map((m) => m.type + ' ' + (m.task?.status ?? m.error?.message ?? '')));
const badResult = badId ? await client.experimental.tasks.getTaskResult(badId, CallToolResultSchema)
	.catch((e) => ({ thrown: e.message })) : {};
check(badResult.isError === true &&
	badResult.structuredContent?.error?.status === 404,
'getTaskResult of the failed task: the tool\'s isError result (404)',
badResult);

// (3) An approval: the session asks, the SDK's elicitation handler
// accepts (the form carries the related-task _meta), the task completes.
const asking = await stream('create_a_gumloop_session', {
	agent_id: 'agent_sales_ops', input: 'email the CRM export to sales' });
const askId = asking[0]?.task?.taskId;
const ask = elicitations.at(-1);
check(elicitations.length === 1 && ask?._meta?.[RELATED]?.taskId === askId &&
	/send_email/.test(ask?.message ?? ''),
'an approval_required session: one elicitation/create, related to its task',
elicitations);
const sc = asking.at(-1)?.result?.structuredContent;
check(asking.at(-1)?.type === 'result' && sc?.state === 'completed',
	'the accepted approval: the session task completes',
	asking.map((m) => m.type + ' ' + (m.task?.status ?? '')));
const sent = sc?.session_id ?
	await fakeRequests(`/sessions/${sc.session_id}/approvals`, 'POST') : [];
check(sent.length === 1 &&
	sent[0].body?.approval_responses?.[0]?.action === 'accept',
'the decision reached the fake (POST /sessions/{id}/approvals)', sent);

// (4) Cancel: a long run, cancelled through the SDK once created (other
// inputs: the same write repeated within 10 s would not be sent again).
const kills = (await fakeRequests('/kill_pipeline', 'POST')).length;
const { run_ms: runMs } = await fake('POST', 'config', {});
await fake('POST', 'config', { run_ms: 60000 });
let cancelled;
const started = Date.now();
let killed;
try {
	killed = await stream('create_a_gumloop_flow_run', {
		...ARGS, inputs: { target_url: 'https://example.com/sdk-cancel' },
	}, async (task) => {
		cancelled = await client.experimental.tasks.cancelTask(task.taskId);
	});
} finally {
	await fake('POST', 'config', { run_ms: runMs });
}
check(cancelled?.status === 'cancelled',
	'cancelTask answers the task, now cancelled', cancelled);
check(killed.at(-1)?.type === 'error' &&
	/cancelled/.test(killed.at(-1)?.error?.message ?? '') &&
	Date.now() - started < 20000,
'the stream ends at once: "Task ... was cancelled"',
killed.map((m) => m.type + ' ' + (m.task?.status ?? m.error?.message ?? '')));
const killRequests = await fakeRequests('/kill_pipeline', 'POST');
check(killRequests.length === kills + 1,
	'the cancel reached the fake: one POST /kill_pipeline', killRequests);
const after = await client.experimental.tasks.getTask(killed[0]?.task?.taskId);
check(after.status === 'cancelled', 'getTask: cancelled stays cancelled', after);

await client.close();
console.log(`# sdk tasks: ${failures} failure(s)`);
process.exit(failures ? 1 : 0);
