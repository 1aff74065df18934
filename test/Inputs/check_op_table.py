#!/usr/bin/env python3
"""Checks the op table (runtime/artifact/Ops.def) against ODS.

Reads the records of dialect/SSMOps.td as `llvm-tblgen --dump-json` prints
them (standard input) and the table (argument), and reports every
disagreement: an op on one side only, operands or results in another order,
with another arity, state or role, attributes of another kind, a form that
does not match the op's ODS class, a stateful op without
SSM_RecurrentStateOpInterface. Given the language reference too, also
reports every op a model file can call (forms Unary, Binary, Custom) that
its "## Ops" table does not show as `name(`. Exits 1 after printing them, 0
with "op table matches ODS: N ops".

    llvm-tblgen --dump-json -I <mlir include> -I <src> dialect/SSMOps.td |
        check_op_table.py runtime/artifact/Ops.def [docs/language.md]
"""
import json
import re
import sys

# ODS ops that are not instructions of the table.
NOT_IN_TABLE = {"param"}

ATTR_KINDS = {
    "I64Attr": "Int",
    "F64Attr": "Float",
    "BoolAttr": "Bool",
    "UnitAttr": "Unit",
    "DenseI64ArrayAttr": "IntList",
}


def split_top(text, sep=","):
    """Splits |text| at |sep| outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def calls(text):
    """The macro calls NAME(a, b, ...) in a parenthesized list."""
    text = text.strip()
    assert text.startswith("(") and text.endswith(")"), text
    out = []
    for m in re.finditer(r"([A-Z_]+)\(([^()]*)\)", text[1:-1]):
        out.append((m.group(1), [a.strip() for a in m.group(2).split(",")]))
    return out


def read_table(path):
    src = open(path).read()
    # Only the entries: lines from "SSM_OP(" at the start of a line to the
    # parenthesis that closes it.
    ops = {}
    for m in re.finditer(r"^SSM_OP\(", src, re.M):
        i, depth = m.end(), 1
        while depth:
            depth += {"(": 1, ")": -1}.get(src[i], 0)
            i += 1
        fields = split_top(src[m.end():i - 1])
        enum, name, form, operands, results, attrs = fields
        ops[name] = {
            "enum": enum,
            "form": form,
            "operands": calls(operands),
            "results": calls(results),
            "attrs": calls(attrs),
        }
    return ops


def record(records, arg):
    return records[arg["def"]]


def constraint_chain(records, name):
    """The def and its base types: Optional<SSM_StateTensor> -> [anon, SSM_StateTensor]."""
    chain = [name]
    rec = records[name]
    while rec.get("baseType") or rec.get("baseAttr"):
        name = (rec.get("baseType") or rec.get("baseAttr"))["def"]
        chain.append(name)
        rec = records[name]
    return chain


def main():
    records = json.load(sys.stdin)
    table = read_table(sys.argv[1])
    errors = []
    ods = {}
    for name, rec in records.items():
        if not isinstance(rec, dict) or "SSM_Op" not in rec.get("!superclasses", []):
            continue
        ods[rec["opName"]] = (name, rec)

    for op in sorted(set(ods) - NOT_IN_TABLE - set(table)):
        errors.append("ssm.%s is declared in ODS but not in the op table" % op)
    for op in sorted(set(table) - set(ods)):
        errors.append("'%s' is in the op table but ODS declares no ssm.%s" % (op, op))

    for op in sorted(set(table) & set(ods)):
        entry, (defname, rec) = table[op], ods[op]
        where = "ssm.%s" % op

        def err(msg):
            errors.append("%s: %s" % (where, msg))

        if defname != "SSM_%sOp" % entry["enum"]:
            err("the table names it %s, ODS %s" % (entry["enum"], defname))
        supers = rec["!superclasses"]
        form = entry["form"]
        if (form == "Unary") != ("SSM_UnaryOp" in supers):
            err("form %s, but its ODS class is %s" % (form, supers[-1]))
        if (form == "Binary") != ("SSM_BinaryOp" in supers):
            err("form %s, but its ODS class is %s" % (form, supers[-1]))

        # ODS arguments: type constraints are operands, the rest attributes.
        ods_operands, ods_attrs = [], {}
        for arg, argname in rec["arguments"]["args"]:
            chain = constraint_chain(records, arg["def"])
            kinds = records[chain[0]]["!superclasses"]
            if "TypeConstraint" in kinds:
                arity = ("Optional" if "Optional" in kinds else
                         "Variadic" if "Variadic" in kinds else "One")
                ods_operands.append((argname, arity, chain[-1]))
            else:
                if "OptionalAttr" in kinds:
                    kind = "Opt" + ATTR_KINDS.get(chain[-1], chain[-1])
                else:
                    kind = ATTR_KINDS.get(chain[-1], chain[-1])
                ods_attrs[argname] = kind

        table_operands = []
        for macro, args in entry["operands"]:
            arity = {"IN": "One", "OPT": "Optional", "VAR": "Variadic",
                     "STATE_IN": "Optional", "STATE_REQ": "One",
                     "LENS": "Optional"}[macro]
            table_operands.append((args[0], arity, macro))
        if [o[:2] for o in table_operands] != [o[:2] for o in ods_operands]:
            err("operands (name, arity) are %s in the table but %s in ODS" %
                ([o[:2] for o in table_operands], [o[:2] for o in ods_operands]))
        else:
            for (name, _, macro), (_, _, base) in zip(table_operands, ods_operands):
                if (macro in ("STATE_IN", "STATE_REQ")) != (base == "SSM_StateTensor"):
                    err("operand '%s' is %s in the table but %s in ODS" % (name, macro, base))
                if (macro == "LENS") != (name == "seq_lens"):
                    err("operand '%s': only seq_lens is LENS" % name)

        ods_results = []
        for arg, argname in rec["results"]["args"]:
            chain = constraint_chain(records, arg["def"])
            variadic = "Variadic" in records[chain[0]]["!superclasses"]
            ods_results.append((argname, variadic, chain[-1] == "SSM_StateTensor"))
        table_results = [(args[0], macro == "VAR_OUT", macro == "STATE_OUT")
                         for macro, args in entry["results"]]
        if table_results != ods_results:
            err("results (name, variadic, state) are %s in the table but %s in ODS" %
                (table_results, ods_results))
        stateful = any(r[2] for r in table_results)
        traits = [t["def"] for t in rec.get("traits", [])]
        if stateful != ("SSM_RecurrentStateOpInterface" in traits):
            err("has %s state results but %s SSM_RecurrentStateOpInterface" %
                ("" if stateful else "no", "lacks" if stateful else "declares"))

        table_attrs = {args[0]: args[1] for macro, args in entry["attrs"]
                       if macro == "ATTR"}
        if table_attrs != ods_attrs:
            err("attributes (name: kind) are %s in the table but %s in ODS" %
                (table_attrs, ods_attrs))

    if len(sys.argv) > 2:
        doc = open(sys.argv[2]).read()
        ops_section = doc[doc.find("\n## Ops"):]
        ops_section = ops_section[:ops_section.find("\n## ", 1)]
        for op in sorted(table):
            if table[op]["form"] != "Fused" and "`%s(" % op not in ops_section:
                errors.append("'%s' can be called from a model file but the Ops table of %s "
                              "does not show it" % (op, sys.argv[2]))

    for e in errors:
        print("error: " + e)
    if errors:
        return 1
    print("op table matches ODS: %d ops" % len(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
