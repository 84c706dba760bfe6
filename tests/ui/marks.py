"""Where a form's errors are drawn (issue 10): each one just under the widgets of its field."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from tests.helpers import as_read


def _in_order(node):
    """The page's elements in the order they are drawn."""
    if isinstance(node, Block):
        for index in sorted(node.children):
            yield from _in_order(node.children[index])
    else:
        yield node


def error_under(at: AppTest, key: str) -> str | None:
    """The error message drawn right after the widget with `key` (as read), or None."""
    nodes = list(_in_order(at._tree))
    at_key = [i for i, n in enumerate(nodes) if getattr(n, "key", None) == key]
    assert at_key, f"no widget {key}"
    after = nodes[at_key[-1] + 1] if at_key[-1] + 1 < len(nodes) else None
    return as_read(after.value) if getattr(after, "type", "") == "error" else None
