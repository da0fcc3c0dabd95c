#!/usr/bin/env python3
"""Every file in examples/ is tried, not just written: each client config
starts the real binary (with its command, args and env) against the fake
Gumloop, each script runs, the CI job's smoke steps run."""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import BINARY, REPO_ROOT, Server  # noqa: E402

EXAMPLES = os.path.join(REPO_ROOT, "examples")
KEY = "sk-example-test-key-42"
INSTALLED = "/usr/local/bin/gumloop-mcp"
WRITE_TOOL = "create_a_gumloop_flow_run"
fake = SharedFake(keys=["test-key", KEY], run_ms=100, queue_ms=10)
tried = set()   # example files the tests below used


def example(rel):
    tried.add(rel)
    return os.path.join(EXAMPLES, rel)


def fake_env(home, extra=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "GUMLOOP_BASE_URL": fake.base_url,
           "GUMLOOP_STREAM_BASE_URL": fake.stream_url}
    env.update(extra or {})
    return env


def write_key_file(path, key=KEY):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(key + "\n")
    os.chmod(path, 0o600)


# ---- client configurations ----------------------------------------------

def server_entry(rel):
    """(name, entry, whole config) of the one server a config declares."""
    with open(example(rel)) as f:
        config = json.load(f)
    servers = config.get("mcpServers") or config.get("servers")
    assert isinstance(servers, dict) and len(servers) == 1, config
    (name, entry), = servers.items()
    return name, entry, config


def localize(value, home):
    """A config value as it would be on a test machine: the user's home
    (${userHome}, /Users/you) is a temporary one."""
    value = value.replace("${userHome}", home)
    return re.sub(r"^/(Users|home)/you(?=/)", home, value)


def start_from_config(rel, home, inputs=None):
    """Starts the server as the client would; returns (Server, entry)."""
    _name, entry, _config = server_entry(rel)
    assert entry["command"] == INSTALLED, entry
    assert entry.get("type", "stdio") == "stdio", entry
    args = [localize(a, home) for a in entry.get("args", [])]
    if "--audit-log" in args:      # its folder exists on a real machine
        os.makedirs(os.path.dirname(args[args.index("--audit-log") + 1]),
                    exist_ok=True)
    env = {}
    for k, v in entry.get("env", {}).items():
        for ref, val in (inputs or {}).items():
            v = v.replace("${input:%s}" % ref, val)
        env[k] = localize(v, home)
    assert "GUMLOOP_BASE_URL" not in env, "configs must target Gumloop itself"
    assert "${" not in json.dumps(env), env
    if "GUMLOOP_API_KEY" in env:
        env["GUMLOOP_API_KEY"] = KEY          # the placeholder, filled in
    if "GUMLOOP_API_KEY_FILE" in env:
        write_key_file(env["GUMLOOP_API_KEY_FILE"])
    env["GUMLOOP_USER_ID"] = "user-123"
    srv = Server(args=args, env=fake_env(home, env))
    srv.initialize()
    return srv, entry


def names(srv):
    return [t["name"] for t in srv.list_tools()]


def works_with_the_key(srv):
    fake.reset()
    result = srv.call("list_all_gumloop_flows")
    assert not result.get("isError"), result
    sent = fake.requests(path_prefix="/list_saved_items")[-1]["headers"]
    assert sent["authorization"] == "Bearer " + KEY, sent


def all_tool_names():
    with Server(fake=fake) as srv:
        srv.initialize()
        return names(srv)


def test_claude_desktop_config_key_in_env():
    home = tempfile.mkdtemp()
    srv, entry = start_from_config(
        "claude-desktop/claude_desktop_config.json", home)
    with srv:
        assert "GUMLOOP_API_KEY" in entry["env"]
        assert names(srv) == all_tool_names()
        works_with_the_key(srv)
    shutil.rmtree(home)


def test_claude_desktop_read_only_config_with_key_file_and_audit_log():
    home = tempfile.mkdtemp()
    srv, entry = start_from_config(
        "claude-desktop/claude_desktop_config.read-only.json", home)
    with srv:
        assert "GUMLOOP_API_KEY_FILE" in entry["env"]
        assert "--read-only" in entry["args"]
        listed = names(srv)
        assert listed and WRITE_TOOL not in listed, listed
        works_with_the_key(srv)
        refused = srv.request("tools/call", {"name": WRITE_TOOL, "arguments": {
            "saved_item_id": "flow_competitor_pricing"}})
        assert "--read-only" in refused["error"]["message"], refused
    with open(os.path.join(home, "Library/Logs/gumloop-mcp-audit.jsonl")) as f:
        records = [json.loads(line) for line in f]
    assert [(r["tool"], r["outcome"]) for r in records] == [
        ("list_all_gumloop_flows", "ok"), (WRITE_TOOL, "refused")], records
    assert KEY not in json.dumps(records)
    shutil.rmtree(home)


def test_cursor_config_key_file_under_user_home_and_tags():
    home = tempfile.mkdtemp()
    srv, entry = start_from_config("cursor/mcp.json", home)
    with srv:
        assert entry["env"]["GUMLOOP_API_KEY_FILE"].startswith("${userHome}/")
        listed = names(srv)
        assert "list_all_gumloop_flows" in listed
        tags = json.loads(subprocess.run(
            [BINARY, "--list-tools", "--json"], capture_output=True,
            text=True, env={"PATH": "/usr/bin:/bin"}).stdout)
        allowed = {t["name"] for t in tags if t["tag"] in ("flows", "files")}
        assert set(listed) == allowed, (listed, allowed)
        works_with_the_key(srv)
    shutil.rmtree(home)


def test_vscode_config_prompts_for_the_key():
    home = tempfile.mkdtemp()
    _name, entry, config = server_entry("vscode/mcp.json")
    used = set(re.findall(r"\$\{input:([^}]+)\}", json.dumps(entry)))
    declared = {i["id"]: i for i in config["inputs"]}
    assert used and used <= set(declared), (used, declared)
    assert all(declared[i]["password"] for i in used)
    srv, _ = start_from_config("vscode/mcp.json", home,
                               inputs={i: KEY for i in used})
    with srv:
        assert names(srv) == all_tool_names()
        works_with_the_key(srv)
    shutil.rmtree(home)


def test_wsl_config_passes_key_file_and_user_id_as_flags():
    """wsl.exe does not hand the client's env block to WSL: the example
    must work with an environment that has no credentials at all."""
    home = tempfile.mkdtemp()
    _name, entry, _config = server_entry("wsl/claude_desktop_config.json")
    assert entry["command"].lower().endswith("wsl.exe"), entry
    assert "env" not in entry, "an env block does not cross into WSL"
    assert entry["args"][:2] == ["--exec", INSTALLED], entry
    args = [localize(a, home) for a in entry["args"][2:]]
    key_path = args[args.index("--key-file") + 1]
    write_key_file(key_path)
    user = args[args.index("--user-id") + 1]
    with Server(args=args, env=fake_env(home)) as srv:
        srv.initialize()
        assert names(srv) == all_tool_names()
        works_with_the_key(srv)
        sent = fake.requests(path_prefix="/list_saved_items")[-1]
        assert sent["headers"]["x-auth-key"] == user, sent
    p = subprocess.run([BINARY, "--check"] + args, capture_output=True,
                       text=True, env=fake_env(home))
    assert p.returncode == 0 and "from --key-file" in p.stdout, p.stdout
    shutil.rmtree(home)


# ---- names and the README ---------------------------------------------------

# Claude Code names a tool mcp__<server>__<tool> and refuses names over 64
# characters; the catalog grows, so leave room for names 2 longer still.
NAME_LIMIT = 64
NAME_GROWTH = 2


def readme_configs():
    with open(os.path.join(REPO_ROOT, "README.md")) as f:
        text = f.read()
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    return [json.loads(b) for b in blocks]


def config_servers(config):
    return list((config.get("mcpServers") or config.get("servers") or {}))


def every_server_name():
    found = {}
    for d, _dirs, files in os.walk(EXAMPLES):
        for name in files:
            path = os.path.join(d, name)
            rel = os.path.relpath(path, EXAMPLES)
            if name.endswith(".json") and "extension" not in rel:
                with open(path) as f:
                    for server in config_servers(json.load(f)):
                        found[server] = rel
    with open(example("claude-code/add-gumloop.sh")) as f:
        found[re.search(r"claude mcp add (\S+)", f.read()).group(1)] = \
            "claude-code/add-gumloop.sh"
    with open(example("claude-desktop/extension/manifest.json")) as f:
        found[json.load(f)["name"]] = "claude-desktop/extension/manifest.json"
    for config in readme_configs():
        for server in config_servers(config):
            found[server] = "README.md"
    return found


def test_every_server_name_keeps_claude_code_tool_names_within_64():
    tools = json.loads(subprocess.run(
        [BINARY, "--list-tools", "--json"], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin"}).stdout)
    longest = max(len(t["name"]) for t in tools) + NAME_GROWTH
    servers = every_server_name()
    assert "gumloop" in servers and len(servers) >= 3, servers
    for server, where in servers.items():
        full = len("mcp__%s__" % server) + longest
        assert full <= NAME_LIMIT, (
            "%s: server name '%s' makes tool names %d characters long "
            "(limit %d)" % (where, server, full, NAME_LIMIT))


def test_readme_configs_are_the_tested_example_files():
    examples = []
    for d, _dirs, files in os.walk(EXAMPLES):
        for name in files:
            if name.endswith(".json") and "extension" not in d:
                with open(os.path.join(d, name)) as f:
                    examples.append(json.load(f))
    configs = readme_configs()
    assert len(configs) >= 4, configs
    for config in configs:
        assert config in examples, "README config is no example file: %s" % (
            json.dumps(config)[:200])


def test_readme_is_for_users_and_small():
    path = os.path.join(REPO_ROOT, "README.md")
    size = os.path.getsize(path)
    assert size <= 20 * 1024, "README.md is %d bytes (at most 20 KiB)" % size
    with open(path) as f:
        text = f.read()
    heads = [h for h in re.findall(r"^## (.+)$", text, re.M)]
    order = ["Quick start", "Your API key and user id", "Connect your client",
             "What you can ask", "Security", "Troubleshooting", "Tools"]
    assert [h for h in heads if h in order] == order, heads
    for doc in re.findall(r"\]\((docs/[^)#]+)\)", text):
        assert os.path.exists(os.path.join(REPO_ROOT, doc)), doc


# ---- Claude Code ---------------------------------------------------------

FAKE_CLAUDE = """#!/bin/sh
# Records its arguments as JSON, as the real 'claude mcp add' would store them.
python3 -c 'import json, sys; json.dump(sys.argv[1:], open(sys.argv[1], "w"))' \
    "$CLAUDE_ARGS_FILE" "$@"
"""


def parse_claude_mcp_add(argv):
    """(name, scope, env, command, args) of a 'claude mcp add' line."""
    argv = argv[1:]                  # the record file
    assert argv[:2] == ["mcp", "add"], argv
    rest, name, scope, env = argv[2:], None, "local", {}
    while rest[0] != "--":
        a = rest.pop(0)
        if a in ("-e", "--env"):
            k, v = rest.pop(0).split("=", 1)
            env[k] = v
        elif a in ("-s", "--scope"):
            scope = rest.pop(0)
        else:
            assert name is None, argv
            name = a
    return name, scope, env, rest[1], rest[2:]


def run_add_script(home, args, key=KEY):
    bindir = os.path.join(home, "bin")
    os.makedirs(bindir, exist_ok=True)
    claude = os.path.join(bindir, "claude")
    with open(claude, "w") as f:
        f.write(FAKE_CLAUDE)
    os.chmod(claude, 0o755)
    if key:
        write_key_file(os.path.join(home, ".config/gumloop/api-key"), key)
    record = os.path.join(home, "claude-args.json")
    env = fake_env(home, {"PATH": bindir + ":" + os.environ["PATH"],
                          "GUMLOOP_USER_ID": "user-123",
                          "GUMLOOP_MCP": BINARY,
                          "CLAUDE_ARGS_FILE": record})
    p = subprocess.run([example("claude-code/add-gumloop.sh")] + args,
                       capture_output=True, text=True, env=env)
    recorded = None
    if os.path.exists(record):
        with open(record) as f:
            recorded = json.load(f)
    return p, recorded


def test_claude_code_script_checks_then_registers_a_working_server():
    home = tempfile.mkdtemp()
    p, recorded = run_add_script(home, ["--read-only"])
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert "key accepted" in p.stdout, p.stdout
    name, scope, env, command, args = parse_claude_mcp_add(recorded)
    assert (name, scope, command, args) == ("gumloop", "user", BINARY,
                                            ["--read-only"]), recorded
    assert KEY not in json.dumps(recorded), "the key itself was registered"
    with Server(args=args, env=fake_env(home, env)) as srv:
        srv.initialize()
        assert WRITE_TOOL not in names(srv)
        works_with_the_key(srv)
    shutil.rmtree(home)


def test_claude_code_script_refuses_a_missing_or_bad_key():
    home = tempfile.mkdtemp()
    p, recorded = run_add_script(home, [], key=None)
    assert p.returncode == 1 and "put your Gumloop API key" in p.stderr, p
    assert recorded is None
    p, recorded = run_add_script(home, [], key="sk-not-accepted")
    assert p.returncode == 1 and "key refused (HTTP 401" in p.stdout, p
    assert recorded is None
    shutil.rmtree(home)


# ---- shell ---------------------------------------------------------------

def shell_env(**extra):
    env = fake_env(tempfile.gettempdir(), {
        "GUMLOOP_API_KEY": KEY, "GUMLOOP_USER_ID": "user-123",
        "GUMLOOP_MCP": BINARY, "POLL_SECONDS": "0.1"})
    env.update(extra)
    return env


def test_list_flows_pipes_json_rpc_and_extracts_with_jq():
    p = subprocess.run([example("shell/list-flows.sh")], capture_output=True,
                       text=True, env=shell_env())
    assert p.returncode == 0, p
    rows = [line.split("\t") for line in p.stdout.splitlines()]
    assert ["flow_competitor_pricing", "Competitor Pricing Scraper"] in rows
    assert len(rows) == 4, rows


def test_list_flows_fails_loudly_on_a_tool_error():
    p = subprocess.run([example("shell/list-flows.sh")], capture_output=True,
                       text=True, env=shell_env(GUMLOOP_API_KEY="sk-wrong"))
    assert p.returncode != 0 and "HTTP 401" in p.stderr, p


def run_flow(*args, **env):
    return subprocess.run([example("shell/run-flow.sh")] + list(args),
                          capture_output=True, text=True,
                          env=shell_env(**env))


def test_run_flow_waits_for_the_outputs():
    for env in ({}, {"GUMLOOP_MCP_DENY_TOOLS": "wait_for_gumloop_flow_run"}):
        if env and "wait_for_gumloop_flow_run" not in all_tool_names():
            continue                  # no wait tool: the poll path ran above
        p = run_flow("flow_competitor_pricing",
                     '{"target_url": "https://example.com/p"}', **env)
        assert p.returncode == 0, (env, p)
        assert json.loads(p.stdout) == {
            "prices": "3 prices found at https://example.com/p"}, p.stdout
        assert "started run run_" in p.stderr


def test_run_flow_reports_a_failed_run_and_a_wrong_input():
    p = run_flow("flow_broken_import", '{"source_file": "x.csv"}')
    assert p.returncode == 1 and "ended FAILED" in p.stderr, p
    fake.reset()
    p = run_flow("flow_competitor_pricing", '{"url": "https://example.com"}')
    assert p.returncode == 1 and "no input named 'url'" in p.stderr, p
    assert not fake.requests(path_prefix="/start_pipeline")


def test_run_flow_stops_with_the_real_error_when_the_start_fails():
    fake.reset()
    p = run_flow("flow_competitor_pricing",
                 '{"target_url": "https://example.com/p"}',
                 GUMLOOP_API_KEY="sk-not-accepted")
    assert p.returncode == 1, p
    assert "create_a_gumloop_flow_run failed: HTTP 401" in p.stderr, p.stderr
    assert "started run" not in p.stderr and "404" not in p.stderr, p.stderr
    assert not fake.requests(path_prefix="/get_pl_run"), "it went on"


def test_make_demo_shows_the_input_refusal_whole():
    p = subprocess.run([sys.executable, os.path.join(REPO_ROOT, "test",
                                                     "demo.py")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, (p.stdout[-2000:], p.stderr[-2000:])
    refused = subprocess.run(
        [BINARY, "--call", WRITE_TOOL, json.dumps({
            "saved_item_id": "flow_competitor_pricing",
            "inputs": {"url": "https://example.com/pricing"}})],
        capture_output=True, text=True, env=shell_env())
    text = json.loads(refused.stdout)["error"]["message"]
    assert "nothing was started" in text and "target_url" in text, text
    assert " ".join(text.split()) in " ".join(p.stdout.split()), p.stdout


def test_session_jsonl_gets_an_answer_for_every_request():
    """make demo's session: every request answered with a result; the one
    deliberate mistake (a wrong input name) is refused before a start."""
    with open(example("session.jsonl")) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    fake.reset()
    with Server(fake=fake) as srv:
        for msg in lines:
            srv.send(msg)
            if "id" not in msg:
                continue
            resp = srv.recv_response(msg["id"])
            assert "result" in resp, resp
            if resp["result"].get("isError"):
                assert "nothing was started" in resp["result"]["content"][0][
                    "text"], resp
    assert len(fake.requests(path_prefix="/start_pipeline")) >= 1


# ---- CI ------------------------------------------------------------------

def workflow():
    path = example("ci/github-actions.yml")
    with open(path) as f:
        text = f.read()
    assert "\t" not in text
    try:
        import yaml
    except ImportError:            # the text checks below still apply
        return text, None
    return text, yaml.safe_load(text)


def test_github_actions_smoke_job_runs_here():
    text, doc = workflow()
    if doc:
        steps = doc["jobs"]["smoke"]["steps"]
        runs = [s["run"] for s in steps if "run" in s]
    else:
        smoke = text[text.index("  smoke:"):text.index("  live-read-only:")]
        runs = re.findall(r"^\s+run: (.*)$", smoke, re.M)
    assert "examples/ci/smoke.sh" in runs, runs
    tried.add("ci/smoke.sh")
    for cmd in runs:
        if cmd.startswith("sudo "):
            continue              # the package install: done by .ci/run
        p = subprocess.run(["bash", "-ec", cmd], cwd=REPO_ROOT,
                           capture_output=True, text=True,
                           env={"PATH": os.environ["PATH"], "HOME": "/tmp"})
        assert p.returncode == 0, (cmd, p.stdout[-3000:], p.stderr[-3000:])
    assert "smoke test passed" in p.stdout, p.stdout


def test_github_actions_live_job_is_read_only_and_needs_the_secret():
    text, doc = workflow()
    live = text[text.index("  live-read-only:"):]
    assert "secrets.GUMLOOP_API_KEY" not in text[:text.index("  live-read-only:")]
    assert 'GUMLOOP_MCP_READ_ONLY: "1"' in live
    runs = re.findall(r"^\s+run: (.*)$", live, re.M)
    for cmd in runs:
        if "gumloop-mcp" in cmd and "make" not in cmd:
            assert "--read-only" in cmd, cmd
    if doc:
        steps = doc["jobs"]["live-read-only"]["steps"]
        assert all(s.get("if") == "env.GUMLOOP_API_KEY != ''" for s in steps)


def test_extension_manifest_builds_a_bundle():
    builder = example("claude-desktop/extension/mcpb.py")
    source = json.load(open(example("claude-desktop/extension/manifest.json")))
    with tempfile.TemporaryDirectory() as tmp:
        bundle = os.path.join(tmp, "gumloop-mcp.mcpb")
        subprocess.run([sys.executable, builder, BINARY, bundle], check=True,
                       capture_output=True)
        with zipfile.ZipFile(bundle) as z:
            built = json.loads(z.read("manifest.json"))
            assert "server/gumloop-mcp" in z.namelist()
    version = subprocess.run([BINARY, "--version"], capture_output=True,
                             text=True).stdout.split()[-1]
    assert built["name"] == source["name"] and built["version"] == version
    assert built["user_config"].keys() == source["user_config"].keys()


def test_every_example_is_tried():
    every = set()
    for d, _dirs, files in os.walk(EXAMPLES):
        for name in files:
            every.add(os.path.relpath(os.path.join(d, name), EXAMPLES))
    for rel in every:
        mode = os.stat(os.path.join(EXAMPLES, rel)).st_mode
        if rel.endswith(".sh"):
            assert mode & stat.S_IXUSR, "%s is not executable" % rel
    assert every - tried == set(), "untested examples: %s" % (every - tried)


if __name__ == "__main__":
    harness.main(globals())
