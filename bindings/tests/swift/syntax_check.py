"""Parses Swift files with tree-sitter-swift and fails on any ERROR or MISSING node.

Usage: python syntax_check.py FILE.swift...
Prints one line per file and a closing `swift syntax: N files, N errors`.

One construct of uniffi's generated Swift is valid Swift that tree-sitter-swift (0.7.x) cannot
parse: a conditional-compilation block around nothing but an attribute,

    #if swift(>=5.8)
    @_documentation(visibility: private)
    #endif

Only the two directive lines of exactly that three-line shape are blanked before parsing (the
attribute itself is still parsed, line numbers are kept); everything else counts.
"""

import re
import sys

import tree_sitter
import tree_sitter_swift

LANGUAGE = tree_sitter.Language(tree_sitter_swift.language())


def problems(tree):
    out = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            kind = "missing" if node.is_missing else "error"
            out.append((node.start_point[0] + 1, node.start_point[1] + 1, kind, node.type))
            continue
        if node.has_error:
            stack.extend(node.children)
    return sorted(out)


WRAPPED_ATTRIBUTE = re.compile(
    rb"^([ \t]*)#if swift\(>=5\.8\)[ \t]*\n([ \t]*@_documentation\(visibility: private\)[ \t]*)\n[ \t]*#endif[ \t]*$",
    re.MULTILINE,
)


def normalise(source: bytes):
    """Blanks the directive lines around a lone `@_documentation` attribute."""
    return WRAPPED_ATTRIBUTE.subn(rb"\n\2\n", source)


def main(paths):
    parser = tree_sitter.Parser(LANGUAGE)
    total = 0
    for path in paths:
        with open(path, "rb") as f:
            source, blanked = normalise(f.read())
        tree = parser.parse(source)
        found = problems(tree)
        total += len(found)
        note = f" ({blanked} #if-wrapped attributes unwrapped)" if blanked else ""
        print(f"{path}: {len(found)} errors{note}")
        for line, col, kind, typ in found[:20]:
            print(f"  {path}:{line}:{col}: {kind} ({typ})")
    print(f"swift syntax: {len(paths)} files, {total} errors")
    return 1 if total or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
