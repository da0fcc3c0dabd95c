// @modelcontextprotocol/ext-tasks (the requester side of the MCP Tasks
// extension io.modelcontextprotocol/tasks) on the v2 SDK client
// (@modelcontextprotocol/client), pinned to 2026-07-28, against
// gumloop-mcp and the fake Gumloop: a create tool answered as a task and
// settled by polling (tasks/get), its result as the plain call's; a tool
// error completed (not failed) as the extension says; an approval asked in
// inputRequests and answered by tasks/update; tasks/cancel killing the run
// in the fake; a task resumed by a new client and a new server process.
//
//   EXTT_DIR=.tools/extt GUMLOOP_MCP=./gumloop-mcp FAKE_ROOT=http://127.0.0.1:PORT \
//   GUMLOOP_BASE_URL=... node ext-tasks-client.mjs
//
// ext-tasks needs a raw request path below the SDK for task-shaped
// answers (its rawDispatch option): here, JSON-RPC requests written to the
// SDK's stdio transport whose responses are taken off it before the SDK
// sees them. Prints TAP lines and exits 1 on a failure.
import { pathToFileURL } from 'node:url';

const MODS = `${process.env.EXTT_DIR}/node_modules/@modelcontextprotocol`;
const { Client } = await import(pathToFileURL(`${MODS}/client/dist/index.mjs`));
const { StdioClientTransport } = await import(pathToFileURL(`${MODS}/client/dist/stdio.mjs`));
const ext = await import(pathToFileURL(`${MODS}/ext-tasks/dist/client/index.js`));

const FAKE = process.env.FAKE_ROOT;
const VERSION = '2026-07-28';
const EXT = 'io.modelcontextprotocol/tasks';
const CLIENT_INFO = { name: 'gumloop-mcp-interop-ext-tasks', version: '1.0.0' };
const CAPS = { elicitation: { form: {} } };

let failures = 0;
function check(ok, what, detail) {
	console.log(`${ok ? 'ok' : 'not ok'} - ext-tasks: ${what}`);
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
const endpointId = await ext.createTaskSessionEndpointId('gumloop-mcp-interop',
	{ command: process.env.GUMLOOP_MCP });

// One server process, one v2 client, one ext-tasks session on it.
async function open(onElicit) {
	const transport = new StdioClientTransport({
		command: process.env.GUMLOOP_MCP, args: [], env: serverEnv,
		stderr: 'pipe',
	});
	const client = new Client(CLIENT_INFO, {
		capabilities: CAPS,
		versionNegotiation: { mode: { pin: VERSION } },
	});
	await client.connect(transport);
	const c = { client, transport, sent: [], received: [], errors: [] };
	const pending = new Map();
	let seq = 0;
	const inner = transport.onmessage;
	transport.onmessage = (m, extra) => {
		c.received.push(m);
		const take = m.method === undefined && pending.get(m.id);
		if (take) {
			pending.delete(m.id);
			take(m);
		} else {
			inner?.(m, extra);
		}
	};
	const send = transport.send.bind(transport);
	transport.send = (m, o) => { c.sent.push(m); return send(m, o); };
	const rawDispatch = (request, options = {}) => new Promise((resolve, reject) => {
		const id = `ext-tasks-${++seq}`;
		const ms = options.context?.requestTimeoutMs ?? 30000;
		const timer = setTimeout(() => {
			pending.delete(id);
			reject(new ext.DispatchError(`${request.method}: no answer in ${ms} ms`));
		}, ms);
		options.signal?.addEventListener('abort', () => {
			clearTimeout(timer);
			pending.delete(id);
			reject(options.signal.reason);
		}, { once: true });
		pending.set(id, (m) => {
			clearTimeout(timer);
			resolve(m.error ? { kind: 'error', error: m.error }
				: { kind: 'result', result: m.result });
		});
		transport.send({ jsonrpc: '2.0', id, ...request }).catch((e) => {
			clearTimeout(timer);
			pending.delete(id);
			reject(e);
		});
	});
	let tools = [], cursor, pages = 0;
	do {
		const page = await client.listTools(cursor ? { cursor } : {});
		tools = tools.concat(page.tools);
		cursor = page.nextCursor;
	} while (cursor && ++pages < 100);
	const declarations = new Map(tools.map((t) =>
		[t.name, ext.toolDeclarationFromMcpTool(t)]));
	c.session = ext.createTaskSessionFromClient(client, {
		endpointId, rawDispatch,
		v2RequestFraming: { protocolVersion: VERSION, clientInfo: CLIENT_INFO,
			clientCapabilities: CAPS },
		tools: { currentTool: (name) => declarations.get(name) },
		onInputRequest: ext.createApplicationInputHandler({
			elicitation: async (request, context) =>
				onElicit ? onElicit(request, context) : { action: 'cancel' },
			sampling: async () => { throw new Error('no sampling here'); },
			roots: async () => ({ roots: [] }),
		}),
		onError: (e) => c.errors.push(e.message),
	});
	c.close = async () => {
		await c.session.close();
		await client.close();
	};
	return c;
}

const asked = [];
const c = await open(async (request, context) => {
	asked.push({ request, context });
	return { action: 'accept', content: { decision: 'accept', reason: 'interop' } };
});
check(c.client.getProtocolEra() === 'modern' &&
	c.client.getServerCapabilities()?.extensions?.[EXT] !== undefined,
`connected in the modern era (${VERSION}); server/discover lists ${EXT}`,
c.client.getServerCapabilities());
const sc = c.session.capabilities;
check(sc.execution && sc.cancellation && sc.inputResponses,
	'the session sees task execution, cancellation and input responses', sc);

// Settles an execution, keeping its events.
async function settle(execution) {
	const events = [];
	const { outcome } = await execution.settle({ onEvent: (e) => events.push(e) });
	// an Error's message is not enumerable: keep it for the TAP detail
	return { events, outcome: outcome.error ?
		{ ...outcome, error: outcome.error.message } : outcome };
}

// (1) A flow run: created as a task, polled to completion.
const ARGS = { saved_item_id: 'flow_competitor_pricing',
	inputs: { target_url: 'https://example.com/ext-tasks' } };
const plain = await c.client.callTool({ name: 'create_a_gumloop_flow_run',
	arguments: { ...ARGS, wait_seconds: 60 } });
check(plain.structuredContent?.state === 'DONE',
	'a plain call (no tasks extension declared) waits and ends DONE', plain);
const sentBefore = c.sent.length;
const run = await c.session.callTool('create_a_gumloop_flow_run', ARGS);
check(run.kind === 'task' && /^run\./.test(run.handle?.taskId ?? ''),
	'create_a_gumloop_flow_run runs as a task (resultType "task")',
	{ kind: run.kind, handle: run.handle });
const { events, outcome } = await settle(run);
const views = events.filter((e) => e.type === 'task').map((e) => e.task);
check(outcome.status === 'completed' && views.length >= 1 &&
	views.at(-1).status === 'completed',
`settled by polling: ${views.map((v) => v.status).join(', ')}`,
{ outcome, views });
const result = outcome.status === 'completed' ? ext.resultFromTaskOutcome(outcome) : {};
const keys = (o) => Object.keys(o ?? {}).sort().join(',');
check(result.structuredContent?.state === 'DONE' && !result.isError &&
	keys(result.structuredContent) === keys(plain.structuredContent) &&
	result.structuredContent.outputs?.prices === plain.structuredContent?.outputs?.prices,
'the task\'s result has the plain call\'s structure, state and outputs',
{ task: result.structuredContent, plain: plain.structuredContent });
const wire = c.sent.slice(sentBefore);
const call = wire.find((m) => m.method === 'tools/call');
const answer = c.received.find((m) => m.id === call?.id);
check(answer?.result?.resultType === 'task' && answer.result.ttlMs > 0 &&
	answer.result.pollIntervalMs > 0 && answer.result.status === 'working',
'the wire: tools/call answered resultType "task" (working, ttlMs, ' +
	'pollIntervalMs)', answer);
const gets = wire.filter((m) => m.method === 'tasks/get');
check(gets.length >= 1 && gets.every((m) =>
	m.params?._meta?.['io.modelcontextprotocol/clientCapabilities']
		?.extensions?.[EXT] !== undefined),
`the wire: ${gets.length} tasks/get poll(s), each declaring the extension`,
gets.slice(0, 2));
check(views.every((v) => typeof v.createdAt === 'string' && v.ttl > 0),
	'every task view has createdAt and a TTL', views);

// (2) A tool error: completed in 2026-07-28, the result isError.
const bad = await c.session.callTool('wait_for_gumloop_flow_run',
	{ run_id: 'no-such-run' });
const badEnd = await settle(bad);
const badResult = badEnd.outcome.status === 'completed' ?
	ext.resultFromTaskOutcome(badEnd.outcome) : {};
check(bad.kind === 'task' && badEnd.outcome.status === 'completed' &&
	badResult.isError === true &&
	badResult.structuredContent?.error?.status === 404,
'a tool error: the task completes with the isError result (404)',
badEnd.outcome);

// (3) An approval: input_required, the handler answers, tasks/update.
const updatesBefore = c.sent.filter((m) => m.method === 'tasks/update').length;
const session = await c.session.callTool('create_a_gumloop_session', {
	agent_id: 'agent_sales_ops', input: 'email the CRM export to sales' });
const sesEnd = await settle(session);
const ask = asked.at(-1);
check(asked.length === 1 && ask.request.kind === 'elicitation' &&
	ask.context.delivery === 'task-update' &&
	ask.context.taskId === session.handle?.taskId &&
	/send_email/.test(ask.request.params?.message ?? ''),
'an approval_required session: one form in inputRequests, handed to the ' +
	'application for its task', asked.map((a) => ({ ...a.context,
	signal: undefined, params: a.request.params })));
const updates = c.sent.filter((m) => m.method === 'tasks/update');
check(updates.length === updatesBefore + 1 &&
	Object.values(updates.at(-1)?.params?.inputResponses ?? {})[0]?.action === 'accept',
'the answer went back by tasks/update', updates.at(-1));
check(sesEnd.events.some((e) => e.type === 'task' && e.task.status === 'input_required'),
	'the task showed input_required while it asked',
	sesEnd.events.map((e) => e.task?.status ?? e.outcome?.status));
const sesResult = sesEnd.outcome.status === 'completed' ?
	ext.resultFromTaskOutcome(sesEnd.outcome).structuredContent : {};
check(sesResult?.state === 'completed', 'the session task completed', sesEnd.outcome);
const sent = sesResult?.session_id ?
	await fakeRequests(`/sessions/${sesResult.session_id}/approvals`, 'POST') : [];
check(sent.length === 1 &&
	sent[0].body?.approval_responses?.[0]?.action === 'accept',
'the decision reached the fake (POST /sessions/{id}/approvals)', sent);

// (4) Cancel: a long run (other inputs: an identical write within 10 s
// would not be sent again), cancelled through the execution.
const kills = (await fakeRequests('/kill_pipeline', 'POST')).length;
const { run_ms: runMs } = await fake('POST', 'config', {});
await fake('POST', 'config', { run_ms: 60000 });
let cancelEnd, long;
try {
	long = await c.session.callTool('create_a_gumloop_flow_run', {
		...ARGS, inputs: { target_url: 'https://example.com/ext-cancel' } });
	await long.cancel();
	cancelEnd = await settle(long);
} finally {
	await fake('POST', 'config', { run_ms: runMs });
}
check(c.sent.some((m) => m.method === 'tasks/cancel' &&
	m.params?.taskId === long?.handle?.taskId),
'execution.cancel() sends tasks/cancel for the task');
check(cancelEnd?.outcome?.status === 'cancelled',
	'the execution settles cancelled', cancelEnd?.outcome);
const killRequests = await fakeRequests('/kill_pipeline', 'POST');
check(killRequests.length === kills + 1,
	'the cancel reached the fake: one POST /kill_pipeline', killRequests);
const snap = await c.session.task(long.handle.taskId).snapshot();
check(snap.status === 'cancelled', 'a snapshot (tasks/get): cancelled', snap);

// (5) Durable: a reference handed off, the server restarted, the task
// resumed by a new client from Gumloop's own state.
const later = await c.session.callTool('create_a_gumloop_flow_run', {
	...ARGS, inputs: { target_url: 'https://example.com/ext-resume' } });
let reference;
await later.handoff((ref) => { reference = ref; });
check(c.errors.length === 0, 'no background error in the first session', c.errors);
// Ended as a crash ends it: the session's close() would cancel every task
// it still holds, a handed-off one too. The server exits on end of input.
await c.client.close();
const d = await open();
const resumed = await d.session.resumeTask(reference);
const resumedEnd = await settle(resumed);
const resumedResult = resumedEnd.outcome.status === 'completed' ?
	ext.resultFromTaskOutcome(resumedEnd.outcome).structuredContent : {};
check(resumed.handle?.taskId === reference.taskId &&
	resumedResult?.state === 'DONE' &&
	/ext-resume/.test(resumedResult?.outputs?.prices ?? ''),
'a new server process: resumeTask settles the task from Gumloop\'s state',
{ reference, outcome: resumedEnd.outcome });
check(d.errors.length === 0, 'no background error in the second session', d.errors);
await d.close();

console.log(`# ext-tasks: ${failures} failure(s)`);
process.exit(failures ? 1 : 0);
