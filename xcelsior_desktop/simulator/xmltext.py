"""XML text laid out the way the Itron agent writes it.

Its layout (seen in the capture): 4-space indentation, every attribute on its own line indented 5 spaces past its
element, childless elements with attributes self-closed, lists with a blank line after the opening tag and after
every item, a final newline. The root element always has an end tag, even when empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = "urn:ieee:std:2030.5:ns"


@dataclass
class Node:
    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    text: str | None = None
    is_list: bool = False

    def add(self, tag: str, text: object = None, **attrs: object) -> Node:
        child = Node(tag, [(k, str(v)) for k, v in attrs.items()], text=None if text is None else str(text))
        self.children.append(child)
        return child


def leaf(tag: str, text: object) -> Node:
    return Node(tag, text=str(text))


def render(node: Node, depth: int = 0) -> str:
    pad = "    " * depth
    attr_pad = pad + "     "
    head = pad + "<" + node.tag + "".join(f"\n{attr_pad}{k}={quoteattr(v)}" for k, v in node.attrs)
    if node.text is not None:
        return f"{head}>{escape(node.text)}</{node.tag}>\n"
    if not node.children and not node.is_list and depth > 0:
        return head + "/>\n"
    parts = [head, ">\n"]
    if node.is_list:
        parts.append("\n")
    for child in node.children:
        parts.append(render(child, depth + 1))
        if node.is_list:
            parts.append("\n")
    parts.append(f"{pad}</{node.tag}>\n")
    return "".join(parts)


def document(node: Node) -> bytes:
    """The root gets the namespace as its first attribute."""
    node.attrs.insert(0, ("xmlns", NAMESPACE))
    return render(node).encode()
