#!/usr/bin/env python3
"""Secrets through the real binary: the key file's permission checks, and
the key absent from every byte the server writes (stdout, stderr at debug
level, the audit log, --call output) while the fake echoes it back in
error and success bodies; signed URLs' signatures kept out of the logs;
the key gone from the process environment."""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import Fake  # noqa: E402
from mcp import BINARY, Server, base_env, structured, text_of  # noqa: E402

KEY = "gl_live_Zq8sK3vN1pXw4Yt7Rb2Mf9Hc"
TOKEN = "oauth_At9Lm2Qx7Wv4Nz1Kp8Rs3Jd"
fake = None
tmp = None


def setup_module():
    global fake, tmp
    fake = Fake(keys=[KEY, TOKEN], run_ms=200, queue_ms=20)
    tmp = tempfile.mkdtemp(prefix="t-secrets.")


def teardown_module():
    fake.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def key_file(name, content, mode):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(content)
    os.chmod(path, mode)
    return path


def file_server(path, **kw):
    fake.reset()
    srv = Server(fake=fake, key=None,
                 extra_env={"GUMLOOP_API_KEY_FILE": path}, **kw)
    srv.initialize()
    return srv


def assert_nowhere(srv, audit=None, secrets=(KEY, TOKEN)):
    """No secret in any stdout line, the stderr or the audit log."""
    out = b"\n".join(srv.lines).decode()
    err = srv.stderr()
    logged = open(audit).read() if audit else ""
    for secret in secrets:
        assert secret not in out, out[:2000]
        assert secret not in err, err[-2000:]
        assert secret not in logged


# ---- the key file ----------------------------------------------------------

def test_key_file_readable_by_others_is_refused_with_the_fix():
    for mode in (0o644, 0o640, 0o604):
        path = key_file("key-%o" % mode, KEY + "\n", mode)
        with file_server(path) as srv:
            assert len(srv.list_tools()) > 5
            res = srv.call("list_all_gumloop_flows")
            text = text_of(res)
            assert res["isError"] and "chmod 600" in text, text
            assert path in text and "mode %03o" % mode in text, text
            assert "chmod 600" in srv.stderr()
            assert fake.requests() == []
            assert_nowhere(srv)


def test_key_file_that_is_not_a_regular_file_is_refused():
    path = os.path.join(tmp, "a-dir")
    os.mkdir(path, 0o700)
    with file_server(path) as srv:
        text = text_of(srv.call("list_all_gumloop_flows"))
        assert "not a regular file" in text, text
    with file_server(os.path.join(tmp, "missing")) as srv:
        text = text_of(srv.call("list_all_gumloop_flows"))
        assert "cannot open" in text and "missing" in text, text
    fifo = os.path.join(tmp, "a-fifo")
    os.mkfifo(fifo, 0o600)
    with file_server(fifo) as srv:
        text = text_of(srv.call("list_all_gumloop_flows"))
        assert "not a regular file" in text, text
    empty = key_file("empty", "\n", 0o600)
    with file_server(empty) as srv:
        assert "empty" in text_of(srv.call("list_all_gumloop_flows"))
    assert fake.requests() == []


def test_key_file_owner_only_is_used_and_trimmed():
    path = key_file("good", KEY + "\r\n", 0o600)
    link = os.path.join(tmp, "good-link")
    os.symlink(path, link)
    with file_server(link) as srv:
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError"), res
        assert fake.requests()[0]["headers"]["authorization"] == \
            "Bearer " + KEY
        assert_nowhere(srv)


def test_access_token_is_sent_as_bearer():
    fake.reset()
    with Server(fake=fake, key=None,
                extra_env={"GUMLOOP_ACCESS_TOKEN": TOKEN}) as srv:
        srv.initialize()
        assert not srv.call("list_all_gumloop_flows").get("isError")
        assert fake.requests()[0]["headers"]["authorization"] == \
            "Bearer " + TOKEN


# ---- echoes ----------------------------------------------------------------

ECHOES = [
    (401, '{"error":"%s"}' % KEY, "application/json"),
    (403, '{"error":{"code":"%s","message":"key %s is not allowed"}}'
     % (KEY, KEY), "application/json"),
    (400, '{"detail":"Authorization: Bearer %s; also %s"}' % (KEY, TOKEN),
     "application/json"),
    (500, "<html>Bearer %s</html>" % KEY, "text/html"),
    (200, '{"saved_items":[],"echo":"Bearer %s"}' % KEY, "application/json"),
]


def test_key_never_written_while_the_fake_echoes_it():
    audit = os.path.join(tmp, "echo-audit.log")
    fake.reset()
    with Server(fake=fake, key=KEY, args=["--log-level", "debug",
                                          "--audit-log", audit],
                extra_env={"GUMLOOP_ACCESS_TOKEN": TOKEN}) as srv:
        srv.initialize()
        for status, body, ctype in ECHOES:
            fake.fault(path="/api/v1/list_saved_items", status=status,
                       body=body, content_type=ctype)
            res = srv.call("list_all_gumloop_flows")
            assert bool(res.get("isError")) == (status >= 400), res
            if status == 403:
                err = structured(res)["error"]
                assert err["code"] == "[redacted]", err
                assert "key [redacted] is not allowed" in err["message"]
        # the fake did get the key, so the echo was real
        assert fake.requests()[0]["headers"]["authorization"] == \
            "Bearer " + KEY
        assert "[redacted]" in b"\n".join(srv.lines).decode()
        assert "HTTP 401" in srv.stderr(), srv.stderr()[-2000:]
        assert_nowhere(srv, audit)


def test_key_never_written_by_call_mode():
    fake.reset()
    fake.fault(path="/api/v1/list_saved_items", status=401,
               body='{"error":{"code":"bad_key","message":"%s"}}' % KEY)
    env = base_env(fake, key=KEY)
    proc = subprocess.run([BINARY, "--log-level", "debug", "--call",
                           "list_all_gumloop_flows"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=30)
    assert proc.returncode == 1, proc
    assert b"[redacted]" in proc.stdout and b"[redacted]" in proc.stderr
    assert KEY.encode() not in proc.stdout + proc.stderr
    fake.fault(path="/api/v1/list_saved_items", status=200,
               body='{"saved_items":[{"name":"%s"}]}' % KEY)
    proc = subprocess.run([BINARY, "--call", "list_all_gumloop_flows"],
                          env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=30)
    assert proc.returncode == 0, proc
    assert KEY.encode() not in proc.stdout + proc.stderr, proc.stdout


def test_key_is_gone_from_the_process_environment():
    if not os.path.exists("/proc/self/environ"):
        raise harness.Skip("no /proc/PID/environ here")
    fake.reset()
    with Server(fake=fake, key=KEY,
                extra_env={"GUMLOOP_ACCESS_TOKEN": TOKEN}) as srv:
        srv.initialize()
        assert not srv.call("list_all_gumloop_flows").get("isError")
        if os.environ.get("VALGRIND") == "1":
            # valgrind gives the program a copy: /proc shows the original
            raise harness.Skip("under valgrind /proc/PID/environ is not "
                               "the server's own")
        with open("/proc/%d/environ" % srv.proc.pid, "rb") as f:
            environ = f.read()
        assert KEY.encode() not in environ and TOKEN.encode() not in environ
        assert b"GUMLOOP_USER_ID=user-123" in environ


# ---- signed URLs -----------------------------------------------------------

def test_signed_url_signature_stays_out_of_the_logs():
    fake.reset()
    with Server(fake=fake, key=KEY, args=["--log-level", "debug"]) as srv:
        srv.initialize()
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_report"})
        url = structured(res)["download_url"]
        assert "Signature=" in url, url
        signature = url.split("Signature=")[1].split("&")[0]
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_report", "fetch": True})
        assert not res.get("isError"), res
        # a failing fetch logs its answer too
        fake.fault(path="/signed/", status=403,
                   body='{"error":"expired: %s"}' % url)
        srv.call("get_single_gumloop_artifact_by_id",
                 {"artifact_id": "art_report", "fetch": True})
        err = srv.stderr()
        assert "/signed/" in err, err[-2000:]
        assert signature not in err, err[-2000:]
        assert "[redacted]" in err


def test_a_secret_only_the_twice_escaped_text_shows_is_redacted():
    """The text item escapes the result's JSON again: a token spelled
    with the backslashes that brings (two, then "nkey1-zz") never shows,
    small or streamed, and the line stays JSON."""
    secret = "\\\\nkey1-zz"
    for size in (0, 300 << 10):
        body = json.dumps({"session": {
            "id": "sess_d", "state": "completed", "agent_id": "a",
            "messages": [{"role": "assistant",
                          "content": "x" * size + "\nkey1-zz"}]}})
        fake.reset()
        with Server(fake=fake, key=None,
                    extra_env={"GUMLOOP_ACCESS_TOKEN": secret}) as srv:
            srv.initialize()
            fake.fault(path="/api/v1/sessions/sess_d", method="GET",
                       status=200, body=body, times=-1)
            res = srv.call("get_single_gumloop_session_by_id",
                           {"session_id": "sess_d"})
            fake.clear_faults()
            line = srv.lines[-1]
            assert not res.get("isError"), text_of(res)
            assert secret.encode() not in line, (size, line[-300:])
            json.loads(line)


if __name__ == "__main__":
    harness.main(globals())
