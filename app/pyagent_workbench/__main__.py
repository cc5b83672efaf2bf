from pyagent_workbench.cli import main

raise SystemExit(main())
