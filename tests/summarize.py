"""Adds up the JUnit XML files of a test run (ctest, pytest) and the Groovy
log into one closing line: "N passed, N failed, N skipped".  Exits 1 if
anything failed or if nothing ran at all."""
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

results = Path(sys.argv[1])
passed = failed = skipped = 0
for f in sorted(results.glob("*.xml")):
    try:
        root = ET.parse(f).getroot()
    except ET.ParseError as e:
        print(f"summary: cannot parse {f.name}: {e}")
        failed += 1
        continue
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    print(f"summary: {f.name}")
for log in sorted(results.glob("*.log")):
    m = re.findall(r"^(\d+) passed, (\d+) failed", log.read_text(errors="replace"), re.M)
    if m:
        passed += int(m[-1][0])
        failed += int(m[-1][1])
        print(f"summary: {log.name}")
    else:
        print(f"summary: {log.name} printed no result line")
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
