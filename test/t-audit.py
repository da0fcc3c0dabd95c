#!/usr/bin/env python3
"""The audit log through the real binary: one chained line per tools/call
(ok, error, refused by a filter, the expiry or an argument check), the
format of interface.md checked independently here with hashlib, the chain
continued across restarts, --verify-audit on intact and tampered logs."""
import hashlib
import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import Fake  # noqa: E402
from mcp import BINARY, Server, base_env, run_once, text_of  # noqa: E402

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


START = "create_a_gumloop_flow_run"


def start_args(n):
    return {"saved_item_id": "flow_competitor_pricing", "force": True,
            "inputs": {"target_url": "https://example.com/%d" % n}}


def reads(srv, n):
    """n read calls, pipelined (never both pipes full)."""
    for first in range(1, n + 1, 100):
        ids = range(first, min(first + 100, n + 1))
        srv.send_raw("".join(
            '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":'
            '{"name":"list_all_gumloop_flows","arguments":{}}}\n' % i
            for i in ids))
        for i in ids:
            srv.recv_response(i, timeout=60)


def disk_full(srv, path, room=0):
    """The file may grow room bytes more: past them a write fails (EFBIG,
    as ENOSPC would), partly written when room > 0. Root needs no mount.
    The limit holds for every file the server writes: its stderr (a file
    here) stays far below it, the log being over 64 KiB already."""
    reads(srv, 250)
    assert os.path.getsize(path) > 64 << 10
    limit = os.path.getsize(path) + room
    resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE,
                     (limit, resource.RLIM_INFINITY))


def disk_freed(srv):
    resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE,
                     (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def starts():
    return len(fake.requests(path_prefix="/start_pipeline"))


def test_a_full_disk_refuses_writes_until_the_log_takes_lines_again():
    path = log_path("full.log")
    with server(path) as srv:
        assert not srv.call("list_all_gumloop_flows").get("isError")
        disk_full(srv, path, room=40)   # a torn line, cut off again
        # the write that finds the disk full was sent: its result says so
        res = srv.call(START, start_args(1))
        assert not res.get("isError"), res
        assert starts() == 1
        assert "not in the audit log" in text_of(res), res
        assert "File too large" in text_of(res), res
        assert "cannot write audit log" in srv.stderr(), srv.stderr()
        assert os.path.getsize(path) == len(open(path, "rb").read())
        # from then on every write and custom tool is refused, unsent
        for name, args in ((START, start_args(2)),
                           ("create_a_gumloop_mcp_tool_call",
                            {"calls": []})):
            res = srv.call(name, args)
            assert res.get("isError"), res
            assert "refused: cannot write audit log" in text_of(res), res
        assert starts() == 1
        # reads go on, and say they are not recorded
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError") and "not in the audit log" in \
            text_of(res), res
        assert verify(path)[0] == 0     # no torn line was left
        disk_freed(srv)
        res = srv.call(START, start_args(3))
        assert not res.get("isError") and "audit" not in text_of(res), res
        assert starts() == 2
        assert "written again" in srv.stderr(), srv.stderr()
    # the held lines were written in order: nothing is missing
    entries = check_chain(path)
    assert all(e["outcome"] == "ok" for e in entries[:251])
    got = [(e["tool"], e["outcome"]) for e in entries[250:]]
    assert got == [("list_all_gumloop_flows", "ok"), (START, "ok"),
                   (START, "refused"),
                   ("create_a_gumloop_mcp_tool_call", "refused"),
                   ("list_all_gumloop_flows", "ok"), (START, "ok")], got
    assert verify(path) == (0, "audit log '%s': intact, 256 lines\n" % path)


def test_lines_lost_while_the_disk_was_full_break_the_chain():
    """Past what is held in memory the oldest lines go; the next line
    written is chained to them, so --verify-audit does not say intact."""
    path = log_path("lost.log")
    n = 4000    # some 1.1 MiB of lines: over what is held
    with server(path) as srv:
        srv.call("list_all_gumloop_flows")
        disk_full(srv, path)
        reads(srv, n)
        disk_freed(srv)
        srv.call("list_all_gumloop_flows")
    rc, out = verify(path)
    assert rc == 1 and "broken at line 252:" in out, out
    assert len(lines_of(path)) < 250 + n, len(lines_of(path))


def test_lines_still_held_at_exit_are_said_on_stderr():
    """What never reached the file cannot show in it: stderr says so."""
    path = log_path("exit.log")
    srv = server(path)
    with srv:
        disk_full(srv, path)
        srv.call("list_all_gumloop_flows")
        srv.call("list_all_gumloop_flows")
    assert "2 audit lines could not be written" in srv.stderr(), \
        srv.stderr()
    assert len(lines_of(path)) == 250


def test_a_removed_log_refuses_writes_until_it_is_created_again():
    path = log_path("removed.log")
    with server(path) as srv:
        srv.call("list_all_gumloop_flows")
        os.unlink(path)
        # seen before the write is sent, not after
        res = srv.call(START, start_args(4))
        assert res.get("isError") and "refused" in text_of(res), res
        assert "was removed" in text_of(res), res
        assert starts() == 0
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError") and "was removed" in text_of(res), res
        open(path, "w").close()
        res = srv.call(START, start_args(5))
        assert not res.get("isError"), res
        assert starts() == 1
    # the new file starts mid-chain: the lines before it are gone
    rc, out = verify(path)
    assert rc == 1 and "broken at line 1:" in out, out
    assert [json.loads(l)["outcome"] for l in lines_of(path)] == \
        ["refused", "ok", "ok"]


def test_a_huge_tool_name_does_not_stop_the_next_start():
    path = log_path("huge.log")
    name = "x" * ((16 << 20) - 1000)   # the longest line a request may be
    with server(path) as srv:
        resp = srv.request("tools/call", {"name": name, "arguments": {}},
                           timeout=60)
        assert "error" in resp
    entry = check_chain(path)[0]
    assert entry["tool"].startswith("x" * 128), entry["tool"][:200]
    assert len(entry["tool"]) < 200, len(entry["tool"])
    with server(path) as srv:
        assert not srv.call("list_all_gumloop_flows").get("isError")
    assert verify(path)[0] == 0


def test_check_reports_a_log_that_cannot_be_continued():
    path = log_path("long-line.log")
    with open(path, "wb") as f:
        f.write(b"x" * ((16 << 20) + 10) + b"\n")
    os.chmod(path, 0o600)
    proc = run_once(["--check", "--audit-log", path], fake=fake)
    assert proc.returncode != 0, proc
    assert "cannot continue audit log" in proc.stdout + proc.stderr, proc
    ok = log_path("fine.log")
    with server(ok) as srv:
        srv.call("list_all_gumloop_flows")
    proc = run_once(["--check", "--audit-log", ok], fake=fake)
    assert "audit log: %s" % ok in proc.stdout + proc.stderr, proc


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
