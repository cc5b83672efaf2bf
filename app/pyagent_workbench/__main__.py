"""`python -m pyagent_workbench`: the console script's twin.

`python -m` puts the current directory first on `sys.path`. Run from inside the user's
repo, a package there named like one of our dependencies (`tomlkit`, `grimp`) would be
imported, and run, in place of it: the directory comes off the path before anything
else is imported (the tool never imports the repo's code; it reads it)."""

import os
import sys

if not sys.flags.safe_path and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from pyagent_workbench.cli import main

if __name__ == "__main__":  # not when a worker process imports this module again
    raise SystemExit(main())
