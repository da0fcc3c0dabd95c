#!/usr/bin/env python3
"""The fault matrix: each way the network or Gumloop can fail, through the
real binary against the fake (never another host).

Every case checks an isError result whose text says what to do next, the
structuredContent.error fields that apply, and that the same server still
answers a ping and a normal call afterwards.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import Fake  # noqa: E402
from mcp import Server, TEST_KEY, structured, text_of  # noqa: E402

VALGRIND = os.environ.get("VALGRIND") == "1"
TIMEOUT_S = 10 if VALGRIND else 3          # the server's --timeout
LATE_MS = (TIMEOUT_S + 3) * 1000           # a delay past that timeout

READ = ("list_all_gumloop_flows", {})
READ_PATH = "/api/v1/list_saved_items"
WRITE = ("create_a_gumloop_flow_run", {
    "saved_item_id": "flow_competitor_pricing",
    "inputs": {"target_url": "https://example.com"}, "force": True})
WRITE_PATH = "/api/v1/start_pipeline"

fake = other = srv = None
tmp = None


def setup_module():
    global fake, other, srv, tmp
    tmp = tempfile.mkdtemp(prefix="t-faults.")
    fake = Fake()
    other = Fake()      # "another host" a redirect points to
    srv = Server(fake=fake, args=["--timeout", str(TIMEOUT_S)])
    srv.initialize()


def teardown_module():
    if srv:
        srv.close()
    for f in (fake, other):
        if f:
            f.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def alive(server=None):
    """The server answers a ping and a normal call after the fault."""
    server = server or srv
    assert server.request("ping")["result"] == {}
    fake.clear_faults()
    res = server.call(*READ)
    assert not res.get("isError"), res
    assert structured(res)["saved_items"]


def failing(tool=READ, path=READ_PATH, **fault):
    """Calls tool with one fault queued; returns (result, error, text)."""
    fake.reset()
    if fault:
        fake.fault(path=path, **fault)
    res = srv.call(*tool, timeout=TIMEOUT_S + 30)
    assert res.get("isError"), res
    text = text_of(res)
    assert TEST_KEY not in text and TEST_KEY not in str(structured(res))
    err = structured(res)["error"]
    assert isinstance(err["message"], str) and err["message"], err
    alive()
    return res, err, text


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- transport -----------------------------------------------------------

def test_connection_refused():
    url = "http://127.0.0.1:%d/api/v1" % free_port()
    with Server(extra_env={"GUMLOOP_BASE_URL": url}) as s:
        s.initialize()
        for _ in range(2):      # and again: still serving
            res = s.call(*READ)
            err = structured(res)["error"]
            assert res.get("isError") and err["status"] is None, res
            assert err["code"] == "connection_failed", err
            assert "GUMLOOP_BASE_URL" in text_of(res), text_of(res)
        assert s.request("ping")["result"] == {}


def test_unresolvable_host():
    url = "https://gumloop-mcp-fault-test.invalid/api/v1"
    with Server(extra_env={"GUMLOOP_BASE_URL": url}) as s:
        s.initialize()
        res = s.call(*READ, timeout=60)
        err = structured(res)["error"]
        assert res.get("isError") and err["status"] is None, res
        assert err["code"] == "host_not_found", err
        assert "gumloop-mcp-fault-test.invalid" in err["message"], err
        assert "did not resolve" in text_of(res), text_of(res)
        assert s.request("ping")["result"] == {}


def test_timeout_before_headers_read_and_write():
    _, err, text = failing(delay_ms=LATE_MS)
    assert err["code"] == "timeout" and err["status"] is None, err
    assert "retry" in text, text
    _, err, text = failing(WRITE, WRITE_PATH, delay_ms=LATE_MS)
    assert err["code"] == "timeout", err
    assert "may or may not have happened" in text, text


def test_body_trickling_past_the_timeout():
    body = '{"saved_items":[]}' + " " * (LATE_MS // 100)
    _, err, text = failing(status=200, body=body, trickle_ms=100)
    assert err["code"] == "timeout" and err["status"] is None, err


def test_connection_cut_mid_body():
    _, err, text = failing(cut=True, pass_through=True)
    assert err["code"] == "connection_lost" and err["status"] is None, err
    assert "retry" in text, text
    _, err, text = failing(WRITE, WRITE_PATH, cut=True, pass_through=True)
    assert err["code"] == "connection_lost", err
    assert "may or may not have happened" in text, text


# ---- bodies --------------------------------------------------------------

def test_html_error_page():
    html = "<html><head><title>500</title></head><body>Oops</body></html>"
    _, err, text = failing(status=500, body=html, content_type="text/html")
    assert err["status"] == 500 and err["code"] == "non_json_response", err
    assert "HTTP 500" in text and "server error" in text, text


def test_invalid_json_with_200():
    _, err, text = failing(status=200, body='{"saved_items": [')
    assert err["status"] == 200 and err["code"] == "non_json_response", err
    assert "not JSON" in text, text


def test_empty_200():
    _, err, text = failing(status=200, body="")
    assert err["status"] == 200 and err["code"] == "empty_response", err
    assert "empty body" in text, text


def test_body_over_the_size_cap():
    _, err, text = failing(status=200, body='{"saved_items":[]}',
                           body_bytes=33 << 20)
    assert err["code"] == "response_too_large" and err["status"] is None, err
    assert "ask for less" in text, text


# ---- statuses ------------------------------------------------------------

def test_redirects_are_not_followed():
    target = other.base_url + "/list_saved_items"
    for status in (301, 302, 307, 308):
        other.reset()
        _, err, text = failing(status=status, body="",
                               headers={"Location": target})
        assert err["status"] == status, err
        assert err["message"] == "redirected to " + target, err
        assert "never follows" in text, text
        assert other.requests() == [], "a redirect was followed"


def test_401_403_404_409_413():
    cases = [
        (401, {"error": "Invalid API key"}, "GUMLOOP_API_KEY"),
        (403, {"error": "forbidden"}, "permissions"),
        (404, {"error": {"code": "not_found", "message": "no such thing"}},
         "Nothing has that id"),
        (409, {"error": {"code": "conflict", "message": "busy"}}, "busy"),
        (413, {"error": {"code": "payload_too_large", "message": "big"}},
         "size limit"),
    ]
    for status, body, hint in cases:
        _, err, text = failing(status=status, body=body)
        assert err["status"] == status, err
        assert "HTTP %d" % status in text and hint in text, text
        assert err["message"] in text, (err, text)
    assert failing(status=404, body=cases[2][1])[1]["code"] == "not_found"


def test_429_with_ratelimit_and_x_ratelimit_headers():
    for prefix, after in (("", 30), ("X-", 45)):
        _, err, text = failing(status=429, body={"error": "rate limited"},
                               headers={"Retry-After": str(after),
                                        prefix + "RateLimit-Limit": "60",
                                        prefix + "RateLimit-Remaining": "0",
                                        prefix + "RateLimit-Reset": "30"})
        assert err["status"] == 429 and err["retry_after"] == after, err
        assert err["ratelimit"] == {"limit": 60, "remaining": 0, "reset": 30}
        assert "Retry after %d s" % after in text, text


def test_429_without_headers():
    fake.reset()
    fake.fault(path=READ_PATH, status=429, body="")
    res = srv.call(*READ)
    err = structured(res)["error"]
    assert res.get("isError") and err["status"] == 429, res
    assert "retry_after" not in err and "ratelimit" not in err, err
    assert len(fake.requests(path_prefix=READ_PATH)) == 1
    alive()


def test_odd_retry_after_is_ignored():
    for value in ("1e999", "0x10", "inf", "-5", "soon"):
        _, err, _ = failing(status=429, body="",
                            headers={"Retry-After": value})
        assert "retry_after" not in err, (value, err)


def test_429_on_a_write_is_never_retried():
    fake.reset()
    fake.fault(path=WRITE_PATH, status=429, headers={"Retry-After": "1"},
               body={"error": "concurrency limit"}, times=-1)
    res = srv.call(*WRITE)
    assert res.get("isError"), res
    assert structured(res)["error"]["retry_after"] == 1
    assert "not retried automatically" in text_of(res), text_of(res)
    assert len(fake.requests(path_prefix=WRITE_PATH)) == 1
    alive()


def test_503_on_a_read_is_retried_then_reported():
    fake.reset()
    fake.fault(path=READ_PATH, status=503, headers={"Retry-After": "1"},
               body={"error": "maintenance"})
    res = srv.call(*READ)
    assert not res.get("isError"), res
    assert len(fake.requests(path_prefix=READ_PATH)) == 2
    fake.reset()
    fake.fault(path=READ_PATH, status=503, headers={"Retry-After": "1"},
               body={"error": "maintenance"}, times=-1)
    res = srv.call(*READ)
    err = structured(res)["error"]
    assert res.get("isError") and err["status"] == 503, res
    assert err["retry_after"] == 1 and "maintenance" in text_of(res), err
    assert len(fake.requests(path_prefix=READ_PATH)) == 3  # 1 + 2 retries
    alive()


def test_500_and_502():
    for status, body in ((500, {"error": "internal"}),
                         (502, "<html>Bad Gateway</html>")):
        _, err, text = failing(status=status, body=body)
        assert err["status"] == status, err
        assert "HTTP %d" % status in text and "server error" in text, text


def test_secret_behind_an_escape_keeps_the_line_json():
    # "\test-key" is a tab, then "est-key": the printed reply holds the
    # key's bytes, and cutting them out used to leave a bare backslash.
    fake.reset()
    fake.fault(path=READ_PATH, status=200,
               body='{"saved_items":[],"note":"\\test-key"}')
    srv.send({"jsonrpc": "2.0", "id": "esc", "method": "tools/call",
              "params": {"name": READ[0], "arguments": {}}})
    raw = srv.read_line()
    assert TEST_KEY.encode() not in raw, raw
    msg = json.loads(raw)
    assert msg["id"] == "esc" and not msg["result"].get("isError"), msg
    alive()


# ---- TLS -----------------------------------------------------------------

def make_cert():
    cert = os.path.join(tmp, "cert.pem")
    key = os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


def test_tls_self_signed_refused_then_accepted_with_cacert():
    cert, key = make_cert()
    with Fake(tls=(cert, key)) as tls_fake:
        assert tls_fake.base_url.startswith("https://127.0.0.1:")
        with Server(fake=tls_fake) as s:
            s.initialize()
            res = s.call(*READ)
            err = structured(res)["error"]
            assert res.get("isError") and err["code"] == "tls_error", res
            assert err["status"] is None, err
            assert "certificate" in err["message"], err
            text = text_of(res)
            assert "--cacert" in text and "GUMLOOP_MCP_CACERT" in text, text
            assert s.request("ping")["result"] == {}
            assert not tls_fake.requests(), "a request got through"
        with Server(fake=tls_fake, args=["--cacert", cert]) as s:
            s.initialize()
            res = s.call(*READ)
            assert not res.get("isError"), res
            assert structured(res)["saved_items"]
        with Server(fake=tls_fake,
                    extra_env={"GUMLOOP_MCP_CACERT": cert}) as s:
            s.initialize()
            res = s.call(*READ)
            assert not res.get("isError"), res
            headers = tls_fake.requests(path_prefix=READ_PATH)[-1]["headers"]
            assert headers["authorization"] == "Bearer " + TEST_KEY


if __name__ == "__main__":
    harness.main(globals())
