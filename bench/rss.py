#!/usr/bin/env python3
"""Runs a command and appends its peak RSS (wait4's ru_maxrss, KB), exit code
and arguments to a log: the Slurm jobs of a sharded run are not children of
bench/run.py, so each measures itself.

    rss.py LOG PROGRAM [ARGS...]
"""

import os
import subprocess
import sys

log, program, args = sys.argv[1], sys.argv[2], sys.argv[3:]
p = subprocess.Popen([program] + args)
_, status, ru = os.wait4(p.pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(log, "a") as f:
    f.write(f"{ru.ru_maxrss}\t{code}\t{' '.join(args)}\n")
sys.exit(code if code >= 0 else 128 - code)
