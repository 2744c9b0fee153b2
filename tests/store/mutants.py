#!/usr/bin/env python3
"""Shows that each store unit test fails when the rule it checks is broken.

Every mutant copies minios/dom0/store*, breaks one rule by replacing one snippet of
source, builds tests/store/test_store.c against the copy (the shim objects come from
`make store-test`, which must have run) and expects the named tests to fail, or the
binary to stop on a sanitizer report. Not part of make test (about a minute on 2 cores):

    make store-test && tests/store/mutants.py [MUTANT...]

A snippet that does not occur in the sources is reported, so the list follows the code.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOM0 = ROOT / "minios" / "dom0"
CC = "clang-14"
CFLAGS = ["-g", "-O1", "-fsanitize=address,undefined", "-fsanitize=fuzzer-no-link", "-fno-sanitize-recover=all",
          "-std=c11", "-Itests/fuzz/shim", "-Iminios/dom0", "-Iminios/include", "-Ihypercalls",
          "-DDOM0_MAP_BASE=0x500000000000UL", "-Wno-unused-function"]
SHIM_OBJS = [ROOT / "build" / "fuzz" / "obj" / "minios" / f"{o}.o"
             for o in ("shim", "lib", "blkback", "netback", "ringback")]

PERM_READ = "test_guest_cannot_read_another_guests_or_dom0s_nodes"
PERM_WRITE = "test_guest_cannot_write_or_remove_another_guests_or_dom0s_nodes"
PERM_WATCH = "test_guest_cannot_watch_another_guests_or_dom0s_nodes"
EAGAIN = "test_commit_is_eagain_after_a_write_outside_it"
EAGAIN_TWO = "test_of_two_conflicting_transactions_the_second_commit_is_eagain"
TX_IDS = "test_transaction_ids_by_request_type"
DISCONNECT = "test_a_disconnect_drops_the_guests_transactions_and_watches"
Q_NODES = "test_node_quota_per_guest"
Q_SIZE = "test_value_size_limit"
Q_WATCH = "test_watch_quota_per_guest"
Q_TX = "test_transaction_quota_per_guest"
ON_COMMIT = "test_watches_fire_on_commit_only"
LONG = "test_a_message_longer_than_the_limit_closes_only_that_connection"
TRUNC = "test_a_truncated_message_waits_and_malformed_payloads_are_refused"
REQ_IDX = "test_bad_request_indices_close_only_that_connection"
RSP_IDX = "test_bad_response_indices_close_only_that_connection"
SANITIZER = "a sanitizer report"

# name: (file, snippet, replacement, a test that must fail (or SANITIZER))
MUTANTS = {
    "guests may do anything": ("store_tree.c", "    if (caller == 0)\n        return true;\n",
                               "    return true;\n", PERM_WRITE),
    "guests may read anything": ("store_tree.c", "    if (write)\n        return false;\n",
                                 "    if (write)\n        return false;\n    return true;\n", PERM_READ),
    "backend ids compared as prefixes": ("store_tree.c", "(type_end[1 + idn] == '\\0' || type_end[1 + idn] == '/')",
                                         "true", PERM_READ),
    "watch without permission": ("store_wire.c",
                                 "        return reply_error(r, \"EINVAL\");\n    if (!perm_may(r->g->domid, r->path, false))\n"
                                 "        return reply_error(r, \"EACCES\");\n    int rc",
                                 "        return reply_error(r, \"EINVAL\");\n    int rc", PERM_WATCH),
    "write in a transaction without permission": ("store_wire.c",
                                                  "const char *err = !perm_may(r->g->domid, r->path, true) ? \"EACCES\"\n"
                                                  "                      : r->arg2_len",
                                                  "const char *err = false ? \"EACCES\"\n"
                                                  "                      : r->arg2_len", PERM_WRITE),
    "commit ignores conflicts": ("store_tx.c", "    if (t->conflict)\n        return \"EAGAIN\";", "", EAGAIN_TWO),
    "removals before first use ignored": ("store_tx.c", "        t->conflict = true;\n    return true;",
                                          "        (void)0;\n    return true;", EAGAIN),
    "no node quota": ("store_tree.c", ">= NODES_PER_GUEST", ">= 1000", Q_NODES),
    "no node quota at commit": ("store_tx.c", "mine > NODES_PER_GUEST", "mine > 1000", Q_NODES),
    "no value size limit": ("store_tree.c", "    if (vlen >= VALUE_MAX)\n        return \"E2BIG\";", "", SANITIZER),
    "no value size limit in a transaction": ("store_wire.c", ": r->arg2_len >= VALUE_MAX ", ": false ", SANITIZER),
    "no watch quota": ("store_watch.c", "mine >= WATCHES_PER_GUEST", "mine >= 1000", Q_WATCH),
    "no transaction quota": ("store_tx.c", "mine >= TX_PER_GUEST", "mine >= 1000", Q_TX),
    "one change too many": ("store_tx.c", "if (t->nops >= TX_OPS_MAX)", "if (t->nops > TX_OPS_MAX)", Q_TX),
    "watches fire inside a transaction": ("store_tx.c", "    if (t->nops >= TX_OPS_MAX)\n",
                                          "    watch_fire(path, kind == OP_RM);\n    if (t->nops >= TX_OPS_MAX)\n",
                                          ON_COMMIT),
    "an abort applies": ("store_tx.c", "    const char *err = do_commit ? commit(t) : NULL;",
                         "    const char *err = commit(t);\n    if (!do_commit)\n        err = NULL;", ON_COMMIT),
    "watches join transactions": ("store_wire.c", "[XS_WATCH] = {h_watch, 2, true, TX_IGNORED}",
                                  "[XS_WATCH] = {h_watch, 2, true, TX_OPTIONAL}", TX_IDS),
    "nested transactions": ("store_wire.c", "{h_transaction_start, 0, false, TX_FORBIDDEN}",
                            "{h_transaction_start, 0, false, TX_IGNORED}", TX_IDS),
    "transactions kept on disconnect": ("store_wire.c", "unsigned int dropped = tx_drop_all(g->domid);",
                                        "unsigned int dropped = 0;", DISCONNECT),
    "watches kept on disconnect": ("store_wire.c", "    watch_drop_all(g->domid);\n", "", DISCONNECT),
    "no length limit": ("store_wire.c", "s->in.hdr.len > XENSTORE_PAYLOAD_MAX", "s->in.hdr.len > XENSTORE_PAYLOAD_MAX + 64",
                        LONG),
    "request indices trusted": ("store_wire.c", "if (prod - cons > XENSTORE_RING_SIZE) {\n            broken",
                                "if (false) {\n            broken", REQ_IDX),
    "response indices trusted": ("store_wire.c", "if (prod - cons > XENSTORE_RING_SIZE) {\n        printk",
                                 "if (false) {\n        printk", RSP_IDX),
    "a broken guest closes every connection": ("store_wire.c", "    g->store.broken = true;\n}",
                                               "    g->store.broken = true;\n    for (unsigned int d = 1; d < DOM0_MAX_DOMS; d++)\n"
                                               "        if (guest_get(d) != NULL)\n            guest_get(d)->store.broken = true;\n}",
                                               LONG),
    "payload strings not counted": ("store_wire.c", "if (count_strings(r.body, r.len) < hd->strings)", "if (false)", TRUNC),
    "a message handled one byte early": ("store_wire.c", "s->in_len == sizeof s->in.hdr + s->in.hdr.len) {",
                                         "s->in_len + 1 >= sizeof s->in.hdr + s->in.hdr.len) {", TRUNC),
}


def run(name, work):
    file, old, new, must_fail = MUTANTS[name]
    for src in DOM0.glob("store*"):
        shutil.copy(src, work)
    text = (work / file).read_text()
    if text.count(old) != 1:
        return f"its snippet occurs {text.count(old)} times in {file}: update {pathlib.Path(__file__).name}"
    (work / file).write_text(text.replace(old, new))
    objs = []
    for part in ("tree", "tx", "watch", "wire"):
        obj = work / f"store_{part}.o"
        subprocess.run([CC, *CFLAGS, "-c", str(work / f"store_{part}.c"), "-o", str(obj)], cwd=ROOT, check=True)
        objs.append(str(obj))
    test_obj = work / "test_store.o"
    subprocess.run([CC, *CFLAGS, "-c", "tests/store/test_store.c", "-o", str(test_obj)], cwd=ROOT, check=True)
    binary = work / "test_store"
    subprocess.run([CC, "-fsanitize=address,undefined", str(test_obj), *objs, *map(str, SHIM_OBJS), "-o", str(binary)],
                   cwd=ROOT, check=True)
    proc = subprocess.run([str(binary)], cwd=ROOT, capture_output=True, text=True)
    failed = [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    finished = "store-test:" in proc.stdout
    if must_fail == SANITIZER:
        ok = not finished and "Sanitizer" in proc.stderr
    else:
        ok = must_fail in failed
    what = ", ".join(failed) if finished else "stopped: " + next(
        (line for line in proc.stderr.splitlines() if line.startswith("SUMMARY")), "no summary")
    return None if ok else f"survived (wanted {must_fail} to fail; {what or 'nothing failed'})"


def main():
    missing = [o for o in SHIM_OBJS if not o.exists()]
    if missing:
        sys.exit(f"{missing[0]} missing: run 'make store-test' first")
    names = sys.argv[1:] or list(MUTANTS)
    survivors = 0
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            problem = run(name, pathlib.Path(tmp))
        print(f"{'killed  ' if problem is None else 'SURVIVED'} {name}" + (f": {problem}" if problem else ""), flush=True)
        survivors += problem is not None
    print(f"mutants: {len(names) - survivors} of {len(names)} killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
