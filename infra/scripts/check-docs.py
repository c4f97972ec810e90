#!/usr/bin/env python3
"""Fails when the README or a page of docs/ points at something that is not there.

Checks every relative Markdown link (the file exists; an #anchor names a heading of the
page it points at), every repository path written in backticks (`functions/...`,
`infra/...`, ...: the file or folder exists, so a move cannot leave the docs behind), and
that the README stays a five-minute read (under 150 lines).
usage: check-docs.py [ROOT]
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
README_MAX_LINES = 150
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")
# Top-level folders whose paths the docs name; a path with a placeholder (<name>, *) is a pattern.
REPO_PATH = re.compile(r"^(?:functions|infra|tests|events|bench|fuzz|docs|\.ci)/[A-Za-z0-9_./-]+$")
FENCE = re.compile(r"^```")


def anchors(path):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
            if m:
                text = re.sub(r"[`*_]", "", m.group(1)).lower()
                found.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return found


def prose_lines(path):
    """The lines outside fenced code blocks, with their numbers."""
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if not in_fence:
                yield number, line


def check(page):
    problems = []
    base = os.path.dirname(page)
    rel = os.path.relpath(page, ROOT)
    for number, line in prose_lines(page):
        for target in LINK.findall(line):
            if re.match(r"^[a-z]+:", target):
                continue  # https:, mailto:
            path, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(base, path)) if path else page
            if not os.path.exists(resolved):
                problems.append(f"{rel}:{number}: link to {target}: no such file")
            elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                problems.append(f"{rel}:{number}: link to {target}: no such heading")
        for code in CODE.findall(line):
            code = code.split(":")[0].rstrip(".,")
            built = "target" in code.split("/")  # build output, absent from a clean clone
            if REPO_PATH.match(code) and not built and not os.path.exists(os.path.join(ROOT, code)):
                problems.append(f"{rel}:{number}: `{code}` does not exist")
    return problems


def main():
    readme = os.path.join(ROOT, "README.md")
    docs = os.path.join(ROOT, "docs")
    pages = [readme] + sorted(os.path.join(docs, p) for p in os.listdir(docs) if p.endswith(".md"))
    problems = []
    for page in pages:
        problems += check(page)
    with open(readme, encoding="utf-8") as f:
        lines = sum(1 for _ in f)
    if lines >= README_MAX_LINES:
        problems.append(f"README.md: {lines} lines, at most {README_MAX_LINES - 1}: move the rest to docs/")
    for problem in problems:
        print(f"docs: FAILED {problem}")
    if problems:
        return 1
    print(f"docs: ok {len(pages)} pages, every relative link and repository path resolves; README {lines} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
