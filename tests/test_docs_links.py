"""The README, docs/*.md and results/README.md link only to files that exist and to headings that exist.

A relative markdown link `[text](path)` must name a file or folder of the repository (relative to the page it is
in); `[text](path#anchor)` and `[text](#anchor)` must also name a heading of that markdown page, by GitHub's
slug (lowercase; punctuation other than hyphens and underscores dropped; spaces to hyphens; a repeated heading
gets -1, -2, ...). http(s) and mailto links are not checked; links inside code blocks and code spans are text.
"""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README_MAX_LINES = 320

LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "results" / "README.md"]


def prose_lines(text: str):
    """(line number, line) outside fenced code blocks, with code spans blanked."""
    fence = None  # the open fence's characters
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if fence is None and match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)  # a backtick fence's info string holds no backtick (else: a code span)
            continue
        if fence is not None:
            closing = match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence)
            if closing and not match.group(2).strip():
                fence = None
            continue
        yield number, CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, line in prose_lines(text):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str):
    for number, line in prose_lines(text):
        for match in LINK.finditer(line):
            yield number, match.group(1)


def broken_links(page: Path, text: str | None = None) -> list[str]:
    """Every relative link of `page` (its text, or `text` in its place) that names no file or no heading."""
    text = page.read_text() if text is None else text
    problems = []
    for number, target in links(text):
        if not target or re.match(r"^(https?:|mailto:)", target, re.IGNORECASE):
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            problems.append(f"{page.name}:{number}: {target}: a scheme this check does not know")
            continue
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        where = f"{page.relative_to(REPO) if page.is_relative_to(REPO) else page}:{number}: {target}"
        if not destination.is_relative_to(REPO):
            problems.append(f"{where}: outside the repository")
        elif path and not destination.exists():
            problems.append(f"{where}: no such file")
        elif anchor and destination.suffix == ".md":
            page_text = text if destination == page else destination.read_text()
            if anchor not in anchors(page_text):
                problems.append(f"{where}: no heading with that anchor in {destination.name}")
    return problems


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_points_at_a_file_and_heading_that_exist(page):
    assert page.exists(), page
    assert broken_links(page) == []


def test_the_readme_stays_short():
    lines = (REPO / "README.md").read_text().count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move details into docs/"


def test_the_readme_links_every_docs_page():
    readme = (REPO / "README.md").read_text()
    targets = {target.partition("#")[0] for _, target in links(readme)}
    missing = [p.name for p in sorted((REPO / "docs").glob("*.md")) if f"docs/{p.name}" not in targets]
    assert missing == []


def test_slugs_follow_githubs_rules():
    assert slug("What it does not do (yet)") == "what-it-does-not-do-yet"
    assert slug("The self-test: `r1ci tasks check`") == "the-self-test-r1ci-tasks-check"
    assert slug("vLLM, for real, on a CPU") == "vllm-for-real-on-a-cpu"
    assert slug("The scripted teacher's coverage") == "the-scripted-teachers-coverage"
    assert slug("SFT: trajectory synthesis and masked fine-tuning") == "sft-trajectory-synthesis-and-masked-fine-tuning"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}
    assert anchors("- ```` ```python ```` is a code span, not a fence\n## B\n") == {"b"}


def test_the_check_flags_broken_links_and_passes_good_ones():
    page = REPO / "docs" / "probe.md"  # never written: the check reads the text given
    text = "\n".join([
        "# Probe",
        "## A heading, with punctuation!",
        "[ok](../README.md) [ok](#probe) [ok](#a-heading-with-punctuation) [ok](tasks.md#known-gaps)",
        "[ok](https://example.com/nowhere) [ok](mailto:a@b.c) `[code](nowhere.md)`",
        "![ok](../results/grpo-wiring-tiny.png)",
        "```",
        "[fenced](nowhere.md)",
        "```",
        "[bad file](nowhere.md)",
        "[bad anchor](#no-such-heading)",
        "[bad anchor elsewhere](tasks.md#no-such-heading)",
        "[bad image](../results/missing.png)",
        "[outside](../../../etc/passwd)",
    ])
    problems = broken_links(page, text)
    assert [p.split(": ", 2)[1] for p in problems] == [
        "nowhere.md", "#no-such-heading", "tasks.md#no-such-heading", "../results/missing.png", "../../../etc/passwd"]
