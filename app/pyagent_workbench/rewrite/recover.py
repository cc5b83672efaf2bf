"""Finish what an interrupted apply could not: put the tree back from its journal.

An apply that crashed (or was killed) before its commit point leaves its journal; until
it is rolled back, every later apply refuses to start.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pyagent_workbench import gitrepo
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.rewrite.journal import MANIFEST, Journal, why
from pyagent_workbench.statedir import JOURNAL_DIR, STATE_DIR, state_dir


def recover(repo_root: Path) -> bool:
    """Restore the pre-apply tree from an interrupted apply's journal. False if none."""
    state = state_dir(repo_root)
    gitrepo.refuse_committed_state(repo_root, STATE_DIR)
    journal_dir = state / JOURNAL_DIR
    if not journal_dir.exists():
        return False
    if not (journal_dir / MANIFEST).exists():
        shutil.rmtree(journal_dir)  # died before the journal was complete: nothing written
        return True
    try:
        journal = Journal.load(repo_root, state, git_index=gitrepo.index_path(repo_root))
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise ApplyError(
            f"the journal in {journal_dir} cannot be read ({type(error).__name__}: {error}); "
            f"nothing was restored") from None
    try:
        journal.rollback()
    except OSError as error:
        raise ApplyError(f"cannot restore {why(error)}; the journal is kept: fix that and "
                         f"run `pyagent-workbench recover {repo_root}` again") from None
    if journal.conflicts:
        raise ApplyError("restored, except" + journal.conflict_note().removeprefix(";"))
    return True
