#!/usr/bin/env python3
"""Checks `ssmc tune --json` output against the database it wrote.

Usage: check_tune.py TUNE.json DB.jsonl [--perturbed NAME=VALUE]

Every kernel of the prefill and of the decode step is there, each with at
least one configuration per chunks_per_thread choice timed, none rejected
(or, with --perturbed, exactly the configurations with that value
rejected), the chosen one no slower than the default, and the database
holds a header and one line per configuration measured, each of this
device. Prints one line per kernel and exits 1 on the first failure.
"""
import json
import sys


def fail(why):
    print("FAIL:", why)
    sys.exit(1)


def main():
    tune = json.load(open(sys.argv[1]))
    lines = open(sys.argv[2]).read().splitlines()
    perturbed = None
    if len(sys.argv) > 4 and sys.argv[3] == "--perturbed":
        name, value = sys.argv[4].split("=")
        perturbed = (name, int(value))
    header = json.loads(lines[0])
    if header.get("format") != "ssmc-tuning-db" or header.get("device") != tune["device_key"]:
        fail("header %r is not this device's (%s)" % (header, tune["device_key"]))
    records = [json.loads(l) for l in lines[1:]]
    measured = 0
    for k in tune["kernels"]:
        mine = [r for r in records if r["kernel"] == k["signature"] and r["function"] == k["function"]]
        rejected = [r for r in mine if r["status"] == "rejected"]
        if len(mine) != k["configs"] + k["rejected"] or len(rejected) != k["rejected"]:
            fail("%s %s: %d records for %d timed + %d rejected" %
                 (k["function"], k["kernel"], len(mine), k["configs"], k["rejected"]))
        if k["configs"] < 4:
            fail("%s %s: only %d configurations timed" % (k["function"], k["kernel"], k["configs"]))
        if perturbed:
            want = [r for r in mine if r["config"].get(perturbed[0]) == perturbed[1]]
            if sorted(map(json.dumps, want)) != sorted(map(json.dumps, rejected)) or not want:
                fail("%s %s: rejected %r" % (k["function"], k["kernel"], rejected))
            for r in rejected:
                if not r["reason"].startswith("outputs differ from the default configuration's"):
                    fail("reason: " + r["reason"])
            if k["best"].get(perturbed[0]) == perturbed[1]:
                fail("%s %s: a rejected configuration was chosen" % (k["function"], k["kernel"]))
        elif rejected:
            fail("%s %s: rejected %r" % (k["function"], k["kernel"], rejected))
        if not k["best"] or k["best_s"] > k["default_s"]:
            fail("%s %s: best %r %g s, default %g s" %
                 (k["function"], k["kernel"], k["best"], k["best_s"], k["default_s"]))
        defaults = [r for r in mine if r["default"]]
        if len(defaults) != 1:
            fail("%s %s: %d default records" % (k["function"], k["kernel"], len(defaults)))
        measured += len(mine)
        print("%s %s: %d timed, %d rejected" % (k["function"], k["kernel"], k["configs"], k["rejected"]))
    if measured != len(records):
        fail("%d records in the database, %d reported" % (len(records), measured))
    functions = {k["function"] for k in tune["kernels"]}
    if functions != {"prefill", "decode"}:
        fail("functions tuned: %r" % functions)
    print("ok: %d kernels, %d records" % (len(tune["kernels"]), len(records)))


main()
