"""The use cases: what a user can do with a repo and a plan, whichever way they ask.

The command line (`commands.py`) and the workbench (`session.py`, under the TUI) both
call these functions; each returns data and never prints. Rendering is the caller's;
undo, redo and the autosaved draft are the workbench's own.

- `opening`: a repo and its plan, and whether the plan is pending, partly or wholly
  applied (an applied plan is shown, never validated again as if pending).
- `editing`: checked edits of a plan (move, new tier, rename, review verdicts).
- `previewing`: the changes a plan would make, and `diff`'s record of them.
- `approving`: whether a plan can be approved, and approving it.
- `applying`: apply, verify, recover.
- `reporting`: the migration report, the cross-tier edges and the CI check.
- `retiring`: the facades left at old paths, and removing the unused ones.
- `suggesting`: a draft plan from the import graph.
"""
