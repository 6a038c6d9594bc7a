#!/usr/bin/env python3
"""Puts the flag tables that `doppel docs-cli` prints into docs/cli.md, between the markers
<!-- flags:NAME --> and <!-- /flags -->. Usage: scripts/update_cli_docs.py DOPPEL_BINARY"""
import re
import subprocess
import sys
from pathlib import Path


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    generated = subprocess.run([sys.argv[1], "docs-cli"], check=True, capture_output=True,
                               text=True).stdout
    blocks = {name: block for block, name in
              re.findall(r"(<!-- flags:([\w-]+) -->\n.*?<!-- /flags -->)", generated, re.S)}
    page = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
    text = page.read_text()
    for name, block in blocks.items():
        pattern = re.compile(r"<!-- flags:" + name + r" -->\n.*?<!-- /flags -->", re.S)
        if not pattern.search(text):
            print(f"docs/cli.md has no markers for {name}", file=sys.stderr)
            return 1
        text = pattern.sub(lambda _: block, text)
    page.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
