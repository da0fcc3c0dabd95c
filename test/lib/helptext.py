"""Reads `gumloop-mcp --help` into entries, for the tests that keep the man
page and the README in step with it (config.c's option table is the one
source; --help prints it).

    entries = help_entries(help_text())
    # [Entry(name="--timeout", arg="S", env="GUMLOOP_MCP_TIMEOUT",
    #        default="30", text="one HTTP request's limit in seconds"), ...]
"""

import collections
import re
import subprocess

from mcp import BINARY

Entry = collections.namedtuple("Entry", "name arg env default text")

HEAD = re.compile(r"^  (--[a-z-]+|GUMLOOP_[A-Z_]+)(?: ([A-Z0-9]+))?"
                  r"(?:  \[([A-Z_]+)\])?$")


def help_text():
    return subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                          check=True).stdout


def help_entries(text):
    entries, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        m = HEAD.match(line)
        if not m:
            continue
        body = []
        for more in lines[i + 1:]:
            if not more.startswith("      "):
                break
            body.append(more.strip())
        body = " ".join(body)
        d = re.match(r"^(.*)\. Default: (.*)$", body)
        text, default = (d.group(1), d.group(2)) if d else (body, None)
        entries.append(Entry(m.group(1), m.group(2), m.group(3), default,
                             text))
    return entries


def settings(entries):
    """The entries that are settings (they have a default), not modes."""
    return [e for e in entries if e.default is not None]
