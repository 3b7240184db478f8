#!/usr/bin/env python3
"""Regenerates sim/src/spec/rules.tsv from the behaviour spec (../shared/spec/part*.md).

The scenario parser refuses rule IDs that are not in this list, and the conformance report counts coverage against
it. Run from the repository root: `python3 scripts/extract-rules.py [SPEC_DIR]`.
"""
import re
import sys

spec_dir = sys.argv[1] if len(sys.argv) > 1 else "../shared/spec"
rows, seen = [], set()
for part in ["part1.md", "part2.md"]:
    for line in open(f"{spec_dir}/{part}", encoding="utf-8").read().split("\n"):
        match = re.match(r"\s*- \*\*([A-Z]+-\d+)\*\*\s*(.*)", line)
        if match and match.group(1) not in seen:
            seen.add(match.group(1))
            text = re.sub(r"\s+", " ", match.group(2)).strip().replace("\t", " ")
            if len(text) > 110:
                text = text[:107].rstrip() + "..."
            rows.append(f"{match.group(1)}\t{part}\t{text}")
with open("sim/src/spec/rules.tsv", "w", encoding="utf-8") as out:
    out.write("# Every rule ID of ../shared/spec (part, first words). Regenerate with scripts/extract-rules.py.\n")
    out.write("\n".join(rows) + "\n")
print(f"{len(rows)} rules")
