"""The direction of imports: tasks sit below the grader, the sandbox and every stage, and import none of them;
a grader is passed in, never held by a module.

Read from the source with `ast` (a lazy import inside a function counts as much as one at the top), and checked
in a fresh interpreter, where an import circle would show.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / "r1ci" / "tasks"
ABOVE_TASKS = ("r1ci.grading", "r1ci.runtime", "r1ci.sandbox", "r1ci.rollout", "r1ci.evaluate", "r1ci.potential",
               "r1ci.rl", "r1ci.synth", "r1ci.sft", "r1ci.pipeline", "r1ci.study", "r1ci.cli")
# veRL loads compute_score by file path, in its own processes, and cannot hand it a grader: its adapter builds
# one (r1ci/tasks/export.py, `_adapter_grader`). The one import of the grader under r1ci/tasks, and the one
# grader a module keeps.
ADAPTER = ("r1ci/tasks/export.py", "_adapter_grader")


def imports(tree: ast.AST) -> list[tuple[str, ast.AST, str | None]]:
    """(module imported, node, the function it is in) for every import in `tree`, `from r1ci import x` as
    `r1ci.x`."""
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Import):
                found.extend((alias.name, child, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module:
                found.append((child.module, child, function))
                found.extend((f"{child.module}.{alias.name}", child, function) for alias in child.names)
            visit(child, inner)

    visit(tree, None)
    return found


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def test_tasks_import_no_grader_sandbox_or_stage():
    wrong = []
    for path in sorted(TASKS.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        for module, node, function in imports(ast.parse(path.read_text())):
            if any(module == up or module.startswith(up + ".") for up in ABOVE_TASKS):
                if (rel, function) == ADAPTER and module in ("r1ci.grading", "r1ci.grading.Grader"):
                    continue
                wrong.append(f"{rel}:{node.lineno} imports {module}")
    assert not wrong, "tasks import what sits above them:\n" + "\n".join(wrong)


def test_teacher_modules_import_no_stage_and_no_task():
    """The scripted teacher's toolkit and writer modules under r1ci/tasks import nothing of r1ci but the toolkit:
    no stage (r1ci.synth drives them, through the tasks) and no task module (a task imports its writers, so an
    import back, even a lazy one, would close a circle)."""
    modules = [TASKS / "teaching.py", *sorted(TASKS.glob("*_teacher.py"))]
    assert len(modules) >= 3, modules
    wrong = [f"{path.relative_to(ROOT)}:{node.lineno} imports {module}"
             for path in modules for module, node, _ in imports(ast.parse(path.read_text()))
             if module.split(".")[0] == "r1ci" and not module.startswith("r1ci.tasks.teaching")]
    assert not wrong, "a teacher module imports more of r1ci than the toolkit:\n" + "\n".join(wrong)


def test_importing_the_tasks_does_not_import_the_grader():
    """Importing the task contract, every task module and `tasks check` loads no grader: no circle through it."""
    modules = [".".join(path.relative_to(ROOT).with_suffix("").parts) for path in sorted(TASKS.rglob("*.py"))]
    modules = [m.removesuffix(".__init__") for m in modules]
    code = ("import sys\nimport r1ci.tasks.base\nbase = 'r1ci.grading' in sys.modules\n"
            f"for m in {modules!r}:\n    __import__(m)\n"
            "print(base, 'r1ci.grading' in sys.modules, 'r1ci.sandbox.local' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[:2] == ["False", "False"], done.stdout


def grader_calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call) and
            (getattr(n.func, "id", None) or getattr(n.func, "attr", None)) in ("Grader", "Runtime")]


def test_no_module_holds_a_grader():
    """No grader (or runtime) is built at a module's top level, and no function builds one into a module global,
    but for veRL's adapter."""
    wrong = []
    for path in python_files("r1ci", "benchmarks", "scripts"):
        rel, tree = str(path.relative_to(ROOT)), ast.parse(path.read_text())
        for statement in tree.body:
            if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                wrong += [f"{rel}:{call.lineno} builds a grader at module level" for call in grader_calls(statement)]
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and (rel, function.name) != ADAPTER:
                if any(isinstance(n, ast.Global) for n in ast.walk(function)) and grader_calls(function):
                    wrong.append(f"{rel}:{function.lineno} {function.name} keeps a grader in a module global")
        text = path.read_text()
        wrong += [f"{rel} names {name}" for name in ("default_grader", "set_default_grader", "use_insecure_grading")
                  if name in text]
    assert not wrong, "\n".join(wrong)


def test_the_adapter_is_where_the_guards_say():
    """The exemption above names a function that exists (a rename would otherwise exempt nothing, silently)."""
    path, name = ADAPTER
    tree = ast.parse((ROOT / path).read_text())
    adapter = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    assert adapter and grader_calls(adapter[0])


def documented_layers() -> list[list[str]]:
    """The layers of docs/architecture.md, top (imported by all) first: `1. \\`settings\\` \\`records\\``..."""
    text = (ROOT / "docs" / "architecture.md").read_text().split("## Layers", 1)[1]
    return [re.findall(r"`(\w+)`", line) for line in text.splitlines() if re.match(r"\d+\. `", line)]


def unit(module: str) -> str | None:
    """The layer unit of an r1ci module: its first name under r1ci (`r1ci.tasks.bbh` -> tasks)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "r1ci" and len(parts) > 1 else None


def test_every_import_goes_down_the_documented_layers():
    layers = documented_layers()
    level = {name: k for k, names in enumerate(layers) for name in names}
    units = {unit(".".join(p.relative_to(ROOT).with_suffix("").parts)) for p in python_files("r1ci")} - {"__init__"}
    assert units == set(level), f"docs/architecture.md's layers and r1ci/ differ: {units ^ set(level)}"
    wrong = []
    for path in python_files("r1ci"):
        rel = str(path.relative_to(ROOT))
        here = unit(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if here == "__init__":
            continue
        for module, node, function in imports(ast.parse(path.read_text())):
            there = unit(module)
            if there in level and level[there] > level[here] and (rel, function) != ADAPTER:
                wrong.append(f"{rel}:{node.lineno} ({here}, layer {level[here] + 1}) imports {module} "
                             f"(layer {level[there] + 1})")
    assert not wrong, "imports that go up the layers of docs/architecture.md:\n" + "\n".join(wrong)
