#!/usr/bin/env python3
"""Protocol torture through the real binary: framing, bytes, sizes, JSON
limits, progress and cancellation, and the process itself (EOF at every
point, signals, closed pipes, a bare environment, 100 000 pipelined pings).

Each case states the reply it expects, and the server must answer a ping
afterwards. Line-by-line transcripts live in test/cases/ (t-cases.py).
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import Fake  # noqa: E402
from mcp import BINARY, Server, base_env, structured  # noqa: E402

VALGRIND = os.environ.get("VALGRIND") == "1"
MiB = 1 << 20
CAP = 16 * MiB          # the server's line limit
INIT = {"protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "torture", "version": "0"}}


def line(obj):
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def ping(id):
    return line({"jsonrpc": "2.0", "id": id, "method": "ping"})


def expect_result(srv, id):
    msg = srv.recv(timeout=120)
    assert msg == {"jsonrpc": "2.0", "id": id, "result": {}}, msg


def expect_error(srv, code, id=None):
    msg = srv.recv(timeout=120)
    assert msg.get("id", "missing") == id, msg
    assert msg.get("error", {}).get("code") == code, msg
    assert isinstance(msg["error"].get("message"), str), msg
    return msg


def still_alive(srv, id="alive"):
    """Nothing else pending, and a ping is answered."""
    assert srv.quiet(), "unexpected output: %r" % srv.read_line()
    srv.send_raw(ping(id))
    expect_result(srv, id)


def exits_zero(srv):
    assert srv.close(timeout=60) == 0, srv.stderr()[-2000:]


def memory_kib(pid):
    """(VmRSS, VmHWM) of a process, in KiB."""
    with open("/proc/%d/status" % pid) as f:
        fields = dict(l.split(":", 1) for l in f if ":" in l)
    return (int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]))


def memory_is_meaningful(pid):
    """Under valgrind or AddressSanitizer RSS says little about the server;
    without /proc (macOS) it is not read."""
    if VALGRIND or not os.path.exists("/proc/%d/maps" % pid):
        return False
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" not in f.read()


# ---- framing ---------------------------------------------------------------

def test_crlf_line_endings():
    with Server() as srv:
        srv.send_raw(ping(1)[:-1] + b"\r\n" + ping(2)[:-1] + b"\r\n")
        expect_result(srv, 1)
        expect_result(srv, 2)
        still_alive(srv)


def test_bom_on_the_first_line():
    with Server() as srv:
        srv.send_raw(b"\xef\xbb\xbf" + ping(1))
        expect_result(srv, 1)
        still_alive(srv)


def test_empty_and_whitespace_lines_are_skipped():
    with Server() as srv:
        srv.send_raw(b"\n\n \t \n\r\n" + ping(1) + b"\n  \n")
        expect_result(srv, 1)
        still_alive(srv)


def test_two_messages_in_one_write():
    with Server() as srv:
        srv.send_raw(ping(1) + ping(2))
        expect_result(srv, 1)
        expect_result(srv, 2)
        still_alive(srv)


def test_one_byte_at_a_time():
    with Server() as srv:
        data = line({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                     "params": INIT}) + ping(1)
        for i in range(len(data)):
            srv.send_raw(data[i:i + 1])
        assert srv.recv()["result"]["protocolVersion"] == "2025-11-25"
        expect_result(srv, 1)
        still_alive(srv)


def test_last_line_without_newline_then_eof():
    with Server() as srv:
        srv.send_raw(ping(1) + ping(2)[:-1])
        srv.proc.stdin.close()
        expect_result(srv, 1)
        expect_result(srv, 2)
        exits_zero(srv)


def padded_ping(id, size):
    """A valid ping line of exactly size bytes (newline included)."""
    head = b'{"jsonrpc":"2.0","id":%d,"method":"ping","params":{"pad":"' % id
    tail = b'"}}\n'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_long_lines_up_to_the_cap_are_whole_messages():
    with Server() as srv:
        for n, size in enumerate((8 << 10, 64 << 10, MiB, CAP), 1):
            data = padded_ping(n, size)
            assert len(data) == size
            srv.send_raw(data)
            expect_result(srv, n)
        still_alive(srv)


def test_over_cap_line_gets_exactly_one_error_and_is_never_split():
    # A batch of pings just over the cap: any piece of it, if the line
    # were split, would be answered or refused on its own.
    one = b'{"jsonrpc":"2.0","id":7,"method":"ping"}'
    count = CAP // (len(one) + 1) + 1
    data = b"[" + b",".join([one] * count) + b"]\n"
    assert CAP < len(data) < CAP + 1024
    with Server() as srv:
        srv.send_raw(data)
        msg = expect_error(srv, -32600)
        assert "16 MiB" in msg["error"]["message"], msg
        still_alive(srv)


def test_64_mib_line_keeps_memory_bounded():
    with Server() as srv:
        pid = srv.proc.pid
        chunk = b"x" * MiB
        srv.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"')
        for _ in range(64):
            srv.send_raw(chunk)
        srv.send_raw(b'"}}\n')
        expect_error(srv, -32600)
        still_alive(srv)
        if memory_is_meaningful(pid):
            rss, peak = memory_kib(pid)
            # The cap is 16 MiB: a buffer that kept growing would pass 64.
            assert peak < 48 * 1024, "peak RSS %d KiB" % peak


def test_invalid_utf8_and_nul_bytes_are_parse_errors():
    bad = [b'{"jsonrpc":"2.0","id":"\xff","method":"ping"}',
           b'{"jsonrpc":"2.0","id":"\xc0\xaf","method":"ping"}',   # overlong
           b'{"jsonrpc":"2.0","id":"\xe2\x82","method":"ping"}',   # truncated
           b'{"jsonrpc":"2.0","id":"\xed\xa0\x80","method":"ping"}',  # surrogate
           b'{"jsonrpc":"2.0","id":1,"method":"ping"}\x00',
           b'{"jsonrpc":"2.0","id":"a\x00b","method":"ping"}',
           b'\x00',
           b'\x00\x00\x00']
    with Server() as srv:
        for data in bad:
            srv.send_raw(data + b"\n")
            expect_error(srv, -32700)
        still_alive(srv)


def test_replies_stay_one_valid_line_whatever_they_echo():
    name = 'n\u00e9\U0001F600 "q" \\ \n\t\u2028\u0001'
    with Server() as srv:
        srv.initialize()
        srv.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                  "params": {"name": name}})
        raw = srv.read_line()
        raw.decode("utf-8")             # strict: valid UTF-8
        msg = json.loads(raw)
        assert msg["id"] == 1 and msg["error"]["code"] == -32602, msg
        assert name in msg["error"]["message"], msg
        still_alive(srv)


# ---- JSON limits -----------------------------------------------------------

def test_deep_nesting():
    with Server() as srv:
        srv.send_raw(b"[" * 100000 + b"]" * 100000 + b"\n")
        expect_error(srv, -32700)
        srv.send_raw(b"{" * 100000 + b"\n")
        expect_error(srv, -32700)
        deep = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":' + \
            b"[" * 900 + b"]" * 900 + b"}}\n"
        srv.send_raw(deep)
        expect_result(srv, 1)
        too_deep = deep.replace(b"[" * 900, b"[" * 1001).replace(
            b"]" * 900, b"]" * 1001)
        srv.send_raw(too_deep)
        expect_error(srv, -32700)
        still_alive(srv)


def test_very_many_keys_and_huge_numbers():
    params = {"k%d" % i: i for i in range(100000)}
    with Server() as srv:
        srv.send_raw(line({"jsonrpc": "2.0", "id": 1, "method": "ping",
                           "params": params}))
        expect_result(srv, 1)
        srv.send_raw(b'{"jsonrpc":"2.0","id":2,"method":"ping","params":'
                     b'{"a":1e400,"b":-1e400,"c":' + b"9" * 5000 + b"}}\n")
        expect_result(srv, 2)
        still_alive(srv)


# ---- progress and cancellation (against the fake) --------------------------

def test_progress_tokens_keep_their_type_and_stop_at_the_response():
    with Fake(run_ms=500, queue_ms=10) as fake, \
            Server(fake=fake, args=["--poll-ms", "100"]) as srv:
        srv.initialize()
        for n, token in enumerate(("tok", 7, 0, -3)):
            id = 100 + n
            srv.send({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                      "params": {"name": "create_a_gumloop_flow_run",
                                 "arguments": {
                                     "saved_item_id": "flow_competitor_pricing",
                                     "inputs": {"target_url": "https://e.com"},
                                     "wait_seconds": 30, "force": True},
                                 "_meta": {"progressToken": token}}})
            raw_token = json.dumps(token).encode()
            progress = []
            while True:
                raw = srv.read_line(timeout=60)
                msg = json.loads(raw)
                if msg.get("id") == id:
                    break
                assert msg["method"] == "notifications/progress", msg
                assert b'"progressToken":' + raw_token + b"," in raw, raw
                progress.append(msg["params"]["progress"])
            assert not msg["result"].get("isError"), msg
            assert progress and progress == sorted(set(progress)), progress
            assert srv.quiet(0.5), "progress after the response"
            # cancelling the finished request changes nothing
            srv.notify("notifications/cancelled", {"requestId": id})
        srv.send({"jsonrpc": "2.0", "id": 200, "method": "tools/call",
                  "params": {"name": "list_all_gumloop_flows",
                             "_meta": {"progressToken": {"bad": 1}}}})
        assert srv.recv()["id"] == 200, "progress for an invalid token"
        still_alive(srv)


# ---- the process -----------------------------------------------------------

def test_eof_right_after_start():
    with Server() as srv:
        exits_zero(srv)


def test_eof_after_the_handshake():
    with Server() as srv:
        srv.initialize()
        exits_zero(srv)


def test_eof_in_the_middle_of_a_message():
    with Server() as srv:
        srv.initialize()
        srv.send_raw(b'{"jsonrpc":"2.0","id":1,"meth')
        srv.proc.stdin.close()
        expect_error(srv, -32700)
        exits_zero(srv)


def test_sigterm_is_a_clean_exit():
    with Server() as srv:
        srv.initialize()
        still_alive(srv)
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(60) == 0, srv.stderr()[-2000:]
        srv.proc.stdout.close()
        srv.proc = None


def test_reader_closing_stdout_ends_the_server():
    with Server() as srv:
        srv.initialize()
        srv.proc.stdout.close()
        try:
            for n in range(20):
                srv.send_raw(ping(n))
        except BrokenPipeError:
            pass                        # it may be gone already
        rc = srv.proc.wait(60)
        assert rc == 0, (rc, srv.stderr()[-2000:])
        srv.proc = None


def run_with_stderr(stderr_setup, stderr_file=None):
    """Starts the server with a broken stderr, logging at debug, and checks
    it serves (tool calls that log, and a ping) and exits 0 at EOF."""
    # (never under valgrind: it would report on the stderr under test)
    proc = subprocess.Popen([BINARY, "--log-level", "debug"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=stderr_file, env=base_env(),
                            preexec_fn=stderr_setup)
    try:
        out, _ = proc.communicate(
            line({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                  "params": INIT}) +
            line({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                  "params": {"name": "list_all_gumloop_flows"}}) +
            ping(2), timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    # (a ping that arrives during the call may be answered first)
    replies = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert sorted(replies) == [0, 1, 2], replies
    assert replies[1]["result"]["isError"], replies[1]
    assert proc.returncode == 0, proc.returncode


def test_stderr_closed_or_full_does_not_stop_the_server():
    run_with_stderr(lambda: os.close(2))
    with open("/dev/full", "w") as full:
        run_with_stderr(None, full)


def test_minimal_environment_from_another_directory():
    proc = subprocess.Popen([BINARY], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={}, cwd="/")
    out, err = proc.communicate(
        line({"jsonrpc": "2.0", "id": 0, "method": "initialize",
              "params": INIT}) +
        line({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}) +
        line({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
              "params": {"name": "list_all_gumloop_flows"}}) +
        ping(3), timeout=60)
    replies = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert sorted(replies) == [0, 1, 2, 3], replies
    assert replies[1]["result"]["tools"]
    call = replies[2]["result"]
    assert call["isError"] and "GUMLOOP_API_KEY" in structured(call)[
        "error"]["message"], call
    assert proc.returncode == 0, err


def test_pipelined_pings_answered_in_order_with_flat_memory():
    total = 10000 if VALGRIND else 100000
    batch = 1000
    with Server() as srv:
        pid = srv.proc.pid
        errors = []

        def writer():
            try:
                for start in range(0, total, batch):
                    srv.send_raw(b"".join(ping(i) for i in
                                          range(start, start + batch)))
            except OSError as e:
                errors.append(e)

        t = threading.Thread(target=writer)
        t.start()
        samples = []
        for i in range(total):
            raw = srv.read_line(timeout=120)
            assert raw == b'{"jsonrpc":"2.0","id":%d,"result":{}}' % i, raw
            if i % 10000 == 9999 and memory_is_meaningful(pid):
                samples.append(memory_kib(pid)[0])
        t.join()
        assert not errors, errors
        still_alive(srv)
        if len(samples) >= 2:
            # After the first 10 000 the RSS must not keep growing: allow
            # 4 MiB of allocator noise over the remaining 90 000.
            growth = max(samples) - samples[0]
            assert growth < 4096, "RSS grew %d KiB: %r" % (growth, samples)


if __name__ == "__main__":
    harness.main(globals())
