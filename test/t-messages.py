#!/usr/bin/env python3
"""Messages that send people the right way (issue 18), and the settings
that must be refused or cleaned up at start (issue 17: key files, base
URLs, --call's output bytes): each through the real binary against the
fake Gumloop."""
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import BINARY, Server, base_env, run_once  # noqa: E402

KEY = "sk-messages-test-0123456789"
PERSONAL = "sk-personal-key-0123456789"
fake = SharedFake(keys=["test-key", KEY], personal_keys=[PERSONAL],
                  run_ms=100, queue_ms=10)
WRITE_TOOL = "create_a_gumloop_flow_run"


def run(args, **kw):
    kw.setdefault("fake", fake)
    return run_once(args, **kw)


def listed(p):
    return [line.split()[0] for line in p.stdout.splitlines()[1:]]


def key_file(data, mode=0o600):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "key")
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


# ---- switches -------------------------------------------------------------

def test_a_switch_value_outside_the_lists_stops_the_server():
    for var in ("GUMLOOP_MCP_READ_ONLY", "GUMLOOP_MCP_DISCOVERY"):
        for value in ("ture", "y", "maybe", "true ", "2"):
            for mode in (["--list-tools"], ["--check"], []):
                p = run(mode, extra={var: value}, input="")
                assert p.returncode == 2, (var, value, mode, p)
                assert p.stdout == "", (var, value, p.stdout)
                assert "invalid %s value '%s'" % (var, value) in p.stderr, \
                    p.stderr
                assert "1, true, yes or on" in p.stderr, p.stderr


def test_a_switch_takes_every_listed_value_in_any_case():
    for value in ("1", "TRUE", "Yes", "on"):
        p = run(["--list-tools"], extra={"GUMLOOP_MCP_READ_ONLY": value})
        assert p.returncode == 0 and WRITE_TOOL not in listed(p), (value, p)
    for value in ("0", "False", "NO", "off", ""):
        p = run(["--list-tools"], extra={"GUMLOOP_MCP_READ_ONLY": value})
        assert p.returncode == 0 and WRITE_TOOL in listed(p), (value, p)
    with Server(fake=fake, extra_env={"GUMLOOP_MCP_DISCOVERY": "On"}) as srv:
        srv.initialize()
        names = [t["name"] for t in srv.list_tools()]
    assert "search_gumloop_tools" in names and len(names) == 3, names
    # the flag wins over the variable
    p = run(["--list-tools", "--read-only"],
            extra={"GUMLOOP_MCP_READ_ONLY": "off"})
    assert WRITE_TOOL not in listed(p), p.stdout


# ---- flags and names --------------------------------------------------------

def test_a_mistyped_flag_names_the_closest_one():
    p = run(["--read-onyl"])
    assert p.returncode == 2 and p.stdout == "", p
    assert "unknown option '--read-onyl': did you mean '--read-only'?" \
        in p.stderr, p.stderr
    p = run(["--timout=5"])
    assert "did you mean '--timeout'?" in p.stderr, p.stderr
    p = run(["--read-only=1"])
    assert p.returncode == 2 and "'--read-only' takes no value" in p.stderr
    p = run(["--zzzzzzzz"])
    assert p.returncode == 2 and "did you mean" not in p.stderr, p.stderr


def test_dash_h_is_help():
    p, q = run(["-h"]), run(["--help"])
    assert p.returncode == 0 and p.stdout == q.stdout and p.stdout, p
    assert "also -h" in p.stdout


def test_a_filter_typo_names_the_closest_tools_not_all_of_them():
    for flag in ("--tools", "--deny-tools"):
        p = run([flag, "list_gumloop_flows", "--list-tools"])
        assert p.returncode == 2 and p.stdout == "", p
        line = p.stderr.strip()
        assert "unknown tool 'list_gumloop_flows' in %s" % flag in line, line
        assert "did you mean 'list_all_gumloop_flows'?" in line, line
        assert "--list-tools" in line and len(line) < 300, line
    p = run(["--tools", "qqqqqqqqqqqq", "--list-tools"])
    assert p.returncode == 2 and "did you mean" not in p.stderr, p.stderr
    assert len(p.stderr) < 300, p.stderr


def test_call_of_an_unknown_tool_suggests_names_and_list_tools():
    p = run(["--call", "list_gumloop_flows"])
    assert p.returncode == 2 and p.stdout == "", p
    assert "unknown tool 'list_gumloop_flows': did you mean " \
        "'list_all_gumloop_flows'?" in p.stderr, p.stderr
    assert "gumloop-mcp --list-tools" in p.stderr, p.stderr
    assert "tools/list" not in p.stderr, p.stderr


def test_bad_json_to_call_says_where_it_broke():
    p = run(["--call", "list_all_gumloop_flows", '{"a": 1,\n  "b": nope}'])
    assert p.returncode == 2 and p.stdout == "", p
    assert "not valid JSON" in p.stderr, p.stderr
    assert "line 2, column 8" in p.stderr, p.stderr
    assert "must be a JSON object" in p.stderr, p.stderr
    p = run(["--call", "list_all_gumloop_flows", "-"], input='{"a": 1')
    assert "line 1, column 8" in p.stderr, p.stderr


def test_a_type_mismatch_reads_an_object():
    p = run(["--call", WRITE_TOOL, '{"saved_item_id": "x", "inputs": [1]}'])
    assert p.returncode == 1, p
    assert "expected an object" in p.stderr, p.stderr
    assert "a object" not in p.stdout + p.stderr


def test_a_terminal_with_nothing_piped_in_gets_one_hint():
    master, slave = pty.openpty()
    proc = subprocess.Popen([BINARY], stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=base_env(fake))
    os.close(slave)
    err = b""
    deadline = time.time() + 10
    while b"--check" not in err and time.time() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.5)
        if ready:
            err += os.read(proc.stderr.fileno(), 4096)
    os.write(master, b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n')
    os.write(master, b"\x04")       # Ctrl-D: end of input
    out, rest = proc.communicate(timeout=10)
    os.close(master)
    err += rest
    text = err.decode()
    assert "MCP server" in text and "stdin" in text, text
    assert "--help" in text and "--check" in text and "--call" in text, text
    assert text.count("MCP server") == 1, text
    assert json.loads(out.decode().splitlines()[0])["id"] == 1, out
    # piped input: no hint
    p = run([], input="")
    assert "MCP server" not in p.stderr, p.stderr


# ---- personal keys and the user id -------------------------------------------

def test_a_personal_key_without_user_id_says_what_is_missing():
    p = run(["--check"], key=PERSONAL, user=None)
    assert p.returncode == 1, p.stdout
    assert "no user id is set, and a personal API key needs one" in p.stdout
    assert "GUMLOOP_USER_ID" in p.stdout and "--user-id" in p.stdout
    assert "revoked" not in p.stdout, p.stdout
    p = run(["--call", "list_all_gumloop_agents"], key=PERSONAL, user=None)
    assert p.returncode == 1, p
    assert "No user id is set, and a personal API key needs one" \
        in p.stderr, p.stderr
    # with the user id it works, and the flag does as the variable does
    p = run(["--call", "list_all_gumloop_agents", "--user-id", "user-123"],
            key=PERSONAL, user=None)
    assert p.returncode == 0, p
    sent = fake.requests(path_prefix="/agents")[-1]["headers"]
    assert sent["x-auth-key"] == "user-123", sent


def test_a_missing_user_id_names_the_flag_too():
    p = run(["--call", "list_all_gumloop_flows"], user=None)
    assert p.returncode == 1, p
    assert "no user id" in p.stderr and "--user-id" in p.stderr, p.stderr
    p = run(["--check"], user=None)
    assert "no user id (--user-id or GUMLOOP_USER_ID)" in p.stdout, p.stdout
    p = run(["--user-id", "", "--check"], user=None)
    assert "no user id (--user-id or GUMLOOP_USER_ID)" in p.stdout, p.stdout


def test_check_verifies_the_user_id_only_by_what_gumloop_lists():
    p = run(["--check"])
    assert p.returncode == 0, p.stdout
    assert "key accepted: user 'user-123' verified: Gumloop lists 4 flows" \
        in p.stdout, p.stdout
    fake.fault(path="/api/v1/list_saved_items", status=200,
               body={"saved_items": []})
    p = run(["--check"], user="nobody")
    assert re.search(r"^warn  key accepted, but user id 'nobody' not "
                     r"verified: Gumloop lists no flows", p.stdout, re.M), \
        p.stdout
    assert "verified:" not in p.stdout.replace("not verified:", ""), p.stdout
    assert "acts for" not in p.stdout, p.stdout
    assert "see the warnings" in p.stdout, p.stdout
    p = run(["--check", "--expires-at", "2001-01-01"])
    assert "key not tested: fix the failures above first (user id not " \
        "verified)" in p.stdout, p.stdout


# ---- key files (issue 17, item 7) ------------------------------------------

def test_a_key_file_gives_its_first_line_trimmed_bom_included():
    path = key_file(b"\xef\xbb\xbf  \t" + KEY.encode() + b" \r\n\n")
    for how in ({"args": ["--key-file", path], "key": None},
                {"args": [], "key": None,
                 "extra": {"GUMLOOP_API_KEY_FILE": path}}):
        p = run(how["args"] + ["--call", "list_all_gumloop_flows"],
                key=how["key"], extra=how.get("extra"))
        assert p.returncode == 0, (how, p)
        sent = fake.requests(path_prefix="/list_saved_items")[-1]["headers"]
        assert sent["authorization"] == "Bearer " + KEY, sent


def test_a_key_file_with_more_than_the_key_is_refused_clearly():
    cases = ((KEY.encode() + b"\nsecond line\n", "holds more than one line"),
             (KEY.encode() + b"\rx", "holds more than one line"),
             (b"sk-a b", "holds a space or control character"),
             (b"sk-\xc3\xa9", "holds a character that is not ASCII"),
             (b" \n \n", "is empty"),
             (b"k" * 4097, "is over 4096 bytes"),
             (KEY.encode() + b"\n" + b" " * 5000, "is over 4096 bytes"))
    for data, words in cases:
        path = key_file(data)
        before = len(fake.requests())
        p = run(["--key-file", path, "--check"], key=None)
        assert p.returncode == 1, (data[:20], p.stdout)
        assert re.search(r"^FAIL  credentials: --key-file '%s' %s" % (
            re.escape(path), re.escape(words)), p.stdout, re.M), p.stdout
        p = run(["--call", "list_all_gumloop_flows"], key=None,
                extra={"GUMLOOP_API_KEY_FILE": path})
        assert p.returncode == 1, p
        assert "GUMLOOP_API_KEY_FILE '%s' %s" % (path, words) in p.stderr
        assert len(fake.requests()) == before, "a request was sent"
        assert "second line" not in p.stdout + p.stderr


def test_the_trimmed_key_is_redacted_when_gumloop_echoes_it():
    path = key_file(b"\xef\xbb\xbf " + KEY.encode() + b"\n")
    fake.fault(path="/api/v1/list_saved_items", status=200,
               body={"saved_items": [{"saved_item_id": "f1", "name": KEY}]})
    p = run(["--key-file", path, "--call", "list_all_gumloop_flows"],
            key=None)
    assert p.returncode == 0, p
    assert KEY not in p.stdout + p.stderr, p.stdout
    assert "saved_items" in p.stdout, p.stdout


def test_key_file_and_user_id_flags_beat_the_environment():
    path = key_file(KEY.encode() + b"\n")
    p = run(["--key-file", path, "--user-id", "user-flag", "--call",
             "list_all_gumloop_flows"], key="sk-env-key-not-accepted",
            user="user-env")
    assert p.returncode == 0, p
    sent = fake.requests(path_prefix="/list_saved_items")[-1]
    assert sent["headers"]["authorization"] == "Bearer " + KEY, sent
    assert sent["headers"]["x-auth-key"] == "user-flag", sent
    p = run(["--key-file", path, "--check"], key="sk-env-key-not-accepted")
    assert "credentials: from --key-file" in p.stdout, p.stdout
    assert "GUMLOOP_API_KEY is set too but not read: --key-file wins" \
        in p.stdout, p.stdout
    assert "sk-env-key-not-accepted" not in p.stdout + p.stderr


# ---- base URLs (issue 17, item 8) -------------------------------------------

def test_a_base_url_with_userinfo_query_or_fragment_is_refused():
    pw = "Pa55w0rd-never-printed"
    url = fake.base_url.replace("http://", "http://someone:%s@" % pw)
    bad = ((url, "user name or password"),
           (fake.base_url + "?team=1", "query ('?') or fragment ('#')"),
           (fake.base_url + "#x", "query ('?') or fragment ('#')"))
    for value, words in bad:
        for how in ({"args": ["--base-url", value], "name": "--base-url"},
                    {"args": ["--stream-base-url", value],
                     "name": "--stream-base-url"},
                    {"extra": {"GUMLOOP_BASE_URL": value},
                     "name": "GUMLOOP_BASE_URL"}):
            for mode in (["--check"], ["--log-level", "debug", "--call",
                                       "list_all_gumloop_flows"], []):
                before = len(fake.requests())
                p = run(how.get("args", []) + mode, input="",
                        env=base_env(fake, extra=how.get("extra")))
                assert p.returncode == 2, (value, how, mode, p)
                assert p.stdout == "", p.stdout
                assert "invalid %s" % how["name"] in p.stderr, p.stderr
                assert words in p.stderr, p.stderr
                assert pw not in p.stderr, p.stderr
                assert len(fake.requests()) == before


# ---- --call's output bytes (issue 17, item 16) --------------------------------

def raw_fault(path, body_bytes):
    """A fault whose body carries bytes JSON text cannot spell."""
    data = (b'{"path": "' + path.encode() + b'", "status": 200, "body": "' +
            body_bytes.replace(b'"', b'\\"') + b'"}')
    req = urllib.request.Request(fake.root_url + "/_fake/fault", data=data,
                                 method="POST")
    req.add_header("Content-Type", "application/json")
    urllib.request.urlopen(req, timeout=10).read()


def test_call_prints_invalid_utf8_from_gumloop_repaired():
    for pretty in (False, True):
        raw_fault("/api/v1/list_saved_items",
                  b'{"saved_items": [{"saved_item_id": "f1", '
                  b'"name": "caf\xe9 \xff\xfe ok \xc3\xa9"}]}')
        if pretty:
            master, slave = pty.openpty()
            proc = subprocess.Popen(
                [BINARY, "--call", "list_all_gumloop_flows"], stdout=slave,
                stderr=subprocess.PIPE, env=base_env(fake))
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
        else:
            p = subprocess.run([BINARY, "--call", "list_all_gumloop_flows"],
                               capture_output=True, env=base_env(fake))
            assert p.returncode == 0, p
            out = p.stdout
        text = out.decode("utf-8")      # strict: valid UTF-8 or it raises
        name = json.loads(text)["saved_items"][0]["name"]
        assert name == "caf\ufffd \ufffd\ufffd ok \u00e9", repr(name)


if __name__ == "__main__":
    harness.main(globals())
