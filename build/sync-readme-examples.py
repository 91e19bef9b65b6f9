#!/usr/bin/env python3
"""Copies the README examples from tests/.../ReadmeExample.java into README.md (the ```java blocks that
follow the markers' order). ReadmeExampleTest fails when the two drift apart; run this to fix README.md."""
import pathlib, re, textwrap
root = pathlib.Path(__file__).resolve().parent.parent
src = (root / "tests/src/test/java/dev/warren/tests/ReadmeExample.java").read_text()
snips = [textwrap.dedent(m.group(2).rstrip()) for m in
         re.finditer(r"// README:begin (\w+)\n(.*?)    // README:end \1", src, re.S)]
readme = (root / "README.md").read_text()
blocks = list(re.finditer(r"```java\n(.*?)```", readme, re.S))
assert len(blocks) == len(snips), f"README has {len(blocks)} java blocks, ReadmeExample {len(snips)} examples"
for b, s in reversed(list(zip(blocks, snips))):
    readme = readme[:b.start(1)] + s + "\n" + readme[b.end(1):]
(root / "README.md").write_text(readme)
