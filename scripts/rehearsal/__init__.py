"""The rehearsal scripts/rehearse.py runs: one job of a workflow file, with Docker, as
GitHub's runner runs it.

plan.py reads the job from the file, with what the runner hands it (runner.py), a service's
`options:` as the runner and Docker read them (options.py) and what is run in place of what
the file names (substitutions.py). containers.py starts the job's containers, health.py waits
for the service as the runner does, commands.py takes these steps in order, and report.py
prints the progress and the one error with its fix.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # plan.py evaluates the file's ${{ }} with tests/support/
    sys.path.insert(0, str(REPO))
