#!/usr/bin/env python3
"""The command line: --help, --version, --list-tools, --call, --check,
through the real binary against the fake Gumloop."""
import json
import os
import pty
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from helptext import help_entries  # noqa: E402
from mcp import BINARY, REPO_ROOT, Server, base_env, run_once  # noqa: E402

SECRET = "sk-cli-test-0123456789abcdef"
fake = SharedFake(keys=["test-key", SECRET], run_ms=100, queue_ms=10)


def run(args, **kw):
    kw.setdefault("fake", fake)
    return run_once(args, **kw)


def config_table_flags():
    """Every flag spelled in config.c's options[] table."""
    with open(os.path.join(REPO_ROOT, "src", "config.c")) as f:
        src = f.read()
    table = src[src.index("options[] = {"):src.index("env_only[] = {")]
    return re.findall(r'\{ "(--[a-z-]+)"', table)


# ---- --help, --version -------------------------------------------------

def test_help_lists_every_flag_and_variable_with_its_default():
    p = run(["--help"])
    assert p.returncode == 0 and p.stderr == "", p
    entries = help_entries(p.stdout)
    flags = [e.name for e in entries if e.name.startswith("--")]
    assert flags and sorted(flags) == sorted(config_table_flags()), flags
    for e in entries:
        if e.env or e.name.startswith("GUMLOOP_"):
            assert e.default, "no default shown for %s" % e.name
    envs = {e.env for e in entries if e.env} | {
        e.name for e in entries if e.name.startswith("GUMLOOP_")}
    for var in ("GUMLOOP_API_KEY", "GUMLOOP_API_KEY_FILE",
                "GUMLOOP_ACCESS_TOKEN", "GUMLOOP_USER_ID", "GUMLOOP_BASE_URL",
                "GUMLOOP_MCP_READ_ONLY", "GUMLOOP_MCP_CACERT"):
        assert var in envs, var
    assert dict((e.name, e.default) for e in entries)["--timeout"] == "30"
    assert all(len(line) <= 78 for line in p.stdout.splitlines())


def test_version_matches_the_header():
    with open(os.path.join(REPO_ROOT, "include", "version.h")) as f:
        version = re.search(r'"([0-9][^"]*)"', f.read()).group(1)
    p = run(["--version"])
    assert p.returncode == 0 and p.stdout == "gumloop-mcp %s\n" % version, p


def test_bad_options_exit_2_with_a_message_on_stderr():
    for args, words in ((["--nope"], "unknown option '--nope'"),
                        (["--timeout"], "needs a value"),
                        (["--timeout", "soon"], "invalid --timeout"),
                        (["--json"], "--json goes with --list-tools"),
                        (["--tools", "no_such_tool", "--list-tools"],
                         "unknown tool 'no_such_tool'")):
        p = run(args)
        assert p.returncode == 2, (args, p)
        assert p.stdout == "" and words in p.stderr, (args, p.stderr)


# ---- --list-tools --------------------------------------------------------

def listed_names():
    with Server(fake=fake) as srv:
        srv.initialize()
        return [t["name"] for t in srv.list_tools()]


def test_list_tools_table_matches_tools_list():
    p = run(["--list-tools"])
    assert p.returncode == 0, p
    lines = p.stdout.splitlines()
    assert lines[0].split()[:3] == ["TOOL", "CLASS", "TAG"], lines[0]
    rows = [line.split(None, 3) for line in lines[1:]]
    assert [r[0] for r in rows] == listed_names()
    assert {r[1] for r in rows} <= {"read", "write", "custom"}
    flows = dict((r[0], r) for r in rows)["create_a_gumloop_flow_run"]
    assert flows[1:3] == ["write", "flows"] and flows[3], flows


def test_list_tools_applies_the_filters():
    p = run(["--list-tools", "--read-only"])
    names = [line.split()[0] for line in p.stdout.splitlines()[1:]]
    assert names and "create_a_gumloop_flow_run" not in names, names
    assert "list_all_gumloop_flows" in names
    p = run(["--list-tools", "--tools", "list_all_gumloop_flows"])
    assert len(p.stdout.splitlines()) == 2, p.stdout


def test_list_tools_json_carries_schemas_class_and_tag():
    p = run(["--list-tools", "--json"])
    assert p.returncode == 0, p
    tools = json.loads(p.stdout)
    assert [t["name"] for t in tools] == listed_names()
    for t in tools:
        assert t["class"] in ("read", "write", "custom"), t
        assert t["tag"] and t["description"], t
        assert t["inputSchema"]["type"] == "object", t


# ---- --call --------------------------------------------------------------

def test_call_inline_prints_compact_json_in_a_pipe():
    p = run(["--call", "list_all_gumloop_flows", "{}"])
    assert p.returncode == 0, p
    assert p.stdout.count("\n") == 1, p.stdout
    names = [f["name"] for f in json.loads(p.stdout)["saved_items"]]
    assert "Competitor Pricing Scraper" in names


def test_call_without_arguments_means_an_empty_object():
    p = run(["--call", "list_all_gumloop_workbooks"])
    assert p.returncode == 0 and "workbooks" in json.loads(p.stdout), p


def test_call_arguments_from_a_file_and_from_stdin():
    args = {"saved_item_id": "flow_competitor_pricing"}
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(args, f)
        f.flush()
        p = run(["--call", "get_single_gumloop_automation_by_id", "@" + f.name])
    assert p.returncode == 0, p
    assert json.loads(p.stdout)["inputs"][0]["name"] == "target_url"
    p = run(["--call", "get_single_gumloop_automation_by_id", "-"],
            input=json.dumps(args))
    assert p.returncode == 0, p
    assert json.loads(p.stdout)["inputs"][0]["name"] == "target_url"


def test_call_runs_a_flow_to_its_outputs():
    p = run(["--call", "create_a_gumloop_flow_run",
             '{"saved_item_id":"flow_competitor_pricing",'
             '"inputs":{"target_url":"https://example.com/p"}}'])
    assert p.returncode == 0, p
    run_id = json.loads(p.stdout)["run_id"]
    fake_run = fake.requests(path_prefix="/start_pipeline")[-1]["body"]
    assert fake_run["pipeline_inputs"][0]["value"] == "https://example.com/p"
    for _ in range(200):
        p = run(["--call", "get_single_gumloop_flow_run_by_id",
                 json.dumps({"run_id": run_id})])
        state = json.loads(p.stdout)
        if state["state"] == "DONE":
            break
    assert "example.com/p" in state["outputs"]["prices"], state


def call_interrupted(fault=None):
    """--call create_a_gumloop_flow_run with wait_seconds, Ctrl-C once the
    create went out: (the process, its stdout, the audit lines)."""
    import signal
    import time
    log = os.path.join(tempfile.mkdtemp(), "audit.jsonl")
    fake.config(run_ms=60000)
    if fault:
        fake.fault(**fault)
    try:
        p = subprocess.Popen(
            [BINARY, "--audit-log", log, "--call",
             "create_a_gumloop_flow_run",
             '{"saved_item_id":"flow_competitor_pricing","wait_seconds":30}'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=base_env(fake, extra={"GUMLOOP_MCP_POLL_MS": "50"}))
        before = len(fake.requests(path_prefix="/start_pipeline"))
        deadline = time.time() + 10
        while len(fake.requests(path_prefix="/start_pipeline")) == before \
                and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=10)
    finally:
        fake.config(run_ms=100)
        fake.clear_faults()
    with open(log) as f:
        return p, out, [json.loads(line) for line in f]


def test_call_with_wait_seconds_and_ctrl_c_prints_the_run_and_audits_it():
    """The run started is printed with its run_id (timed out, to wait for
    again) and audited, whether Ctrl-C comes between polls or while the
    create's POST is in flight."""
    for fault in (None, {"path": "/api/v1/start_pipeline", "method": "POST",
                         "delay_ms": 800, "pass_through": True,
                         "times": 1}):
        p, out, lines = call_interrupted(fault)
        assert p.returncode == 0, (p.returncode, out)
        res = json.loads(out)
        assert res["run_id"].startswith("run_"), res
        assert res.get("timed_out") is True, res
        assert [(x["tool"], x["outcome"], x["status"]) for x in lines] == \
            [("create_a_gumloop_flow_run", "ok", 200)], lines


def test_call_pretty_prints_on_a_terminal():
    master, slave = pty.openpty()
    proc = subprocess.Popen([BINARY, "--call", "list_all_gumloop_workbooks"],
                            stdout=slave, stderr=subprocess.PIPE,
                            env=base_env(fake))
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(30) == 0
    text = out.decode().replace("\r\n", "\n")
    assert text.count("\n") > 3 and "\t" in text, text
    assert "workbooks" in json.loads(text)


def test_call_tool_error_exits_1_with_the_error_json():
    p = run(["--call", "get_single_gumloop_flow_run_by_id",
             '{"run_id":"no-such-run"}'])
    assert p.returncode == 1, p
    assert json.loads(p.stdout)["error"]["status"] == 404, p.stdout
    assert "HTTP 404" in p.stderr, p.stderr


def test_call_without_credentials_exits_1_and_says_why():
    p = run(["--call", "list_all_gumloop_flows"], key=None)
    assert p.returncode == 1, p
    assert "GUMLOOP_API_KEY" in p.stderr, p.stderr


def test_call_usage_errors_exit_2():
    cases = (
        (["--call", "no_such_tool"], "unknown tool 'no_such_tool'"),
        (["--call", "list_all_gumloop_flows", "[1]"], "must be a JSON object"),
        (["--call", "list_all_gumloop_flows", "{nope"], "must be a JSON object"),
        (["--call", "list_all_gumloop_flows", "@/nonexistent/args.json"],
         "cannot read arguments from '/nonexistent/args.json'"),
        (["--read-only", "--call", "kill_a_gumloop_flow_run", '{"run_id":"x"}'],
         "hidden by --read-only"),
        (["--call"], "needs a value"),
    )
    for args, words in cases:
        p = run(args)
        assert p.returncode == 2, (args, p)
        assert p.stdout == "" and words in p.stderr, (args, p.stderr)
    assert not fake.requests(path_prefix="/kill_pipeline")


def test_call_argument_check_failure_is_a_tool_error():
    p = run(["--call", "get_single_gumloop_flow_run_by_id", '{"run_id":5}'])
    assert p.returncode == 1 and "run_id" in p.stderr, p


# ---- --check -------------------------------------------------------------

def check(**kw):
    p = run(["--check"] + kw.pop("args", []), **kw)
    assert SECRET not in p.stdout + p.stderr
    return p


def test_check_with_a_good_key_names_the_user_and_exits_0():
    p = check(key=SECRET)
    assert p.returncode == 0, p.stdout
    assert "ok    credentials: from GUMLOOP_API_KEY" in p.stdout, p.stdout
    assert "key accepted: user 'user-123' verified: Gumloop lists 4 flows" \
        in p.stdout, p.stdout
    assert p.stdout.rstrip().endswith("all good"), p.stdout
    last = fake.requests()[-1]
    assert last["path"].endswith("/list_saved_items"), last


def test_check_reports_a_refused_key_as_401():
    p = check(key="sk-wrong-key")
    assert p.returncode == 1, p.stdout
    assert re.search(r"^FAIL  key refused \(HTTP 401", p.stdout, re.M), p.stdout
    assert "1 problem found" in p.stdout


def test_check_reports_a_forbidden_user_as_403():
    p = check(user="user-forbidden")
    assert p.returncode == 1, p.stdout
    assert "not allowed to act for 'user-forbidden' (HTTP 403" in p.stdout


def test_check_reports_an_unreachable_host():
    p = check(fake=None)   # base_env points at 127.0.0.1:9
    assert p.returncode == 1, p.stdout
    assert "could not be reached at http://127.0.0.1:9/api/v1" in p.stdout


def test_check_without_credentials_fails_without_a_call():
    before = len(fake.requests())
    p = check(key=None)
    assert p.returncode == 1, p.stdout
    assert "FAIL  credentials: no Gumloop credentials" in p.stdout, p.stdout
    assert "key not tested" in p.stdout
    assert len(fake.requests()) == before


def test_check_key_file_permissions_and_contents():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "key")
    with open(path, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(path, 0o644)
    p = check(key=None, extra={"GUMLOOP_API_KEY_FILE": path})
    assert p.returncode == 1 and "chmod 600" in p.stdout, p.stdout
    os.chmod(path, 0o600)
    p = check(key=None, extra={"GUMLOOP_API_KEY_FILE": path})
    assert p.returncode == 0, p.stdout
    assert "from GUMLOOP_API_KEY_FILE" in p.stdout
    os.unlink(path)
    os.rmdir(d)


def test_check_catches_bad_urls_cacert_filters_and_expiry():
    cases = (
        ({"extra": {"GUMLOOP_BASE_URL": "http://api.example.invalid/v1"}},
         "base URL"),
        ({"extra": {"GUMLOOP_STREAM_BASE_URL": "ftp://127.0.0.1/x"}},
         "not an http:// or https:// URL"),
        ({"args": ["--cacert", "/nonexistent/ca.pem"]},
         "CA bundle '/nonexistent/ca.pem': No such file"),
        ({"args": ["--cacert", os.path.join(REPO_ROOT, "LICENSE")]},
         "no PEM certificate"),
        ({"args": ["--tags", "files", "--tools", "list_all_gumloop_flows"]},
         "hide every one"),
        ({"args": ["--expires-at", "2001-01-01T00:00:00Z"]},
         "expired at 2001-01-01T00:00:00Z"),
        ({"args": ["--audit-log", "/nonexistent/dir/audit.log"]},
         "cannot be written"),
    )
    before = len(fake.requests())
    for kw, words in cases:
        p = check(**kw)
        assert p.returncode == 1, (kw, p.stdout)
        assert re.search("^FAIL .*" + re.escape(words), p.stdout, re.M), \
            (kw, p.stdout)
        assert "key not tested: fix the failures above first" in p.stdout
    assert len(fake.requests()) == before


def test_check_without_user_id_warns_and_skips_the_flow_probe():
    p = check(user=None)
    assert "warn  no user id (--user-id or GUMLOOP_USER_ID)" in p.stdout, \
        p.stdout
    assert p.returncode == 0, p.stdout


def test_check_ignores_filters_for_its_probe():
    p = check(args=["--deny-tools", "list_all_gumloop_flows"])
    assert p.returncode == 0 and "key accepted" in p.stdout, p.stdout


if __name__ == "__main__":
    harness.main(globals())
