#!/usr/bin/env python3
"""The README's generated blocks: the settings table (from --help, that is
config.c's option table) and the tool catalog (--list-tools). Each sits
between two markers:

    <!-- begin generated: NAME (make readme) -->
    ...
    <!-- end generated: NAME -->

`python3 test/lib/readme.py` (make readme) rewrites them; test/t-docs.py
fails when they are stale.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helptext import help_entries, help_text  # noqa: E402
from mcp import BINARY, REPO_ROOT  # noqa: E402

README = os.path.join(REPO_ROOT, "README.md")
CLEAN_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def _markers(name):
    return ("<!-- begin generated: %s (make readme) -->\n" % name,
            "<!-- end generated: %s -->" % name)


def _find(text, name):
    begin, end = _markers(name)
    a = text.find(begin)
    b = text.find(end, a + 1)
    if a < 0 or b < 0:
        raise ValueError("README.md has no generated block '%s'" % name)
    return a + len(begin), b


def block(name):
    with open(README) as f:
        text = f.read()
    a, b = _find(text, name)
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


def catalog():
    out = subprocess.run([BINARY, "--list-tools"], capture_output=True,
                         text=True, check=True, env=CLEAN_ENV).stdout
    return "```\n$ gumloop-mcp --list-tools\n" + out + "```\n"


GENERATORS = {"settings": settings_table, "catalog": catalog}


def update():
    with open(README) as f:
        text = f.read()
    for name, make in GENERATORS.items():
        a, b = _find(text, name)
        text = text[:a] + make() + text[b:]
    with open(README, "w") as f:
        f.write(text)


if __name__ == "__main__":
    update()
