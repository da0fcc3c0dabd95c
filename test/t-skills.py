#!/usr/bin/env python3
"""The skill tools through the real binary against the fake Gumloop: the
multipart uploads as they arrive (parts checked at the fake), the local
checks that refuse a bad skill before anything is sent, 413, paging,
versions, delete and the .skill download."""
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
GOOD_MD = ("---\nname: pricing-check\ndescription: Checks competitor prices "
           "every Monday\n---\n\n# Pricing check\n\n1. Open the page.\n")
EXPECTED_FORM = "---\nname: my-skill\ndescription: "


def server(**kw):
    fake.reset()
    srv = Server(fake=fake, **kw)
    srv.initialize()
    return srv


def archive(files, compression=zipfile.ZIP_STORED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def b64(data):
    return base64.b64encode(data).decode()


def uploads(method="POST"):
    return [r for r in fake.requests(path_prefix="/api/v1/skills")
            if r["method"] == method]


def test_create_from_skill_md_sends_it_as_a_files_part():
    with server(extra_env={"GUMLOOP_TEAM_ID": "team_growth"}) as srv:
        res = srv.call("create_a_gumloop_skill", {"skill_md": GOOD_MD})
        assert not res.get("isError"), text_of(res)
        skill = structured(res)["skill"]
        assert skill["name"] == "pricing-check"
        assert skill["description"] == "Checks competitor prices every Monday"
        assert skill["team_id"] == "team_growth"
        [sent] = uploads()
        assert sent["headers"]["content-type"].startswith(
            "multipart/form-data; boundary=")
        assert sent["headers"]["authorization"] == "Bearer test-key"
        assert sent["query"] == {"team_id": "team_growth"}
        files = [p for p in sent["parts"] if p["name"] == "files"]
        assert files == [{
            "name": "files", "filename": "SKILL.md",
            "content_type": "text/markdown", "size": len(GOOD_MD),
            "text": GOOD_MD, "base64": b64(GOOD_MD.encode())}], files
        team = [p for p in sent["parts"] if p["name"] == "team_id"]
        assert team and team[0]["text"] == "team_growth"


def test_create_from_skill_archive_sends_the_archive_bytes():
    data = archive({"SKILL.md": GOOD_MD,
                    "scripts/fetch.py": "print('prices')\n",
                    "logo.bin": bytes(range(256))})
    with server() as srv:
        res = srv.call("create_a_gumloop_skill", {"archive_base64": b64(data)})
        assert not res.get("isError"), text_of(res)
        skill = structured(res)["skill"]
        assert skill["name"] == "pricing-check"
        [sent] = uploads()
        [part] = sent["parts"]
        assert part["name"] == "files" and part["filename"] == "skill.zip"
        assert part["content_type"] == "application/zip"
        assert base64.b64decode(part["base64"]) == data
        # and it downloads again as the same archive
        got = srv.call("get_single_gumloop_skill_by_id",
                       {"skill_id": skill["id"], "fetch": True})
        assert not got.get("isError"), text_of(got)
        [item] = got["content"]
        assert item["type"] == "resource"
        assert item["resource"]["mimeType"] == "application/zip"
        assert item["resource"]["uri"] == "gumloop://skills/" + skill["id"]
        assert base64.b64decode(item["resource"]["blob"]) == data
        assert structured(got) == {"file_name": "pricing-check.skill",
                                   "media_type": "application/zip",
                                   "size": len(data)}


def test_archive_with_skill_md_in_one_folder_is_accepted():
    data = archive({"pricing-check/SKILL.md": GOOD_MD})
    with server() as srv:
        res = srv.call("create_a_gumloop_skill", {"archive_base64": b64(data)})
        assert not res.get("isError"), text_of(res)
        assert len(uploads()) == 1
        bad = archive({"pricing-check/SKILL.md": "---\nname: x\n---\n"})
        res = srv.call("create_a_gumloop_skill", {"archive_base64": b64(bad)})
        assert res.get("isError") and "'description'" in text_of(res)
        assert len(uploads()) == 1


def test_bad_skill_md_is_refused_with_nothing_sent():
    bad = {
        "no front matter": "# Pricing check\n",
        "no description": "---\nname: pricing-check\n---\nbody\n",
        "empty name": "---\nname:\ndescription: x\n---\n",
        "quoted empty name": "---\nname: \"\"\ndescription: x\n---\n",
        "not closed": "---\nname: a\ndescription: b\n",
        "only a fence": "---\n",
        "keys after the fence": "---\n---\nname: a\ndescription: b\n",
    }
    with server() as srv:
        for why, md in bad.items():
            res = srv.call("create_a_gumloop_skill", {"skill_md": md})
            assert res.get("isError"), why
            text = text_of(res)
            assert "nothing was uploaded" in text, (why, text)
            assert EXPECTED_FORM in text, (why, text)
        res = srv.call("update_a_gumloop_skill_by_id", {
            "skill_id": "skill_seo_audit", "skill_md": bad["no description"]})
        assert res.get("isError") and "'description'" in text_of(res)
        assert fake.requests() == []


def test_front_matter_forms_that_are_fine_are_sent():
    fine = [
        "\ufeff---\r\nname: a\r\ndescription: b\r\n---\r\n",
        "---\nname: a\ndescription: >\n  folded text\n---\n",
        "---\nname: 'a'\nmetadata:\n  x: 1\ndescription: b\n---\n",
    ]
    with server() as srv:
        for md in fine:
            res = srv.call("create_a_gumloop_skill", {"skill_md": md})
            assert not text_of(res).count("nothing was uploaded"), (
                md, text_of(res))
        assert len(uploads()) == len(fine)


def test_compressed_skill_md_is_checked_too():
    filler = "".join("  note%d: keep this line %d\n" % (i, i % 5)
                     for i in range(60))
    bad = archive({"SKILL.md": "---\nname: x\nmetadata:\n" + filler +
                   "---\n"}, zipfile.ZIP_DEFLATED)
    good = archive({"SKILL.md": "---\nname: x\nmetadata:\n" + filler +
                    "description: found after the filler\n---\n"},
                   zipfile.ZIP_DEFLATED)
    with server() as srv:
        res = srv.call("create_a_gumloop_skill", {"archive_base64": b64(bad)})
        assert res.get("isError") and "'description'" in text_of(res)
        assert fake.requests() == []
        srv.call("create_a_gumloop_skill", {"archive_base64": b64(good)})
        # sent (this fake reads stored entries only, so what it answers
        # does not matter here)
        [sent] = uploads()
        assert base64.b64decode(sent["parts"][0]["base64"]) == good


def test_bad_archives_are_refused_with_nothing_sent():
    cases = {
        "not base64": ("%%%not base64%%%", "not valid base64"),
        "not a zip": (b64(b"hello, world"), "not a zip archive"),
        "no SKILL.md": (b64(archive({"README.md": "hi"})), "no SKILL.md"),
        "bad SKILL.md": (b64(archive({"SKILL.md": "---\nname: x\n---\n"})),
                         "'description'"),
    }
    with server() as srv:
        for why, (arg, expect) in cases.items():
            res = srv.call("create_a_gumloop_skill", {"archive_base64": arg})
            assert res.get("isError"), why
            assert expect in text_of(res), (why, text_of(res))
        res = srv.call("create_a_gumloop_skill", {
            "skill_md": GOOD_MD, "archive_base64": b64(archive({}))})
        assert res.get("isError") and "not both" in text_of(res)
        res = srv.call("create_a_gumloop_skill", {})
        assert res.get("isError") and "skill_md" in text_of(res)
        assert fake.requests() == []


def test_over_10_mb_is_refused_locally():
    big = GOOD_MD + "x" * (10 << 20)
    with server() as srv:
        res = srv.call("create_a_gumloop_skill", {"skill_md": big}, timeout=60)
        assert res.get("isError")
        assert "10 MB" in text_of(res) and "nothing was uploaded" in text_of(res)
        res = srv.call("create_a_gumloop_skill", {
            "archive_base64": "A" * ((10 << 20) // 3 * 4 + 64)}, timeout=60)
        assert res.get("isError") and "10 MB" in text_of(res)
        assert fake.requests() == []


def test_413_from_gumloop_is_explained():
    with server() as srv:
        fake.config(max_skill_bytes=300)
        res = srv.call("create_a_gumloop_skill",
                       {"skill_md": GOOD_MD + "y" * 600})
        assert res.get("isError")
        err = structured(res)["error"]
        assert err["status"] == 413 and err["code"] == "payload_too_large"
        assert "size limit (10 MB)" in text_of(res), text_of(res)


def test_list_pages_with_total_count_search_and_order():
    with server() as srv:
        page = structured(srv.call("list_all_gumloop_skills",
                                   {"page_size": 2}))
        assert len(page["skills"]) == 2 and page["total_count"] == 3
        rest = structured(srv.call("list_all_gumloop_skills", {
            "page_size": 2, "cursor": page["next_cursor"]}))
        assert len(rest["skills"]) == 1 and rest["next_cursor"] is None
        found = structured(srv.call("list_all_gumloop_skills",
                                    {"search_query": "invoice"}))
        assert [s["id"] for s in found["skills"]] == ["skill_invoice_parser"]
        top = structured(srv.call("list_all_gumloop_skills",
                                  {"sort_order": "most_used"}))
        assert top["skills"][0]["id"] == "skill_invoice_parser"
        sent = fake.requests(path_prefix="/api/v1/skills")
        assert sent[1]["query"] == {"page_size": "2",
                                    "cursor": page["next_cursor"]}


def test_update_replaces_the_files_and_makes_a_new_version():
    md = GOOD_MD.replace("pricing-check", "seo-audit-v2")
    with server() as srv:
        res = srv.call("update_a_gumloop_skill_by_id",
                       {"skill_id": "skill_seo_audit", "skill_md": md})
        assert not res.get("isError"), text_of(res)
        skill = structured(res)["skill"]
        assert skill["name"] == "seo-audit-v2" and skill["major_version"] == 2
        [sent] = uploads("PATCH")
        assert sent["path"] == "/api/v1/skills/skill_seo_audit"
        assert [p["text"] for p in sent["parts"]] == [md]


def test_delete_then_download_is_a_404():
    with server() as srv:
        res = srv.call("delete_a_gumloop_skill_by_id",
                       {"skill_id": "skill_meeting_notes"})
        assert structured(res) == {"deleted": True}
        res = srv.call("get_single_gumloop_skill_by_id",
                       {"skill_id": "skill_meeting_notes"})
        assert res.get("isError")
        assert structured(res)["error"]["code"] == "skill_not_found"
        fake.fault(path="/api/v1/skills/", method="DELETE", status=204,
                   body="")
        res = srv.call("delete_a_gumloop_skill_by_id",
                       {"skill_id": "skill_seo_audit"})
        assert structured(res) == {"deleted": True}, res


def test_download_a_seed_skill():
    with server() as srv:
        res = srv.call("get_single_gumloop_skill_by_id",
                       {"skill_id": "skill_seo_audit"})
        got = structured(res)
        assert got["filename"] == "seo-audit.skill"
        assert got["download_url"].startswith(fake.root_url + "/signed/")
        res = srv.call("get_single_gumloop_skill_by_id",
                       {"skill_id": "skill_seo_audit", "fetch": True})
        blob = base64.b64decode(res["content"][0]["resource"]["blob"])
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            assert "name: seo-audit" in z.read("SKILL.md").decode()
        [fetched] = fake.requests(path_prefix="/signed/")
        assert "authorization" not in fetched["headers"]


def test_no_request_state_leaks_into_the_next_get():
    """One reused connection: after a DELETE, a multipart POST and PATCH
    and a JSON PATCH, each GET goes out as a plain GET."""
    seq = [("list_all_gumloop_skills", {}),
           ("delete_a_gumloop_skill_by_id", {"skill_id": "skill_meeting_notes"}),
           ("list_all_gumloop_skills", {}),
           ("create_a_gumloop_skill", {"skill_md": GOOD_MD}),
           ("list_all_gumloop_skills", {}),
           ("update_a_gumloop_skill_by_id",
            {"skill_id": "skill_seo_audit", "skill_md": GOOD_MD}),
           ("list_all_gumloop_skills", {}),
           ("update_a_gumloop_agent_by_id",
            {"agent_id": "agent_sales_ops", "name": "Renamed"}),
           ("list_all_gumloop_agents", {})]
    with server() as srv:
        for name, args in seq:
            res = srv.call(name, args)
            assert not res.get("isError"), (name, text_of(res))
        reqs = fake.requests()
        gets = [r for r in reqs if r["path"].endswith(("/skills", "/agents"))
                and r["method"] != "POST"]
        assert [r["method"] for r in reqs] == [
            "GET", "DELETE", "GET", "POST", "GET", "PATCH", "GET", "PATCH",
            "GET"], [(r["method"], r["path"]) for r in reqs]
        assert len(gets) == 5
        for r in gets:
            assert r["method"] == "GET" and not r.get("body"), r
            assert "content-type" not in {k.lower() for k in r["headers"]}, r


if __name__ == "__main__":
    harness.main(globals())
