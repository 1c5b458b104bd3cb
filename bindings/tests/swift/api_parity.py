"""Swift API parity: every call from ios/ into the generated bindings names what they declare.

No Swift toolchain runs on these machines, so this stands in for the type checker as far as
the calls into the uniffi-generated Swift (`ShikakuCore.swift`) go. From the tree-sitter parse trees:

- the generated API: types (class, struct, enum, protocol) with their methods and argument
  labels (defaults noted), initialisers, fields and enum cases (with payload labels), and the
  free functions;
- in the ios/ files, with a small type inference (parameters, annotated and initialised
  bindings, `if let`/`guard let`, `self` in extensions, fields and return types of the
  generated types, `ForEach` over arrays):
  * `Type(label: …)`, `Type.member(label: …)`, `value.member(label: …)` and free functions
    name a declared initialiser, member, case or function with matching labels;
  * a type that conforms to a generated protocol implements every requirement by name and
    labels;
  * a `switch` over a generated enum names only its cases and covers all of them (or has a
    `default`); `value == .case` names a case;
  * every type named is declared by the bindings, by ios/ itself, or is in SDK_TYPES.

Usage:
  api_parity.py GENERATED.swift FILE.swift...
  api_parity.py --negative-control WORKDIR GENERATED.swift FILE.swift...
      mutates copies of the generated file (a called function renamed, an argument label
      renamed, a case added to an exhaustively switched enum) and fails unless the check
      rejects every mutation.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter_swift
from tree_sitter import Language, Node, Parser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from syntax_check import normalise  # noqa: E402  (the same generated-code normalisation)

PARSER = Parser(Language(tree_sitter_swift.language()))

# Types of the Swift standard library and Apple's SDKs that ios/ names. A type missing from
# here, from ios/ and from the bindings is reported (e.g. a generated type that was renamed).
SDK_TYPES = {
    # Swift
    "Any", "AnyObject", "Array", "Bool", "CancellationError", "CheckedContinuation", "Double",
    "Error", "Int", "MainActor", "Never", "Result", "Sendable", "String", "Swift", "Task",
    "UInt16", "UInt8", "Void",
    # Foundation, Dispatch
    "Data", "DispatchQueue", "DispatchSemaphore", "HTTPURLResponse", "NSLock", "NSObject",
    "TimeInterval", "URL", "URLError", "URLRequest", "URLSession", "URLSessionConfiguration",
    "URLSessionTask", "URLSessionTaskDelegate", "Int64", "URLAuthenticationChallenge",
    "URLCredential", "URLResponse", "URLSessionDataDelegate", "URLSessionDataTask",
    "SecCertificate",
    # CoreNFC
    "NFCISO7816APDU", "NFCISO7816Tag", "NFCReaderError", "NFCTag", "NFCTagReaderSession",
    "NFCTagReaderSessionDelegate",
    # Security, CryptoKit, CoreFoundation
    "CFData", "CFDictionary", "CFError", "CFTypeRef", "SecKey", "SecKeyAlgorithm",
    "SecureEnclave", "Unmanaged",
    # SwiftUI
    "Button", "Color", "ForEach", "HStack", "List", "Section", "Spacer", "Text", "VStack",
    "View",
}


# The environment key of the enclosing function's return type.
RETURN = "<return>"

# Effects that tree-sitter-swift 0.7 reads as a type inside a function type's parameter list.
KEYWORDS = {"async", "rethrows", "throws"}


def text(node: Node) -> str:
    return node.text.decode() if node.text is not None else ""


def named(node: Node, kind: str) -> list[Node]:
    return [c for c in node.children if c.type == kind]


def walk(node: Node):
    yield node
    for child in node.children:
        yield from walk(child)


@dataclass
class Param:
    label: str | None  # None: unlabelled (`_`)
    type: str
    defaulted: bool


@dataclass
class Sig:
    name: str
    params: list[Param]
    returns: str | None
    static: bool = False


@dataclass
class TypeInfo:
    name: str
    kind: str  # class, struct, enum, protocol
    methods: dict[str, list[Sig]] = field(default_factory=dict)
    inits: list[Sig] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    cases: dict[str, list[Param] | None] = field(default_factory=dict)
    inherits: list[str] = field(default_factory=list)


def type_text(node: Node | None) -> str:
    if node is None:
        return ""
    return re.sub(r"\s+", "", text(node))


def base_type(t: str | None) -> str | None:
    """`any Foo?` → `Foo`; arrays stay arrays (`[Foo]`)."""
    if not t:
        return None
    t = t.strip()
    t = re.sub(r"^(any|some)", "", t) if re.match(r"^(any|some)[A-Z]", t) else t
    t = t.rstrip("?!")
    if t.startswith("(") and t.endswith(")") and "->" not in t:
        t = t[1:-1]
    return t or None


def element_type(t: str | None) -> str | None:
    t = base_type(t)
    if t and t.startswith("[") and t.endswith("]") and ":" not in t:
        return base_type(t[1:-1])
    return None


def params_of(decl: Node) -> list[Param]:
    params: list[Param] = []
    children = decl.children
    for i, child in enumerate(children):
        if decl.field_name_for_child(i) == "default_value" and params:
            params[-1].defaulted = True
        if child.type != "parameter":
            continue
        external = child.child_by_field_name("external_name")
        names = [c for c in child.children if c.type == "simple_identifier"]
        internal = names[-1] if names else None
        label = text(external) if external is not None else (text(internal) if internal else None)
        ptype = ""
        for j, c in enumerate(child.children):
            if child.field_name_for_child(j) == "name" and c.type != "simple_identifier":
                ptype = type_text(c)
        params.append(Param(None if label == "_" else label, ptype, False))
    return params


def internal_params(decl: Node) -> dict[str, str]:
    env: dict[str, str] = {}
    for child in named(decl, "parameter"):
        names = [c for c in child.children if c.type == "simple_identifier"]
        ptype = ""
        for j, c in enumerate(child.children):
            if child.field_name_for_child(j) == "name" and c.type != "simple_identifier":
                ptype = type_text(c)
        if names:
            env[text(names[-1])] = ptype
    return env


def return_type(decl: Node) -> str | None:
    seen_arrow = False
    for child in decl.children:
        if child.type == "->":
            seen_arrow = True
        elif seen_arrow and child.type not in ("function_body", "where_clause"):
            return type_text(child)
    return None


def is_static(decl: Node) -> bool:
    for mods in named(decl, "modifiers"):
        if re.search(r"\b(static|class)\b", text(mods)):
            return True
    return False


def decl_name(node: Node) -> str | None:
    n = node.child_by_field_name("name")
    return text(n) if n is not None else None


def declaration_kind(node: Node) -> str:
    k = node.child_by_field_name("declaration_kind")
    return text(k) if k is not None else node.type


def inherited(node: Node) -> list[str]:
    out = []
    for spec in named(node, "inheritance_specifier"):
        t = spec.child_by_field_name("inherits_from")
        if t is not None:
            out.append(type_text(t).split(".")[-1])
    return out


def collect_members(info: TypeInfo, body: Node) -> None:
    for member in body.children:
        if member.type in ("function_declaration", "protocol_function_declaration"):
            name = decl_name(member)
            if name:
                info.methods.setdefault(name, []).append(
                    Sig(name, params_of(member), return_type(member), is_static(member))
                )
        elif member.type == "init_declaration":
            info.inits.append(Sig("init", params_of(member), info.name))
        elif member.type in ("property_declaration", "protocol_property_declaration"):
            pattern = member.child_by_field_name("name")
            annotation = next((c for c in member.children if c.type == "type_annotation"), None)
            if pattern is not None:
                ptype = ""
                if annotation is not None:
                    tnode = annotation.child_by_field_name("name")
                    ptype = type_text(tnode)
                info.fields[text(pattern)] = ptype
        elif member.type == "enum_entry":
            names = [
                member.children[j]
                for j in range(member.child_count)
                if member.field_name_for_child(j) == "name"
            ]
            payload = member.child_by_field_name("data_contents")
            labels = None
            if payload is not None:
                labels = []
                for c in payload.children:
                    if c.type == "simple_identifier":
                        labels.append(Param(text(c), "", False))
            for n in names:
                info.cases[text(n)] = labels if len(names) == 1 else None


@dataclass
class Api:
    types: dict[str, TypeInfo] = field(default_factory=dict)
    functions: dict[str, list[Sig]] = field(default_factory=dict)


def load_api(path: Path) -> Api:
    tree = PARSER.parse(normalise(path.read_bytes())[0])
    api = Api()
    for node in walk(tree.root_node):
        if node.type in ("class_declaration", "protocol_declaration"):
            kind = declaration_kind(node)
            name_node = node.child_by_field_name("name")
            if name_node is None:
                continue
            name = type_text(name_node)
            if kind == "extension":
                info = api.types.setdefault(name, TypeInfo(name, "extension"))
            else:
                info = api.types.get(name) or TypeInfo(name, kind)
                info.kind = kind
                api.types[name] = info
            info.inherits += inherited(node)
            body = node.child_by_field_name("body")
            if body is not None:
                collect_members(info, body)
        elif node.type == "function_declaration" and node.parent is not None and (
            node.parent.type == "source_file"
        ):
            name = decl_name(node)
            if name:
                api.functions.setdefault(name, []).append(
                    Sig(name, params_of(node), return_type(node))
                )
    return api


def labels_match(params: list[Param], labels: list[str | None]) -> bool:
    i = 0
    for p in params:
        if i < len(labels) and labels[i] == p.label:
            i += 1
        elif p.defaulted:
            continue
        elif p.label is None and i < len(labels) and labels[i] is None:
            i += 1
        else:
            return False
    return i == len(labels)


def call_labels(call: Node) -> tuple[list[str | None], bool]:
    """The argument labels of a call, and whether it has a trailing closure."""
    suffix = next((c for c in call.children if c.type == "call_suffix"), None)
    labels: list[str | None] = []
    closure = False
    if suffix is None:
        return labels, closure
    for part in suffix.children:
        if part.type == "value_arguments":
            for arg in named(part, "value_argument"):
                label = arg.child_by_field_name("name")
                labels.append(text(label).rstrip(":").strip() if label is not None else None)
        elif part.type == "lambda_literal":
            closure = True
    return labels, closure


def sig_text(name: str, labels: list[str | None]) -> str:
    return f"{name}({''.join((label or '_') + ':' for label in labels)})"


@dataclass
class Checker:
    api: Api
    local_types: dict[str, TypeInfo]
    local_functions: set[str]
    errors: list[str] = field(default_factory=list)
    checked: int = 0
    references: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, type, name)
    exhaustive_enums: set[str] = field(default_factory=set)
    path: str = ""

    def error(self, node: Node, message: str) -> None:
        self.errors.append(f"{self.path}:{node.start_point[0] + 1}: {message}")

    def generated(self, t: str | None) -> TypeInfo | None:
        t = base_type(t)
        if t is None or t in self.local_types:
            return None
        info = self.api.types.get(t)
        if info is None or info.kind == "extension":
            return None
        return info

    # ---- type inference -------------------------------------------------------------------

    def member_type(self, info: TypeInfo, name: str) -> str | None:
        if name in info.fields:
            return info.fields[name]
        ext = self.api.types.get(info.name)
        if ext is not None and name in ext.fields:
            return ext.fields[name]
        return None

    def type_of(self, node: Node | None, env: dict[str, str]) -> str | None:
        if node is None:
            return None
        kind = node.type
        if kind in ("try_expression", "await_expression"):
            return self.type_of(node.child_by_field_name("expr"), env)
        if kind in ("parenthesized_expression", "postfix_expression", "force_unwrap_expression"):
            inner = [c for c in node.children if c.is_named]
            return self.type_of(inner[0], env) if inner else None
        if kind == "simple_identifier":
            return env.get(text(node))
        if kind == "self_expression":
            return env.get("self")
        if kind == "navigation_expression":
            target = node.child_by_field_name("target")
            suffix = node.child_by_field_name("suffix")
            member = suffix.child_by_field_name("suffix") if suffix is not None else None
            if target is None or member is None:
                return None
            owner = self.type_of(target, env)
            info = self.generated(owner)
            if info is not None:
                return self.member_type(info, text(member))
            return None
        if kind == "call_expression":
            callee = node.children[0]
            if callee.type == "simple_identifier":
                name = text(callee)
                if self.generated(name) is not None:
                    return name
                sigs = self.api.functions.get(name)
                if sigs and name not in self.local_functions:
                    return sigs[0].returns
                return None
            if callee.type == "navigation_expression":
                target = callee.child_by_field_name("target")
                suffix = callee.child_by_field_name("suffix")
                member = suffix.child_by_field_name("suffix") if suffix is not None else None
                if target is None or member is None:
                    return None
                owner_name = text(target) if target.type == "simple_identifier" else None
                owner = self.generated(owner_name) if owner_name and owner_name not in env else None
                if owner is None:
                    owner = self.generated(self.type_of(target, env))
                if owner is not None:
                    sigs = owner.methods.get(text(member))
                    if sigs:
                        return sigs[0].returns
                    if text(member) in owner.cases:
                        return owner.name
            return None
        return None

    # ---- checks ---------------------------------------------------------------------------

    def check_call_target(self, node: Node, info: TypeInfo, member: str, labels, static: bool):
        self.checked += 1
        if member in info.cases:
            self.references.append(("case", info.name, member))
            payload = info.cases[member]
            if labels is not None and payload is not None and not labels_match(payload, labels):
                self.error(node, f"{info.name}.{sig_text(member, labels)}: the case's payload labels differ")
            return
        sigs = info.methods.get(member, [])
        ext = self.api.types.get(info.name)
        if ext is not None and ext is not info:
            sigs = sigs + ext.methods.get(member, [])
        if sigs:
            self.references.append(("method", info.name, member))
            if labels is not None and not any(labels_match(s.params, labels) for s in sigs):
                self.error(node, f"{info.name}.{sig_text(member, labels)}: no such labels (declared: "
                           + ", ".join(sig_text(s.name, [p.label for p in s.params]) for s in sigs) + ")")
            return
        if labels is None and self.member_type(info, member) is not None:
            self.references.append(("field", info.name, member))
            return
        # Protocols a generated class conforms to (e.g. HouseholdProtocol).
        for parent in info.inherits:
            parent_info = self.api.types.get(parent)
            if parent_info is not None and member in parent_info.methods:
                self.references.append(("method", info.name, member))
                return
        self.error(node, f"{info.name} has no member `{member}`" + (
            f" ({sig_text(member, labels)})" if labels is not None else ""))

    def check_expression(self, node: Node, env: dict[str, str]) -> None:
        if node.type == "call_expression":
            callee = node.children[0]
            labels, _ = call_labels(node)
            if callee.type == "simple_identifier":
                name = text(callee)
                info = self.generated(name)
                if info is not None and name not in env:
                    self.checked += 1
                    self.references.append(("init", name, "init"))
                    if not any(labels_match(s.params, labels) for s in info.inits):
                        self.error(node, f"{sig_text(name, labels)}: no initialiser with these labels")
                elif name in self.api.functions and name not in self.local_functions and name not in env:
                    self.checked += 1
                    self.references.append(("function", "", name))
                    if not any(labels_match(s.params, labels) for s in self.api.functions[name]):
                        self.error(node, f"{sig_text(name, labels)}: the generated function has other labels")
            elif callee.type == "navigation_expression":
                self.check_navigation(callee, env, labels)
        elif node.type == "navigation_expression":
            parent = node.parent
            if not (parent is not None and parent.type == "call_expression" and parent.children[0] == node):
                self.check_navigation(node, env, None)
        elif node.type == "equality_expression":
            lhs, rhs = node.child_by_field_name("lhs"), node.child_by_field_name("rhs")
            for value, other in ((lhs, rhs), (rhs, lhs)):
                if other is not None and other.type == "prefix_expression" and text(other).startswith("."):
                    info = self.generated(self.type_of(value, env))
                    if info is not None and info.kind == "enum":
                        case = text(other)[1:]
                        self.checked += 1
                        self.references.append(("case", info.name, case))
                        if case not in info.cases:
                            self.error(other, f"{info.name} has no case `{case}`")
        elif node.type == "switch_statement":
            self.check_switch(node, env)
        elif node.type == "control_transfer_statement" and text(node).startswith("return"):
            self.check_implicit_member(node.child_by_field_name("result"), env.get(RETURN))

    def check_implicit_member(self, value: Node | None, expected: str | None) -> None:
        """`return .case` / `return .case(label: …)` in a function returning a generated enum."""
        info = self.generated(expected)
        if value is None or info is None or info.kind != "enum":
            return
        labels = None
        target = value
        if value.type == "call_expression":
            labels, _ = call_labels(value)
            target = value.children[0]
        m = re.fullmatch(r"\.(\w+)", text(target)) if target.type == "prefix_expression" else None
        if m is None:
            return
        case = m.group(1)
        self.checked += 1
        self.references.append(("case", info.name, case))
        if case not in info.cases:
            self.error(value, f"{info.name} has no case `{case}`")
        elif labels is not None and info.cases[case] is not None and not labels_match(info.cases[case], labels):
            self.error(value, f"{info.name}.{sig_text(case, labels)}: the case's payload labels differ")

    def check_navigation(self, nav: Node, env: dict[str, str], labels) -> None:
        target = nav.child_by_field_name("target")
        suffix = nav.child_by_field_name("suffix")
        member = suffix.child_by_field_name("suffix") if suffix is not None else None
        if target is None or member is None or member.type != "simple_identifier":
            return
        if target.type == "simple_identifier" and text(target) not in env:
            info = self.generated(text(target))
            if info is not None:
                self.check_call_target(nav, info, text(member), labels, static=True)
                return
        info = self.generated(self.type_of(target, env))
        if info is not None:
            self.check_call_target(nav, info, text(member), labels, static=False)

    def check_switch(self, node: Node, env: dict[str, str]) -> None:
        subject = self.type_of(node.child_by_field_name("expr"), env)
        info = self.generated(subject)
        if info is None or info.kind != "enum":
            return
        # A switch over an optional enum also names Optional's own cases.
        optional = {"none", "some"} if (subject or "").rstrip().endswith("?") else set()
        covered: set[str] = set()
        has_default = False
        for entry in named(node, "switch_entry"):
            if any(c.type == "default_keyword" for c in entry.children):
                has_default = True
            for pattern in named(entry, "switch_pattern"):
                m = re.match(r"\s*(?:let\s+)?\.(\w+)", text(pattern))
                if m is None:
                    continue
                case = m.group(1)
                self.checked += 1
                self.references.append(("case", info.name, case))
                covered.add(case)
                if case not in info.cases and case not in optional:
                    self.error(pattern, f"{info.name} has no case `{case}`")
        if not has_default:
            self.exhaustive_enums.add(info.name)
        missing = sorted((set(info.cases) | (optional - {"some"})) - covered)
        if not has_default and missing:
            self.error(node, f"switch over {info.name} misses " + ", ".join(f".{c}" for c in missing))

    def check_conformance(self, node: Node, name: str) -> None:
        body = node.child_by_field_name("body")
        implemented: dict[str, list[Sig]] = {}
        if body is not None:
            for member in body.children:
                if member.type == "function_declaration" and decl_name(member):
                    implemented.setdefault(decl_name(member), []).append(
                        Sig(decl_name(member), params_of(member), return_type(member))
                    )
        for parent in inherited(node):
            info = self.generated(parent)
            if info is None or info.kind != "protocol":
                continue
            for req_name, reqs in info.methods.items():
                for req in reqs:
                    self.checked += 1
                    self.references.append(("requirement", info.name, req_name))
                    labels = [p.label for p in req.params]
                    if not any([p.label for p in s.params] == labels for s in implemented.get(req_name, [])):
                        self.error(node, f"{name} conforms to {info.name} but does not implement "
                                   + sig_text(req_name, labels))

    # ---- traversal ------------------------------------------------------------------------

    def bind(self, node: Node, env: dict[str, str]) -> None:
        """Adds what `node` declares to `env` (a binding, an if/guard let)."""
        if node.type == "property_declaration":
            pattern = node.child_by_field_name("name")
            annotation = next((c for c in node.children if c.type == "type_annotation"), None)
            value = node.child_by_field_name("value")
            if pattern is None:
                return
            if annotation is not None:
                env[text(pattern)] = type_text(annotation.child_by_field_name("name"))
            elif value is not None:
                inferred = self.type_of(value, env)
                if inferred:
                    env[text(pattern)] = inferred
        elif node.type in ("if_statement", "guard_statement"):
            for j, c in enumerate(node.children):
                if node.field_name_for_child(j) != "condition":
                    continue
                m = re.match(r"(?:let|var)\s+(\w+)\s*=", text(c))
                value = c.child_by_field_name("value") if c.type == "if_let_binding" else None
                if value is None:
                    exprs = [x for x in c.children if x.is_named]
                    value = exprs[-1] if exprs else None
                if m and value is not None:
                    inferred = self.type_of(value, env)
                    if inferred:
                        env[m.group(1)] = base_type(inferred) or inferred
                elif m:
                    env.setdefault(m.group(1), env.get(m.group(1), ""))

    def visit(self, node: Node, env: dict[str, str], owner: str | None) -> None:
        kind = node.type
        if kind in ("class_declaration", "protocol_declaration"):
            name = type_text(node.child_by_field_name("name"))
            self.check_conformance(node, name)
            scope = dict(env)
            scope["self"] = name
            local = self.local_types.get(name)
            if local is not None:
                scope.update({k: v for k, v in local.fields.items() if v})
            for child in node.children:
                self.visit(child, scope, name)
            return
        if kind in ("function_declaration", "init_declaration"):
            scope = dict(env)
            scope.update(internal_params(node))
            scope[RETURN] = return_type(node) or ""
            for child in node.children:
                self.visit(child, scope, owner)
            return
        if kind == "lambda_literal":
            scope = dict(env)
            self.bind_closure(node, scope)
            for child in node.children:
                self.visit(child, scope, owner)
            return
        if kind == "statements":
            scope = dict(env)
            for child in node.children:
                self.bind(child, scope)
                self.visit(child, scope, owner)
            return
        if kind in ("if_statement", "guard_statement"):
            scope = dict(env)
            self.bind(node, scope)
            self.check_expression(node, env)
            for child in node.children:
                self.visit(child, scope, owner)
            if kind == "guard_statement":
                self.bind(node, env)
            return
        self.check_expression(node, env)
        for child in node.children:
            self.visit(child, env, owner)

    def bind_closure(self, closure: Node, scope: dict[str, str]) -> None:
        """`ForEach(xs) { x in … }` and `ForEach(Array(xs.enumerated()), …) { _, x in … }`."""
        call = closure.parent.parent if closure.parent is not None else None
        if call is None or call.type != "call_expression" or text(call.children[0]) != "ForEach":
            return
        suffix = next((c for c in call.children if c.type == "call_suffix"), None)
        args = next((c for c in suffix.children if c.type == "value_arguments"), None) if suffix else None
        if args is None:
            return
        first = next(iter(named(args, "value_argument")), None)
        value = first.child_by_field_name("value") if first is not None else None
        if value is None:
            return
        names = re.findall(r"\b(\w+)\b", text(closure).split(" in", 1)[0].lstrip("{"))
        source = text(value)
        m = re.match(r"Array\((.*)\.enumerated\(\)\)$", source)
        if m:
            inner = PARSER.parse(m.group(1).encode()).root_node
            expr = inner.children[0] if inner.children else None
            element = element_type(self.type_of(expr, scope)) if expr is not None else None
            if element and len(names) == 2:
                scope[names[1]] = element
            return
        element = element_type(self.type_of(value, scope))
        if element and len(names) == 1:
            scope[names[0]] = element

    def check_types(self, tree: Node, generic: set[str]) -> None:
        for node in walk(tree):
            if node.type != "user_type":
                continue
            first = next((c for c in node.children if c.type == "type_identifier"), None)
            if first is None:
                continue
            name = text(first)
            if name in KEYWORDS or name in generic or name in self.local_types or name in SDK_TYPES:
                continue
            if name in self.api.types and self.api.types[name].kind != "extension":
                self.checked += 1
                self.references.append(("type", name, name))
                continue
            if node.parent is not None and node.parent.type == "attribute":
                continue
            self.error(node, f"unknown type `{name}`: not in the bindings, ios/ or the SDK list")


def local_declarations(trees: list[Node]) -> tuple[dict[str, TypeInfo], set[str], set[str]]:
    types: dict[str, TypeInfo] = {}
    functions: set[str] = set()
    generic: set[str] = set()
    for tree in trees:
        for node in walk(tree):
            if node.type in ("class_declaration", "protocol_declaration") and declaration_kind(node) != "extension":
                name = type_text(node.child_by_field_name("name"))
                info = types.setdefault(name, TypeInfo(name, declaration_kind(node)))
                body = node.child_by_field_name("body")
                if body is not None:
                    collect_members(info, body)
            elif node.type == "function_declaration" and decl_name(node):
                functions.add(decl_name(node))
            elif node.type == "type_parameter":
                ident = next((c for c in walk(node) if c.type == "type_identifier"), None)
                if ident is not None:
                    generic.add(text(ident))
    return types, functions, generic


def check(generated: Path, files: list[Path]) -> Checker:
    api = load_api(generated)
    trees = {path: PARSER.parse(path.read_bytes()).root_node for path in files}
    local_types, local_functions, generic = local_declarations(list(trees.values()))
    checker = Checker(api, local_types, local_functions)
    for path, tree in trees.items():
        checker.path = str(path)
        if tree.has_error:
            checker.errors.append(f"{path}: does not parse")
            continue
        checker.visit(tree, {}, None)
        checker.check_types(tree, generic)
    return checker


def negative_control(workdir: Path, generated: Path, files: list[Path]) -> int:
    baseline = check(generated, files)
    if baseline.errors:
        print("\n".join(baseline.errors))
        print("swift API parity: the unmutated bindings already fail; no negative control run")
        return 1
    source = generated.read_text()
    mutations: list[tuple[str, str]] = []
    methods = [r for r in baseline.references if r[0] == "method"]
    if methods:
        _, _, name = methods[0]
        mutations.append((f"rename the called method `{name}`",
                          re.sub(rf"\bfunc {name}\(", f"func {name}Renamed(", source)))
    # The label mutation needs a callee that ios/ does not declare itself: an overload in an
    # extension (e.g. `checkCard` with the NFC session around it) keeps the old first label, so
    # a call through it would rightly still resolve.
    ours = "\n".join(f.read_text() for f in files)
    labelled = [r for kind in ("method", "function") for r in baseline.references
                if r[0] == kind and not re.search(rf"\bfunc {r[2]}\(", ours)]
    if labelled:
        _, _, name = labelled[0]
        m = re.search(rf"\bfunc {name}\((\w+)", source)
        if m:
            mutations.append((f"rename the first label of `{name}`",
                              re.sub(rf"\bfunc {name}\({m.group(1)}\b", f"func {name}(renamedLabel", source)))
    for enum in sorted(baseline.exhaustive_enums):
        added = re.sub(rf"(\benum {enum}\b[^{{]*\{{)", r"\1\n    case parityExtraCase\n", source, count=1)
        mutations.append((f"add a case to `{enum}` (switched exhaustively)", added))
        break
    if not mutations:
        print("swift API parity: nothing to mutate (no call into the bindings found)")
        return 1
    workdir.mkdir(parents=True, exist_ok=True)
    failed = 0
    for i, (what, mutated) in enumerate(mutations):
        if mutated == source:
            print(f"negative control: could not {what} (pattern not found)")
            failed += 1
            continue
        copy = workdir / f"mutation-{i}.swift"
        copy.write_text(mutated)
        result = check(copy, files)
        if result.errors:
            print(f"negative control: {what}: caught ({result.errors[0].split(': ', 1)[1]})")
        else:
            print(f"negative control: {what}: NOT caught")
            failed += 1
    if failed:
        print("swift API parity: negative control FAILED")
        return 1
    print(f"swift API parity: negative control ok ({len(mutations)} mutations caught)")
    return 0


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--negative-control":
        if len(argv) < 4:
            print(__doc__)
            return 2
        return negative_control(Path(argv[1]), Path(argv[2]), [Path(a) for a in argv[3:]])
    if len(argv) < 2:
        print(__doc__)
        return 2
    result = check(Path(argv[0]), [Path(a) for a in argv[1:]])
    for e in result.errors:
        print(e)
    if result.errors:
        print(f"swift API parity: {len(result.errors)} problem(s)")
        return 1
    kinds: dict[str, int] = {}
    for kind, _, _ in result.references:
        kinds[kind] = kinds.get(kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(f"swift API parity: ok, {result.checked} references into the bindings checked "
          f"in {len(argv) - 1} files ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
