// The Node peer for the bench: a minimal MCP server on the official
// TypeScript SDK (low-level Server, stdio transport) that lists the same
// catalog as gumloop-mcp (read from the JSON file given as argv[2]) and
// proxies the flow tools to the same Gumloop base URL with fetch
// (keep-alive). It is the leanest honest peer: no zod schemas, no extras.
// Calls are proxied one at a time, as gumloop-mcp does: the SDK would
// otherwise start every piped call at once and open a connection for each.
import { readFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const tools = JSON.parse(readFileSync(process.argv[2], "utf8"));
const base = process.env.GUMLOOP_BASE_URL;
const headers = {
  Accept: "application/json",
  Authorization: `Bearer ${process.env.GUMLOOP_API_KEY}`,
  "x-auth-key": process.env.GUMLOOP_USER_ID,
};

// name -> [method, path]; the arguments go to the query (GET) or body.
const routes = {
  list_all_gumloop_flows: ["GET", "/list_saved_items"],
  list_all_gumloop_workbooks: ["GET", "/list_workbooks"],
  get_single_gumloop_automation_by_id: ["GET", "/get_inputs"],
  get_single_gumloop_flow_run_by_id: ["GET", "/get_pl_run"],
  list_all_gumloop_flow_runs: ["GET", "/get_plrun_saved_item_map"],
  kill_a_gumloop_flow_run: ["POST", "/kill_pipeline"],
  create_a_gumloop_flow_run: ["POST", "/start_pipeline"],
  get_single_gumloop_session_by_id: ["GET", "/sessions/{session_id}"],
};

function fail(text) {
  return { content: [{ type: "text", text }], isError: true };
}

async function proxy(name, args) {
  const route = routes[name];
  if (!route) return fail(`${name} is not proxied by the peer`);
  const [method, template] = route;
  const params = { ...args };
  const path = template.replace(/\{(\w+)\}/g, (_, name) => {
    const value = encodeURIComponent(params[name]);
    delete params[name];
    return value;
  });
  if (!path.startsWith("/sessions")) params.user_id = process.env.GUMLOOP_USER_ID;
  if (params.inputs) {
    params.pipeline_inputs = Object.entries(params.inputs).map(
      ([input_name, value]) => ({ input_name, value }));
    delete params.inputs;
  }
  let url = base + path;
  const init = { method, headers: { ...headers } };
  if (method === "GET") {
    url += "?" + new URLSearchParams(params).toString();
  } else {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(params);
  }
  const resp = await fetch(url, init);
  const text = await resp.text();
  if (!resp.ok) return fail(`${name} failed: HTTP ${resp.status}: ${text}`);
  const obj = JSON.parse(text);
  return { content: [{ type: "text", text: JSON.stringify(obj) }],
           structuredContent: obj };
}

const server = new Server(
  { name: "gumloop-node-peer", version: "0.0.0" },
  { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
let last = Promise.resolve();
server.setRequestHandler(CallToolRequestSchema, (req) => {
  const next = last.then(() => proxy(req.params.name, req.params.arguments || {}));
  last = next.catch(() => {});
  return next;
});
await server.connect(new StdioServerTransport());
