#!/usr/bin/env python3
"""The documentation's generated blocks: the README's settings table (from
--help, that is config.c's option table) and its one-line-per-area tool
summary, and the full tool catalog in docs/tools.md (--list-tools). Each
sits between two markers:

    <!-- begin generated: NAME (make readme) -->
    ...
    <!-- end generated: NAME -->

`python3 test/lib/readme.py` (make readme) rewrites them; test/t-docs.py
fails when they are stale. A block may move to another file: only BLOCKS
below says where each one lives.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helptext import help_entries, help_text  # noqa: E402
from mcp import BINARY, REPO_ROOT  # noqa: E402

README = os.path.join(REPO_ROOT, "README.md")
TOOLS_DOC = os.path.join(REPO_ROOT, "docs", "tools.md")
CLEAN_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def _markers(name):
    return ("<!-- begin generated: %s (make readme) -->\n" % name,
            "<!-- end generated: %s -->" % name)


def _find(text, name, path):
    begin, end = _markers(name)
    a = text.find(begin)
    b = text.find(end, a + 1)
    if a < 0 or b < 0:
        raise ValueError("%s has no generated block '%s'" % (
            os.path.relpath(path, REPO_ROOT), name))
    return a + len(begin), b


def block(name):
    path = BLOCKS[name][0]
    with open(path) as f:
        text = f.read()
    a, b = _find(text, name, path)
    return text[a:b]


def settings_table():
    rows = ["| flag | environment | default | meaning |",
            "|---|---|---|---|"]
    for e in help_entries(help_text()):
        if e.default is None:
            continue
        if e.name.startswith("--"):
            flag = "`%s%s`" % (e.name, " " + e.arg if e.arg else "")
            env = "`%s`" % e.env if e.env else ""
        else:
            flag, env = "", "`%s`" % e.name
        default = e.default
        if any(c in default for c in "0123456789/,"):
            default = "`%s`" % default
        rows.append("| %s | %s | %s | %s |" % (flag, env, default,
                                             e.text.replace("|", "\\|")))
    return "\n".join(rows) + "\n"


def _list_tools(*args):
    return subprocess.run([BINARY, "--list-tools"] + list(args),
                          capture_output=True, text=True, check=True,
                          env=CLEAN_ENV).stdout


def catalog():
    return "```\n$ gumloop-mcp --list-tools\n" + _list_tools() + "```\n"


def areas():
    """One row per tag, in catalog order: how many tools of each class,
    and what they do (their titles)."""
    tools, order = {}, []
    for t in json.loads(_list_tools("--json")):
        if t["tag"] not in tools:
            order.append(t["tag"])
            tools[t["tag"]] = []
        tools[t["tag"]].append(t)
    rows = ["| area | tools | what they do |", "|---|---|---|"]
    for tag in order:
        counts = []
        for cls in ("read", "write", "custom"):
            n = sum(1 for t in tools[tag] if t["class"] == cls)
            if n:
                counts.append("%d %s" % (n, cls))
        titles = "; ".join(t.get("title") or t["name"] for t in tools[tag])
        rows.append("| `%s` | %s | %s |" % (tag, ", ".join(counts),
                                            titles.replace("|", "\\|")))
    total = sum(len(v) for v in tools.values())
    return "\n".join(rows) + "\n\n%d tools in all.\n" % total


# name -> (file, generator)
BLOCKS = {"settings": (README, settings_table),
          "areas": (README, areas),
          "catalog": (TOOLS_DOC, catalog)}


def update():
    for path in sorted({p for p, _ in BLOCKS.values()}):
        with open(path) as f:
            text = f.read()
        for name, (where, make) in BLOCKS.items():
            if where != path:
                continue
            a, b = _find(text, name, path)
            text = text[:a] + make() + text[b:]
        with open(path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    update()
