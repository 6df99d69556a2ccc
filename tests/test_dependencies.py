"""Dependencies run one way: comments -> articles. The article app imports nothing of the comments app."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_articles_imports_nothing_from_comments():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "articles").rglob("*.py"))
        for module in _imported_modules(path)
        if module == "comments" or module.startswith("comments.")
    ]
    assert offenders == []


def test_the_rule_is_checked_on_real_imports(tmp_path):
    example = tmp_path / "example.py"
    example.write_text("import comments.models\nfrom comments.views import x\nfrom .models import y\n")
    assert list(_imported_modules(example)) == ["comments.models", "comments.views"]
