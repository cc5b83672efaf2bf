"""Bad input corpus: malformed and hostile plans, hostile repos. Each case gets a one-line
error naming the problem (exit status 2), or is handled correctly; never a traceback (nor
an "internal error"); and the repo is byte-identical afterwards unless the apply
succeeded (then verify passes). Commands run through the real CLI (in process, and in a
subprocess where only the real process shows the problem)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cli import Result, run
from support.plans import write_plan
from support.repos import make_repo, tree_digest

from . import stats

REPO: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg import b\n\nA = b.B + 1\n",
    "pkg/b.py": "B = 1\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/c.py": "from ..b import B\n\nC = B\n",
    "pkg/other/__init__.py": "",
    "pkg/other/c.py": "C = 2\n",
}

HEAD = 'schema = 1\nstatus = "approved"\n\n[repo]\npackages = ["pkg"]\n\n'


def move(source: str, target: str) -> str:
    return f'[[moves]]\nsource = "{source}"\ntarget = "{target}"\n\n'


def digest(root: Path) -> dict[str, str]:
    return {p: d for p, d in tree_digest(root).items() if "__pycache__" not in p}


def refused(result: Result, needle: str) -> None:
    """Exit 2, every line an `error:` line (the first naming the problem), no traceback."""
    stats.bump("bad inputs tried")
    assert result.code == 2, (result.code, result.out[-500:], result.err[-2000:])
    lines = [line for line in result.err.strip().splitlines()
             if not line.startswith(("note:", "warning:"))]
    assert lines and all(line.startswith("error: ") for line in lines), result.err
    assert needle in result.err, result.err
    assert "Traceback" not in result.err + result.out
    assert "internal error" not in result.err


def applied_and_verified(result: Result) -> None:
    stats.bump("bad inputs tried")
    assert result.code == 0, result.out[-1000:] + result.err[-2000:]
    assert "checked: OK" in result.out, result.out
    assert "Traceback" not in result.err + result.out


# -- plans ---------------------------------------------------------------------------------------

PLANS: dict[str, tuple[str | bytes, str]] = {
    "bad TOML": (HEAD + '[[moves]]\nsource = "pkg.b\n', "plan.toml:8: invalid TOML"),
    "duplicate key": (HEAD.replace("schema = 1\n", "schema = 1\nschema = 1\n"),
                      "invalid TOML"),
    "not UTF-8": (HEAD.encode() + b'# caf\xe9\n', "plan is not UTF-8 text"),
    "NUL byte": (HEAD + "\x00\n", "invalid TOML"),
    "empty file": ("", "missing 'schema = 1'"),
    "moves not an array of tables": (HEAD.replace("status", 'moves = "pkg.b"\nstatus'),
                                     "'moves' must be an array of tables"),
    "source of the wrong type": (HEAD + '[[moves]]\nsource = 3\ntarget = "pkg.x"\n',
                                 "source must be a string, not an integer"),
    "facades of the wrong type": (HEAD + '[options]\nfacades = "yes"\n',
                                  "[options] facades must be true or false, not a string"),
    "unknown top-level key": (HEAD.replace("status", "extra = 1\nstatus"),
                              "unknown key 'extra'"),
    "unknown key in a move": (HEAD + '[[moves]]\nsource = "pkg.b"\ndest = "pkg.x"\n',
                              "move #1: unknown key 'dest'"),
    "missing target": (HEAD + '[[moves]]\nsource = "pkg.b"\n', "move #1: missing 'target'"),
    "unknown schema": (HEAD.replace("schema = 1", "schema = 99"), "unknown schema 99"),
    "unknown status": (HEAD.replace('"approved"', '"done"'), "unknown status 'done'"),
    "module that does not exist": (HEAD + move("pkg.nothere", "pkg.x.nothere"),
                                   "source 'pkg.nothere' is not a module of the repo"),
    "target escaping with ..": (HEAD + move("pkg.b", "..pkg.b"),
                                "target '..pkg.b' is not a valid dotted module name"),
    "target escaping as a path": (HEAD + move("pkg.b", "pkg/../../etc/b"),
                                  "(use dots, not a path)"),
    "absolute target": (HEAD + move("pkg.b", "/etc/passwd"), "(use dots, not a path)"),
    "keyword in the target": (HEAD + move("pkg.b", "pkg.class.b"),
                              "('class' is a Python keyword)"),
    "non-identifier target": (HEAD + move("pkg.b", "pkg.1st.b"),
                              "('1st' is not an identifier)"),
    "hyphen in the target": (HEAD + move("pkg.b", "pkg.my-b"),
                             "('my-b' is not an identifier)"),
    "look-alike unicode target": (HEAD + move("pkg.b", "pkg.ｂ"),
                                  "it would be found as 'b'"),
    "empty target": (HEAD + move("pkg.b", ""), "(it is empty)"),
    "keyword source": (HEAD + move("pkg.import", "pkg.x"),
                       "source 'pkg.import' is not a valid dotted module name"),
    "source_root escaping": (HEAD.replace("[repo]\n", '[repo]\nsource_root = "../up"\n'),
                             "source_root '../up' escapes the repo"),
    "absolute source_root": (HEAD.replace("[repo]\n", '[repo]\nsource_root = "/tmp"\n'),
                             "must be a path relative to the repo"),
    "dotted package": (HEAD.replace('["pkg"]', '["pkg.sub"]'),
                       "[repo] packages lists top-level packages only"),
    "cycle": (HEAD + move("pkg.sub", "pkg.other.sub") + move("pkg.other", "pkg.sub.other"),
              "(cycle)"),
    "chain": (HEAD + move("pkg.b", "pkg.sub.b") + move("pkg.sub", "pkg.moved"), "(chain)"),
    "swap": (HEAD + move("pkg.a", "pkg.b") + move("pkg.b", "pkg.a"), "(cycle)"),
    "duplicate source": (HEAD + move("pkg.b", "pkg.x.b") + move("pkg.b", "pkg.y.b"),
                         "source 'pkg.b' is moved twice"),
    "target inside its own source": (HEAD + move("pkg.sub", "pkg.sub.deeper"),
                                     "lies inside its own source"),
    "two modules on one path": (HEAD + move("pkg.sub.c", "pkg.new.c")
                                + move("pkg.other.c", "pkg.new.c"), "would both land on"),
    "module onto an existing file": (HEAD + move("pkg.sub.c", "pkg.b"),
                                     "which exists already"),
    "module beside a package of its name": (HEAD + move("pkg.b", "pkg.sub"),
                                            "would sit beside a package of the same name"),
    "package hiding a module": (HEAD + move("pkg.other", "pkg.a"),
                                "would sit beside the module 'pkg/a.py' and hide it"),
    "target outside the analysed packages": (HEAD + move("pkg.b", "elsewhere.b"),
                                             "outside the analysed packages"),
    "undeclared tier": (HEAD + '[[moves]]\nsource = "pkg.b"\ntarget = "pkg.x.b"\n'
                        'tier = "nope"\n', "tier 'nope' is not declared"),
    "bad verdict": (HEAD + '[[reviews]]\nimporter = "pkg.a"\nimported = "pkg.b"\n'
                    'verdict = "maybe"\n', "unknown verdict 'maybe'"),
    "huge plan (100k moves)": (HEAD + "".join(move(f"pkg.m{i}", f"pkg.n{i}")
                                              for i in range(100_000)),
                               "100000 moves: more than 10000 is not a plan"),
}


@pytest.mark.parametrize("name", list(PLANS))
def test_bad_plan(tmp_path: Path, name: str) -> None:
    text, needle = PLANS[name]
    repo = make_repo(tmp_path / "repo", REPO, git_repo=False)
    plan = tmp_path / "plan.toml"
    plan.write_bytes(text.encode() if isinstance(text, str) else text)
    before = digest(repo)
    for command in ("diff", "apply", "check", "edges"):
        started = time.monotonic()
        refused(run(command, plan, "--repo", repo), needle)
        assert time.monotonic() - started < 20, f"{command} took too long"
    assert digest(repo) == before


def test_plan_that_is_missing_or_a_directory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPO, git_repo=False)
    refused(run("diff", tmp_path / "nothere.toml", "--repo", repo), "plan file not found")
    (tmp_path / "dir.toml").mkdir()
    refused(run("apply", tmp_path / "dir.toml", "--repo", repo), "cannot read plan")


def test_thousands_of_problems_are_summarised(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPO, git_repo=False)
    plan = tmp_path / "plan.toml"
    plan.write_text(HEAD + "".join(move(f"pkg.m{i}", f"pkg.n{i}") for i in range(3000)))
    result = run("diff", plan, "--repo", repo)
    refused(result, "... and 2970 more problems in the plan")
    assert len(result.err.splitlines()) == 31


def test_draft_plan_is_previewed_but_not_applied(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPO, git_repo=False)
    plan = write_plan(tmp_path / "plan.toml", [("pkg.b", "pkg.x.b")], packages=["pkg"],
                      status="draft")
    before = digest(repo)
    assert run("diff", plan, "--repo", repo).code == 0
    refused(run("apply", plan, "--repo", repo), "the plan is still a draft")
    assert digest(repo) == before


def test_dirty_git_tree_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPO)
    (repo / "pkg/b.py").write_text("B = 2\n")
    plan = write_plan(tmp_path / "plan.toml", [("pkg.b", "pkg.x.b")], packages=["pkg"])
    before = digest(repo)
    refused(run("apply", plan, "--repo", repo), "uncommitted changes (pkg/b.py)")
    assert digest(repo) == before


# -- hostile repos -------------------------------------------------------------------------------


def apply_case(tmp_path: Path, files: dict[str, str | bytes], moves: list[tuple[str, str]],
               *, packages: tuple[str, ...] = ("pkg",), facades: bool = False) -> tuple[
                   Path, Result, dict[str, str]]:
    repo = make_repo(tmp_path / "repo", files, git_repo=False)
    plan = write_plan(tmp_path / "plan.toml", moves, packages=list(packages), facades=facades)
    before = digest(repo)
    return repo, run("apply", plan, "--repo", repo), before


def test_syntax_error_in_a_file_that_refers_to_a_moved_module(tmp_path: Path) -> None:
    files = {**REPO, "pkg/broken.py": "from pkg import b\ndef f(:\n"}
    repo, result, before = apply_case(tmp_path, files, [("pkg.b", "pkg.x.b")])
    refused(result, "pkg/broken.py: line 2")
    assert "it refers to a moved module" in result.err
    assert digest(repo) == before


def test_syntax_error_elsewhere_is_reported_and_left_alone(tmp_path: Path) -> None:
    files = {**REPO, "pkg/broken.py": "print 'python 2'\n", "templates/t.py": "{{ x }}\n"}
    repo, result, _ = apply_case(tmp_path, files, [("pkg.b", "pkg.x.b")])
    applied_and_verified(result)
    assert "pkg/broken.py: cannot be parsed" in result.out
    assert (repo / "pkg/broken.py").read_text() == "print 'python 2'\n"


def test_nul_byte_in_a_file_that_refers_to_a_moved_module(tmp_path: Path) -> None:
    files = {**REPO, "pkg/nul.py": b"from pkg import b\nX = 1\x00\n"}
    repo, result, before = apply_case(tmp_path, files, [("pkg.b", "pkg.x.b")])
    refused(result, "pkg/nul.py")
    assert digest(repo) == before


def test_non_utf8_file_without_coding_declaration(tmp_path: Path) -> None:
    files = {**REPO, "pkg/latin.py": b"from pkg import b\nS = '\xe9t\xe9'\n"}
    repo, result, before = apply_case(tmp_path, files, [("pkg.b", "pkg.x.b")])
    refused(result, "pkg/latin.py")
    assert digest(repo) == before


def test_latin1_file_with_coding_declaration_keeps_its_bytes(tmp_path: Path) -> None:
    source = b"# -*- coding: latin-1 -*-\nfrom pkg import b\nS = '\xe9t\xe9'\n"
    repo, result, _ = apply_case(tmp_path, {**REPO, "pkg/latin.py": source},
                                 [("pkg.b", "pkg.x.b")])
    applied_and_verified(result)
    assert (repo / "pkg/latin.py").read_bytes() == source.replace(
        b"from pkg import b", b"from pkg.x import b")


def test_bom_is_kept(tmp_path: Path) -> None:
    source = b"\xef\xbb\xbffrom pkg import b\n\nX = b.B\n"
    repo, result, _ = apply_case(tmp_path, {**REPO, "pkg/bom.py": source},
                                 [("pkg.b", "pkg.x.b")])
    applied_and_verified(result)
    assert (repo / "pkg/bom.py").read_bytes() == b"\xef\xbb\xbffrom pkg.x import b\n\nX = b.B\n"


def test_crlf_line_endings_are_kept(tmp_path: Path) -> None:
    source = b"from pkg import b\r\nimport pkg.b\r\n\r\nX = b.B + pkg.b.B\r\n"
    repo, result, _ = apply_case(tmp_path, {**REPO, "pkg/crlf.py": source},
                                 [("pkg.b", "pkg.x.b")])
    applied_and_verified(result)
    assert (repo / "pkg/crlf.py").read_bytes() == (
        b"from pkg.x import b\r\nimport pkg.x.b\r\n\r\nX = b.B + pkg.x.b.B\r\n")


def test_mixed_line_endings_are_kept_line_by_line(tmp_path: Path) -> None:
    source = b"from pkg import b\r\nY = 1\nX = b.B\r\nZ = 2\r"
    repo, result, _ = apply_case(tmp_path, {**REPO, "pkg/mixed.py": source},
                                 [("pkg.b", "pkg.x.b")])
    applied_and_verified(result)
    assert (repo / "pkg/mixed.py").read_bytes() == source.replace(b"from pkg import",
                                                                  b"from pkg.x import")


def test_tab_indentation(tmp_path: Path) -> None:
    source = "def f():\n\tfrom pkg import b\n\tif b:\n\t\treturn b.B\n\nX = f()\n"
    repo, result, _ = apply_case(tmp_path, {**REPO, "pkg/tabs.py": source},
                                 [("pkg.b", "pkg.x.b")])
    applied_and_verified(result)
    assert (repo / "pkg/tabs.py").read_text() == source.replace("from pkg import",
                                                                "from pkg.x import")


def test_symlinked_package_is_not_a_module_of_the_repo(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**REPO, "elsewhere/__init__.py": "",
                                         "elsewhere/x.py": "X = 1\n"}, git_repo=False)
    os.symlink("../elsewhere", repo / "pkg/linked")
    plan = write_plan(tmp_path / "plan.toml", [("pkg.linked", "pkg.moved")], packages=["pkg"])
    before = digest(repo)
    refused(run("apply", plan, "--repo", repo), "source 'pkg.linked' is not a module")
    assert digest(repo) == before


def test_symlink_to_a_moved_module_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPO, git_repo=False)
    os.symlink("b.py", repo / "pkg/alias.py")
    plan = write_plan(tmp_path / "plan.toml", [("pkg.b", "pkg.x.b")], packages=["pkg"])
    before = digest(repo)
    refused(run("apply", plan, "--repo", repo),
            "pkg/alias.py is a symbolic link to pkg/b.py, which the plan moves")
    assert digest(repo) == before


def test_symlink_inside_a_moved_package_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPO, git_repo=False)
    os.symlink("../b.py", repo / "pkg/sub/link.py")
    plan = write_plan(tmp_path / "plan.toml", [("pkg.sub", "pkg.x.sub")], packages=["pkg"])
    before = digest(repo)
    refused(run("apply", plan, "--repo", repo),
            "pkg/sub/link.py is a symbolic link and the plan moves it")
    assert digest(repo) == before


def test_symlink_to_a_directory_inside_a_moved_package_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPO, git_repo=False)
    os.symlink("pkg/sub", repo / "sub_alias")
    plan = write_plan(tmp_path / "plan.toml", [("pkg.sub", "pkg.x.sub")], packages=["pkg"])
    before = digest(repo)
    refused(run("apply", plan, "--repo", repo), "sub_alias is a symbolic link to pkg/sub")
    assert digest(repo) == before


def test_empty_file_moves(tmp_path: Path) -> None:
    repo, result, _ = apply_case(tmp_path, {**REPO, "pkg/empty.py": ""},
                                 [("pkg.empty", "pkg.x.empty")])
    applied_and_verified(result)
    assert (repo / "pkg/x/empty.py").read_bytes() == b""


def test_five_megabyte_generated_file(tmp_path: Path) -> None:
    table = "".join(f"    {i}: 'generated value {i:08d} padded out to be long enough',\n"
                    for i in range(85_000))
    big = f"from pkg import b\n\nTABLE = {{\n{table}}}\nFIRST = b.B\n"
    assert len(big) > 5_000_000
    started = time.monotonic()
    repo, result, _ = apply_case(tmp_path, {**REPO, "pkg/table.py": big},
                                 [("pkg.b", "pkg.x.b")])
    applied_and_verified(result)
    assert time.monotonic() - started < 60
    assert (repo / "pkg/table.py").read_text() == big.replace("from pkg import b",
                                                              "from pkg.x import b", 1)


@pytest.mark.parametrize("name", ["json", "logging", "importlib"])
def test_package_shadowing_a_standard_module(tmp_path: Path, name: str) -> None:
    """verify must import the repo's package, not the standard one its own script had
    already imported (it used to import json itself: every module of a repo package named
    json "failed before and after", so nothing was checked)."""
    files = {f"{name}/__init__.py": "", f"{name}/a.py": f"from {name} import b\n\nA = b.B\n",
             f"{name}/b.py": "B = 1\n"}
    repo, result, _ = apply_case(tmp_path, files, [(f"{name}.b", f"{name}.x.b")],
                                 packages=(name,))
    applied_and_verified(result)
    assert "failed to import before" not in result.out
    assert (repo / f"{name}/a.py").read_text() == f"from {name}.x import b\n\nA = b.B\n"


def test_module_hidden_by_a_package_of_the_same_name(tmp_path: Path) -> None:
    files = {**REPO, "pkg/sub.py": "S = 'never imported: the package wins'\n"}
    repo, result, before = apply_case(tmp_path, files, [("pkg.sub", "pkg.x.sub")])
    refused(result, "pkg/sub.py is hidden by the package pkg.sub today")
    assert digest(repo) == before


def test_deeply_nested_package(tmp_path: Path) -> None:
    deep = "/".join(f"d{i}" for i in range(40))
    files: dict[str, str | bytes] = {**REPO, f"pkg/{deep}/m.py": "from pkg import b\n"}
    for depth in range(1, 41):
        files["pkg/" + "/".join(f"d{i}" for i in range(depth)) + "/__init__.py"] = ""
    repo, result, _ = apply_case(tmp_path, files, [("pkg.b", "pkg.x.b")])
    applied_and_verified(result)
    assert (repo / f"pkg/{deep}/m.py").read_text() == "from pkg.x import b\n"


def test_file_names_that_are_not_identifiers(tmp_path: Path) -> None:
    files = {**REPO, "pkg/my-script.py": "from pkg import b\n", "pkg/v1.2.py": "import pkg.b\n"}
    repo, result, _ = apply_case(tmp_path, files, [("pkg.b", "pkg.x.b")])
    applied_and_verified(result)
    assert (repo / "pkg/my-script.py").read_text() == "from pkg.x import b\n"
    assert (repo / "pkg/v1.2.py").read_text() == "import pkg.x.b\n"


def test_state_folder_that_is_a_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPO, git_repo=False)
    (repo / ".pyagent-workbench").write_text("not a folder\n")
    plan = write_plan(tmp_path / "plan.toml", [("pkg.b", "pkg.x.b")], packages=["pkg"])
    before = digest(repo)
    for command in ("diff", "apply"):
        refused(run(command, plan, "--repo", repo), ".pyagent-workbench is not a folder")
    assert digest(repo) == before


@pytest.mark.parametrize("manifest, needle", [
    ("{not json", "cannot be read (JSONDecodeError"),
    ('{"entries": [{"path": "pkg/a.py", "backup": "0000009"}]}', "cannot restore"),
    ('{"entries": [{"path": "../../outside.txt", "backup": "0"}]}',
     "path '../../outside.txt' is not inside the repo"),
    ('{"entries": [{"path": "/etc/hostname", "backup": "0"}]}', "is not inside the repo"),
    ('{"entries": [{"path": "pkg/a.py", "backup": "../../../x"}]}',
     "is not a file of the journal"),
    ('{"entries": [], "git_index": "/tmp/someone-elses-index"}', "is not this repo's"),
    ('{"entries": [{"path": "pkg/a.py", "size": 3}]}', "cannot be read (TypeError"),
    ('{"entries": [{"path": "pkg/a.py", "backup": "0", "offset": 5, "length": 10}]}',
     "the copy of pkg/a.py lies past the end of 0"),
    ('{"entries": [{"path": "pkg/a.py", "backup": "0", "offset": -1, "length": 2}]}',
     "the copy of pkg/a.py has no valid place"),
    ('{"entries": [{"path": "pkg/a.py", "backup": "0", "offset": "0", "length": 2}]}',
     "the copy of pkg/a.py has no valid place"),
    ('{"entries": [{"path": "pkg/a.py", "backup": null, "offset": 0, "length": 2}]}',
     "the copy of pkg/a.py has no valid place"),
    ('{"entries": [{"path": "pkg/a.py", "backup": null, "renamed_from": ["pkg/b.py"]}]}',
     "the entry of pkg/a.py names no old path"),
    ('{"entries": [], "empty_dirs": ["../../made-outside"]}',
     "directory '../../made-outside' is not inside the repo"),
], ids=["not JSON", "missing backup", "path escaping the repo", "absolute path",
        "backup escaping the journal", "foreign git index", "unknown field",
        "copy past the end of the pack", "negative offset", "offset not a number",
        "offset without a backup file", "renamed from a list", "empty folder outside"])
def test_corrupt_or_hostile_journal(tmp_path: Path, manifest: str, needle: str) -> None:
    repo = make_repo(tmp_path / "repo", REPO, git_repo=False)
    journal = repo / ".pyagent-workbench/journal"
    (journal / "backup").mkdir(parents=True)
    (journal / "backup/0").write_text("hostile bytes\n")
    (journal / "manifest.json").write_text(manifest)
    outside = sorted(p.name for p in tmp_path.iterdir())
    before = digest(repo)
    refused(run("recover", repo), needle)
    assert digest(repo) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == outside
    plan = write_plan(tmp_path / "plan.toml", [("pkg.b", "pkg.x.b")], packages=["pkg"])
    refused(run("apply", plan, "--repo", repo), "run `pyagent-workbench recover")


def test_relative_import_above_the_top_level_package_prints_no_panic(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**REPO, "pkg/climb.py": "from ... import x\n"},
                     git_repo=False)
    plan = write_plan(tmp_path / "plan.toml", [("pkg.b", "pkg.x.b")], packages=["pkg"])
    result = subprocess.run([sys.executable, "-m", "pyagent_workbench", "diff", str(plan),
                             "--repo", str(repo)], capture_output=True, text=True, check=False)
    stats.bump("bad inputs tried")
    assert result.returncode == 0, result.stderr
    assert "relative import climbs above the top-level package" in result.stdout
    assert "panicked" not in result.stderr and "backtrace" not in result.stderr
