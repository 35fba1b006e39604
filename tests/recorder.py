"""A command that records how it was run: ``recorder.py OUT [ARGS...]`` appends one JSON
line to OUT with its arguments and what came on stdin; ``RECORDER_EXIT`` sets its exit
status and ``RECORDER_SAY`` what it prints (stdout) before exiting."""

import json
import os
import sys

out = sys.argv[1]
data = "" if sys.stdin is None or sys.stdin.closed else sys.stdin.read()
with open(out, "a", encoding="utf-8") as f:
    f.write(json.dumps({"argv": sys.argv[2:], "stdin": data, "tty": os.isatty(1)}) + "\n")
said = os.environ.get("RECORDER_SAY", "")
if said:
    print(said)
code = int(os.environ.get("RECORDER_EXIT", "0"))
if code:
    print("recorder failed on purpose", file=sys.stderr)
sys.exit(code)
