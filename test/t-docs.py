#!/usr/bin/env python3
"""The man page, the README and docs/tools.md say what the binary does:
every setting of --help with its variable and default, and the tool
catalog of --list-tools. Regenerate the blocks with `make readme`."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
import readme  # noqa: E402
from helptext import help_entries, help_text  # noqa: E402
from mcp import BINARY, REPO_ROOT  # noqa: E402

MAN = os.path.join(REPO_ROOT, "src", "gumloop-mcp.1")


def unroff(s):
    s = re.sub(r"\\f[BIRP]", "", s)
    return s.replace("\\-", "-").replace("\\e", "\\").replace("\\(aq", "'")


def man_entries():
    """{header: body} of every .TP paragraph of the man page."""
    with open(MAN) as f:
        lines = f.read().splitlines()
    out = {}
    for i, line in enumerate(lines):
        if line != ".TP":
            continue
        body = []
        for more in lines[i + 2:]:
            if more.startswith(".TP") or more.startswith(".SH"):
                break
            body.append(more)
        out[unroff(lines[i + 1])] = unroff(" ".join(body))
    return out


def test_man_page_has_every_flag_and_variable_of_help():
    man = man_entries()
    entries = help_entries(help_text())
    assert len(entries) > 20, entries
    for e in entries:
        head = e.name + (" " + e.arg if e.arg else "")
        assert head in man, "man page lacks a .TP for %r" % head
        body = man[head]
        if e.env:
            assert "Environment: " + e.env in body, (head, body)
        if e.default:
            assert "Default: %s." % e.default in body, (head, body)


def test_man_page_documents_no_flag_that_help_lacks():
    known = {e.name for e in help_entries(help_text())}
    man = man_entries()
    extra = [h for h in man if h.startswith("--") and h.split()[0] not in known]
    assert not extra, extra
    with open(MAN) as f:
        flags = set(re.findall(r"--[a-z][a-z-]+", unroff(f.read())))
    assert flags <= known, flags - known


def test_man_page_version_matches_the_binary():
    version = subprocess.run([BINARY, "--version"], capture_output=True,
                             text=True).stdout.split()[1]
    with open(MAN) as f:
        th = next(line for line in f if line.startswith(".TH"))
    assert '"gumloop-mcp %s"' % version in th, th


def test_man_page_renders_without_warnings():
    if not shutil.which("groff"):
        raise harness.Skip("groff is not installed")
    p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN],
                       capture_output=True, text=True)
    assert p.returncode == 0 and not p.stderr.strip(), p.stderr


def test_readme_settings_table_is_generated_from_help():
    block = readme.block("settings")
    assert block == readme.settings_table(), \
        "README settings table is stale: run `make readme`"
    for e in help_entries(help_text()):
        if e.default is not None:
            assert e.name in block or e.env in block, e


def test_tool_catalog_is_the_list_tools_output():
    block = readme.block("catalog")
    assert block == readme.catalog(), \
        "docs/tools.md catalog is stale: run `make readme`"
    assert "list_all_gumloop_flows" in block


def test_readme_area_summary_is_generated_from_the_catalog():
    block = readme.block("areas")
    assert block == readme.areas(), \
        "README tool summary is stale: run `make readme`"
    tags = {line.split()[2] for line in
            readme.catalog().splitlines()[3:-1]}
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    assert len(rows) == len(tags), (rows, tags)


if __name__ == "__main__":
    harness.main(globals())
