#!/usr/bin/env python3
"""The audit log through the real binary: one chained line per tools/call
(ok, error, refused by a filter, the expiry or an argument check), the
format of interface.md checked independently here with hashlib, the chain
continued across restarts, --verify-audit on intact and tampered logs."""
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import Fake  # noqa: E402
from mcp import BINARY, Server, base_env  # noqa: E402

fake = None
tmp = None
ZERO = "0" * 64
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
FIELDS = ["ts", "tool", "class", "outcome", "status", "ms", "args_sha256",
          "prev"]


def setup_module():
    global fake, tmp
    fake = Fake(run_ms=200, queue_ms=20)
    tmp = tempfile.mkdtemp(prefix="t-audit.")


def teardown_module():
    fake.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def log_path(name):
    return os.path.join(tmp, name)


def server(path, args=(), extra_env=None, use_env=False):
    fake.reset()
    env = dict(extra_env or {})
    if use_env:
        env["GUMLOOP_MCP_AUDIT_LOG"] = path
        args = list(args)
    else:
        args = ["--audit-log", path] + list(args)
    srv = Server(fake=fake, args=args, extra_env=env)
    srv.initialize()
    return srv


def sha(data):
    return hashlib.sha256(data).hexdigest()


def args_hash(arguments):
    """cJSON's compact printing of these simple values matches this."""
    return sha(json.dumps(arguments, separators=(",", ":")).encode())


def lines_of(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data.endswith(b"\n"), data[-100:]
    return data[:-1].split(b"\n")


def check_chain(path):
    """Verifies the file as anyone could: returns the parsed lines."""
    prev = ZERO
    out = []
    for raw in lines_of(path):
        entry = json.loads(raw)
        assert list(entry.keys()) == FIELDS, entry
        assert entry["prev"] == prev, (entry, prev)
        assert TS.match(entry["ts"]), entry["ts"]
        assert entry["outcome"] in ("ok", "error", "refused"), entry
        assert isinstance(entry["ms"], int) and entry["ms"] >= 0, entry
        prev = sha(raw)
        out.append(entry)
    return out


def verify(path):
    proc = subprocess.run([BINARY, "--verify-audit", path], env=base_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=20)
    return proc.returncode, (proc.stdout + proc.stderr).decode()


def test_every_call_is_recorded_with_its_outcome():
    path = log_path("calls.log")
    kill = {"run_id": "no-such-run"}
    with server(path, ["--deny-tools", "list_all_gumloop_workbooks"]) as srv:
        assert not srv.call("list_all_gumloop_flows").get("isError")
        assert srv.call("get_single_gumloop_flow_run_by_id", kill)["isError"]
        resp = srv.request("tools/call", {"name": "list_all_gumloop_workbooks",
                                          "arguments": {}})
        assert resp["error"]["code"] == -32602
        res = srv.call("list_all_gumloop_flows", {"bogus": 1})
        assert res["isError"]
        resp = srv.request("tools/call", {"name": "no_such_tool",
                                          "arguments": {"x": "y"}})
        assert "error" in resp
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    entries = check_chain(path)
    got = [(e["tool"], e["class"], e["outcome"], e["status"]) for e in entries]
    assert got == [
        ("list_all_gumloop_flows", "read", "ok", 200),
        ("get_single_gumloop_flow_run_by_id", "read", "error", 404),
        ("list_all_gumloop_workbooks", "read", "refused", None),
        ("list_all_gumloop_flows", "read", "refused", None),
        ("no_such_tool", None, "refused", None),
    ], got
    assert entries[0]["args_sha256"] == args_hash({})
    assert entries[1]["args_sha256"] == args_hash(kill)
    assert entries[3]["args_sha256"] == args_hash({"bogus": 1})
    # no argument value is written
    with open(path) as f:
        assert "no-such-run" not in f.read()
    assert verify(path) == (0, "audit log '%s': intact, 5 lines\n" % path)


def test_key_order_is_the_order_received():
    path = log_path("order.log")
    with server(path) as srv:
        srv.send_raw('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":'
                     '{"name":"get_single_gumloop_flow_run_by_id","arguments":'
                     '{"user_id":"user-123","run_id":"r-9"}}}\n')
        srv.recv_response(1)
    entry = check_chain(path)[0]
    assert entry["args_sha256"] == sha(
        b'{"user_id":"user-123","run_id":"r-9"}'), entry


def test_expired_and_write_refusals_are_recorded():
    path = log_path("expired.log")
    with server(path, ["--expires-at", "2020-01-01T00:00:00Z"]) as srv:
        assert srv.call("kill_a_gumloop_flow_run", {"run_id": "r1"})["isError"]
    entries = check_chain(path)
    assert [(e["tool"], e["class"], e["outcome"]) for e in entries] == [
        ("kill_a_gumloop_flow_run", "write", "refused")], entries
    assert fake.requests() == []


def test_chain_continues_across_restarts_and_env_variable():
    path = log_path("restart.log")
    with server(path) as srv:
        srv.call("list_all_gumloop_flows")
    with server(path, use_env=True) as srv:
        srv.call("list_all_gumloop_flows")
        srv.call("list_all_gumloop_workbooks")
    proc = subprocess.run(
        [BINARY, "--audit-log", path, "--call", "list_all_gumloop_flows"],
        env=base_env(fake), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        timeout=20)
    assert proc.returncode == 0, proc.stderr
    entries = check_chain(path)
    assert len(entries) == 4, entries
    assert entries[0]["prev"] == ZERO and entries[1]["prev"] != ZERO
    assert verify(path)[0] == 0


def test_an_existing_log_keeps_its_mode_and_is_appended():
    path = log_path("existing.log")
    with server(path) as srv:
        srv.call("list_all_gumloop_flows")
    before = open(path, "rb").read()
    with server(path) as srv:
        srv.call("list_all_gumloop_flows")
    after = open(path, "rb").read()
    assert after.startswith(before) and len(after) > len(before)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_tampering_is_caught_at_the_right_line():
    path = log_path("tamper.log")
    with server(path) as srv:
        for _ in range(4):
            srv.call("list_all_gumloop_flows")
    assert verify(path)[0] == 0
    lines = lines_of(path)

    def write(new_lines):
        with open(path, "wb") as f:
            f.write(b"\n".join(new_lines) + b"\n")

    edited = list(lines)
    edited[1] = edited[1].replace(b'"outcome":"ok"', b'"outcome":"error"')
    write(edited)
    rc, out = verify(path)
    assert rc == 1 and "broken at line 3:" in out and "line 2" in out, out
    write(lines[:2] + lines[3:])
    rc, out = verify(path)
    assert rc == 1 and "broken at line 3:" in out, out
    write(lines[1:])
    rc, out = verify(path)
    assert rc == 1 and "broken at line 1:" in out, out
    write(lines[:3] + [b'{"ts": "spliced"}'] + lines[3:])
    rc, out = verify(path)
    assert rc == 1 and "broken at line 4:" in out, out
    write(lines)
    assert verify(path)[0] == 0


def test_verify_reports_an_unreadable_file():
    rc, out = verify(log_path("does-not-exist.log"))
    assert rc == 2 and "cannot read" in out, out
    rc, out = verify(tmp)
    assert rc == 2, out


def test_an_audit_log_that_cannot_be_opened_stops_the_server():
    path = os.path.join(tmp, "no-such-dir", "audit.log")
    proc = subprocess.run([BINARY, "--audit-log", path], env=base_env(fake),
                          input=b"", stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=20)
    assert proc.returncode == 2, proc
    assert b"cannot open audit log" in proc.stderr, proc.stderr
    assert proc.stdout == b""


def test_no_audit_flag_writes_no_file():
    with server(log_path("unused.log"), []) as srv:
        pass
    before = set(os.listdir(tmp))
    fake.reset()
    with Server(fake=fake) as srv:
        srv.initialize()
        srv.call("list_all_gumloop_flows")
    assert set(os.listdir(tmp)) == before


if __name__ == "__main__":
    harness.main(globals())
