#!/usr/bin/env python3
"""The file tools through the real binary against the fake Gumloop: text
and binary round trips, local checks, a 207 upload told file by file, the
size cap and the zip of several files."""
import base64
import io
import os
import sys
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, structured, text_of  # noqa: E402

fake = SharedFake()
RUN = {"run_id": "run_42", "saved_item_id": "flow_competitor_pricing"}
CSV = "name,price\nwidget,3\nna\u00efve gadget \u2713,7\n"
BINARY = bytes(range(256)) * 3


def server(**kw):
    fake.reset()
    srv = Server(fake=fake, **kw)
    srv.initialize()
    return srv


def b64(data):
    return base64.b64encode(data).decode()


def get_file(srv, name, **extra):
    return srv.call("get_single_gumloop_file_by_name",
                    dict(RUN, file_name=name, **extra))


def test_text_file_round_trip():
    with server() as srv:
        res = srv.call("create_a_gumloop_file",
                       {"file_name": "prices.csv", "content_text": CSV})
        assert not res.get("isError"), text_of(res)
        assert structured(res) == {"success": True, "file_name": "prices.csv"}
        [sent] = fake.requests(path_prefix="/api/v1/upload_file")
        assert sent["body"]["file_content"] == b64(CSV.encode())
        assert sent["body"]["user_id"] == "user-123"
        assert "content_text" not in sent["body"]
        got = get_file(srv, "prices.csv")
        assert not got.get("isError"), text_of(got)
        assert got["content"] == [{"type": "text", "text": CSV}]
        assert structured(got) == {"file_name": "prices.csv",
                                   "media_type": "text/csv",
                                   "size": len(CSV.encode())}
        [asked] = fake.requests(path_prefix="/api/v1/download_file")
        assert asked["body"] == dict(RUN, file_name="prices.csv",
                                     user_id="user-123")


def test_binary_file_round_trip():
    with server() as srv:
        res = srv.call("create_a_gumloop_file", {
            "file_name": "blob.bin", "content_base64": b64(BINARY)})
        assert not res.get("isError"), text_of(res)
        got = get_file(srv, "blob.bin")
        [item] = got["content"]
        assert item["type"] == "resource"
        assert base64.b64decode(item["resource"]["blob"]) == BINARY
        assert item["resource"]["mimeType"] == "application/octet-stream"
        assert item["resource"]["uri"] == "gumloop://runs/run_42/files/blob.bin"
        assert structured(got)["size"] == len(BINARY)
        png = get_file(srv, "logo.png")["content"][0]["resource"]
        assert png["mimeType"] == "image/png"


def test_upload_content_is_checked_before_sending():
    with server() as srv:
        for args, expect in [
                ({"content_base64": "not base64!"}, "not valid base64"),
                ({"content_text": "a", "content_base64": "YQ=="}, "not both"),
                ({}, "content_text|content_base64")]:
            res = srv.call("create_a_gumloop_file",
                           dict(args, file_name="x.txt"))
            assert res.get("isError") and expect in text_of(res), text_of(res)
        res = srv.call("create_gumloop_files", {"files": [
            {"file_name": "a.txt", "content_text": "a"},
            {"file_name": "b.txt"}]})
        assert res.get("isError") and "files[1]" in text_of(res), text_of(res)
        res = srv.call("create_gumloop_files", {"files": []})
        assert res.get("isError") and "empty" in text_of(res)
        assert fake.requests() == []


def test_207_upload_is_reported_file_by_file():
    with server() as srv:
        res = srv.call("create_gumloop_files", {"files": [
            {"file_name": "notes.txt", "content_text": "hello"},
            {"file_name": "setup.exe", "content_base64": b64(b"MZ\x90\x00")},
            {"file_name": "pixel.png", "content_base64": b64(BINARY[:16])}]})
        assert not res.get("isError"), text_of(res)
        got = structured(res)
        assert got["partial_success"] is True
        assert got["files"] == [
            {"file_name": "notes.txt", "status": "uploaded"},
            {"file_name": "setup.exe", "status": "failed",
             "error": "file type not allowed"},
            {"file_name": "pixel.png", "status": "uploaded"}], got["files"]
        assert got["summary"] == ("2 of 3 files uploaded; failed: setup.exe "
                                  "(file type not allowed)"), got["summary"]
        [sent] = fake.requests(path_prefix="/api/v1/upload_files")
        assert [f["file_content"] for f in sent["body"]["files"]] == [
            b64(b"hello"), b64(b"MZ\x90\x00"), b64(BINARY[:16])]
        assert get_file(srv, "notes.txt")["content"][0]["text"] == "hello"


def test_all_uploads_failing_is_an_error():
    with server() as srv:
        res = srv.call("create_gumloop_files", {"files": [
            {"file_name": "a.exe", "content_text": "x"}]})
        assert res.get("isError")
        assert structured(res)["error"]["status"] == 500
        assert "All files failed" in text_of(res)


def test_zip_of_several_files():
    with server() as srv:
        srv.call("create_gumloop_files", {"files": [
            {"file_name": "one.txt", "content_text": "first"},
            {"file_name": "two.bin", "content_base64": b64(BINARY)}]})
        res = srv.call("download_gumloop_files", {
            "run_id": "run_42", "file_names": ["one.txt", "two.bin"]})
        assert not res.get("isError"), text_of(res)
        [item] = res["content"]
        assert item["type"] == "resource"
        assert item["resource"]["mimeType"] == "application/zip"
        data = base64.b64decode(item["resource"]["blob"])
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None      # every CRC checks out
            assert z.namelist() == ["one.txt", "two.bin"]
            assert z.read("two.bin") == BINARY
        assert structured(res) == {"file_name": "run_42-files.zip",
                                   "media_type": "application/zip",
                                   "size": len(data)}
        res = srv.call("download_gumloop_files",
                       {"run_id": "run_42", "file_names": [""]})
        assert res.get("isError") and "file_names" in text_of(res)


def test_download_over_the_cap_is_refused_with_its_size():
    with server() as srv:
        res = get_file(srv, "huge.txt")
        assert res.get("isError")
        assert "1572864 bytes" in text_of(res), text_of(res)
        assert structured(res)["error"]["code"] == "too_large"
        res = get_file(srv, "huge.txt", max_bytes=2 << 20)
        assert not res.get("isError"), text_of(res)
        assert structured(res)["size"] == 1572864


def test_missing_file_is_a_404():
    with server() as srv:
        res = get_file(srv, "nope.csv")
        assert res.get("isError") and "404" in text_of(res)
        assert "File not found" in text_of(res)


if __name__ == "__main__":
    harness.main(globals())
