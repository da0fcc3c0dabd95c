#!/usr/bin/env python3
"""The artifact tools through the real binary against the fake Gumloop:
paging, signed URLs, fetched bytes (text and binary), the size cap and the
credentials that must never reach the storage host."""
import base64
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, structured, text_of  # noqa: E402

fake = SharedFake()
AGENT = "agent_research"
REPORT = ("# Weekly research report\n\nRevenue grew 12 % \u2014 "
          "na\u00efve forecast \u2713\n- sources: 14\n")


def server(**kw):
    fake.reset()
    srv = Server(fake=fake, **kw)
    srv.initialize()
    return srv


def signed_requests():
    return fake.requests(path_prefix="/signed/")


def test_list_pages_through_with_cursor():
    with server() as srv:
        first = srv.call("list_all_gumloop_artifacts",
                         {"agent_id": AGENT, "page_size": 3})
        assert not first.get("isError"), first
        page = structured(first)
        assert [a["id"] for a in page["artifacts"]] == [
            "art_report", "art_chart", "art_dataset"]
        assert page["next_cursor"]
        second = structured(srv.call("list_all_gumloop_artifacts", {
            "agent_id": AGENT, "page_size": 3,
            "cursor": page["next_cursor"]}))
        assert [a["id"] for a in second["artifacts"]] == ["art_log"]
        assert second["next_cursor"] is None
        sent = fake.requests(path_prefix="/api/v1/agents/")
        assert sent[1]["query"] == {"page_size": "3",
                                    "cursor": page["next_cursor"]}, sent[1]
        only = structured(srv.call("list_all_gumloop_artifacts", {
            "agent_id": AGENT, "session_id": "sess_beta",
            "sort_order": "oldest"}))
        assert [a["id"] for a in only["artifacts"]] == ["art_log",
                                                        "art_dataset"]


def test_get_without_fetch_returns_the_signed_url():
    with server() as srv:
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_report"})
        got = structured(res)
        assert got["download_url"].startswith(fake.root_url + "/signed/")
        assert got["filename"] == "weekly-report.md"
        assert got["size"] == len(REPORT.encode())
        assert not signed_requests()


def test_fetch_text_artifact_comes_back_as_text():
    with server() as srv:
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_report", "fetch": True})
        assert not res.get("isError"), res
        assert res["content"] == [{"type": "text", "text": REPORT}]
        assert structured(res) == {"file_name": "weekly-report.md",
                                   "media_type": "text/markdown",
                                   "size": len(REPORT.encode())}


def test_fetch_binary_artifact_comes_back_as_base64_resource():
    with server() as srv:
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_chart", "fetch": True})
        assert not res.get("isError"), res
        [item] = res["content"]
        assert item["type"] == "resource"
        blob = base64.b64decode(item["resource"]["blob"])
        assert blob.startswith(b"\x89PNG\r\n\x1a\n") and b"\x00" in blob
        assert item["resource"]["mimeType"] == "image/png"
        assert item["resource"]["uri"] == "gumloop://artifacts/art_chart"
        assert structured(res) == {"file_name": "chart.png",
                                   "media_type": "image/png",
                                   "size": len(blob)}


def test_signed_url_fetch_carries_no_credentials():
    with server() as srv:
        srv.call("get_single_gumloop_artifact_by_id",
                 {"artifact_id": "art_chart", "fetch": True})
        [api] = fake.requests(path_prefix="/api/v1/artifacts/")
        assert api["headers"]["authorization"] == "Bearer test-key"
        [fetched] = signed_requests()
        assert "authorization" not in fetched["headers"], fetched["headers"]
        assert "x-auth-key" not in fetched["headers"], fetched["headers"]
        assert "test-key" not in str(fetched)


def test_storage_host_refuses_a_request_with_authorization():
    # the fake must be able to catch a leak, or the test above proves nothing
    with server() as srv:
        url = structured(srv.call("get_single_gumloop_artifact_by_id",
                                  {"artifact_id": "art_report"}))["download_url"]
    req = urllib.request.Request(url, headers={"Authorization": "Bearer x"})
    try:
        urllib.request.urlopen(req, timeout=10)
        raise AssertionError("the storage host accepted an Authorization")
    except urllib.error.HTTPError as e:
        assert e.code == 400
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.read().decode() == REPORT


def test_over_cap_refused_with_the_size_from_gumloop():
    with server() as srv:
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_dataset", "fetch": True})
        assert res.get("isError")
        text = text_of(res)
        assert "2097152 bytes" in text and "1048576" in text, text
        err = structured(res)["error"]
        assert err["code"] == "too_large" and err["size"] == 2097152
        assert not signed_requests()


def test_over_cap_refused_with_the_size_the_storage_host_sends():
    with server() as srv:
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_log", "fetch": True})
        assert res.get("isError")
        assert "1572864 bytes" in text_of(res), text_of(res)
        assert len(signed_requests()) == 1
        res = srv.call("get_single_gumloop_artifact_by_id", {
            "artifact_id": "art_log", "fetch": True, "max_bytes": 2 << 20})
        assert not res.get("isError"), text_of(res)
        assert structured(res)["size"] == 1572864
        assert text_of(res).startswith("abcdefg")


def test_max_bytes_out_of_range_is_refused_before_any_request():
    with server() as srv:
        for bad in (0, (16 << 20) + 1):
            res = srv.call("get_single_gumloop_artifact_by_id", {
                "artifact_id": "art_report", "fetch": True,
                "max_bytes": bad})
            assert res.get("isError") and "max_bytes" in text_of(res)
        assert not fake.requests()


def test_signed_url_must_be_https_or_loopback():
    with server() as srv:
        fake.config(signed_base="http://storage.example.test")
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_report", "fetch": True})
        assert res.get("isError")
        text = text_of(res)
        assert "not https" in text and "X-Goog-Signature" not in text, text
        assert not signed_requests()


def test_signed_url_never_reaches_the_log():
    with server(args=["--log-level", "debug"]) as srv:
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_report", "fetch": True})
        assert not res.get("isError"), res
        [fetched] = signed_requests()
        signature = fetched["query"]["X-Goog-Signature"]
        srv.close()
        log = srv.stderr()
        assert "/signed/" in log and "[redacted]" in log, log
        assert signature not in log, log


def test_expired_signed_url_is_explained():
    with server() as srv:
        fake.fault(path="/signed/", status=403, content_type="application/xml",
                   body="<Error><Code>ExpiredToken</Code></Error>")
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "art_report", "fetch": True})
        assert res.get("isError")
        assert "HTTP 403" in text_of(res) and "short-lived" in text_of(res)
        assert structured(res)["error"]["status"] == 403


def test_unknown_artifact_is_a_404():
    with server() as srv:
        res = srv.call("get_single_gumloop_artifact_by_id",
                       {"artifact_id": "nope", "fetch": True})
        assert res.get("isError") and "404" in text_of(res)
        assert structured(res)["error"]["code"] == "artifact_not_found"


if __name__ == "__main__":
    harness.main(globals())
