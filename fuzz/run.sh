#!/usr/bin/env bash
# Runs every fuzz target (or those named) one after another with the settings of issue 14:
# inputs up to 256 KiB (`-max_len=262144`), the target's token dictionary (fuzz/dict/), and seeds
# generated here for long and deep inputs (chains, nesting, long lines) so the fuzzer starts
# where the hostile cases live. Prints a table: target, seconds, executions, max_len, crashes.
#
#   fuzz/run.sh [target ...]            SECS=600 per target by default
#   SANITIZER=none fuzz/run.sh          without AddressSanitizer (see below)
#
# SANITIZER defaults to address. authlint denies `unsafe` code (src/lib.rs; only two tests make
# FIFOs), and what these runs look for (panics, stack overflows, hangs, memory blow-ups)
# libFuzzer catches without ASan, so `none` is a fair choice on a small machine: it builds in minutes instead of an hour and runs
# several times more inputs per second.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a nightly toolchain, or stable with
# RUSTC_BOOTSTRAP=1 (as below). Corpora go to fuzz/corpus/ (not committed); crashes to
# fuzz/artifacts/. One process per target (`-jobs` unset): the machine has two cores.
set -uo pipefail
cd "$(dirname "$0")"
SECS=${SECS:-600}
SANITIZER=${SANITIZER:-address}
MAX_LEN=262144
ALL=(rust_analyzer script_analyzer markup config_yaml config_json config_toml config_env config_hcl check_dir)
targets=("${@:-${ALL[@]}}")
[ $# -gt 0 ] || targets=("${ALL[@]}")
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT

python3 - "$seeds" <<'PY'
import os, sys
root = sys.argv[1]
N = 262144
def put(target, name, text):
    d = os.path.join(root, target); os.makedirs(d, exist_ok=True)
    data = text.encode() if isinstance(text, str) else text
    open(os.path.join(d, name), "wb").write(data[:N])
cookie = 'fn login(jar: CookieJar, v: String) -> CookieJar {\n    jar.add(Cookie::build(("session", v)).secure(true))\n}\n'
rust = {
    "amp": "type SessionToken = " + "&" * 30000 + "u8;\n",
    "break": "fn session() { loop { " + "break " * 20000 + "; } }\n",
    "closures": "fn session() { let f = " + "|| " * 20000 + "1; }\n",
    "not": "fn session() { let x = " + "!" * 50000 + "true; }\n",
    "plus": "fn session() { let x = 1" + " + 1" * 40000 + "; }\n",
    "charquote": "fn f() { let q = '\"'; let x = " + "(" * 300 + "1" + ")" * 300 + "; }\n",
    "methods": "fn session(c: C) { c" + ".a()" * 4900 + "; }\n" + cookie,
    "calls": "fn session() { f" + "()" * 20000 + "; }\n",
    "comment": "/* " + "(" * 300 + " */\n" + cookie,
    "line": "fn login(jar: CookieJar, v: String) { " + 'jar.add(Cookie::build(("session", v)).secure(true));' * 4000 + " }\n",
    # a file no rule wants, read for the project index alone (its masked item parse)
    "items": "pub const TTL_SECS: i64 = 7 * 24 * 60 * 60;\npub static KEY_MATERIAL: &str = \"k8s7Hf0pQz9LmN2vX4bW\";\nlazy_static! { static ref S_TTL: i64 = 30 * 60; }\nfn f() { const X: u8 = 1; }\n",
    # inline modules for the index-only pass: nested past its depth limit, and unclosed
    "mods": "mod a { mod b { pub const B_TTL: i64 = 60; } pub const FAR: i64 = 2_000_000_000; }\n" + "mod m { const M_TTL: u8 = 1; " * 5000 + "}" * 4000 + "\n",
    # chains under the chain guard, many of them: each receiver printed whole was quadratic
    "chains": "".join(f"fn session{i}(c: C) {{ c" + ".a()" * 2400 + "; }\n" for i in range(25)),
    "cookie_chains": "".join(f'fn session{i}(v: String) {{ let c = Cookie::build(("session", v))' + '.path("/")' * 1500 + "; }\n" for i in range(10)),
}
for k, v in rust.items(): put("rust_analyzer", k, v)
js = {
    "arrows": "const f = " + "()=>\n" * 30000 + "1;\ndocument.cookie = 'session=' + t;\n",
    "assign": "let a; const f = " + "a=\n" * 60000 + "1;\n",
    "ternary": "const f = " + "a?b:\n" * 40000 + "1;\n",
    "new": "const f = " + "new\n" * 50000 + "X;\n",
    "members": "const x = a" + "\n.b" * 60000 + ";\nlocalStorage.setItem('token', t);\n",
}
for k, v in js.items():
    put("script_analyzer", k, v)
    put("markup", k, "<script>\n" + v + "</script>\n")
put("markup", "minified", "<script>\nlocalStorage.setItem('token', t);" + "var a=1;" * 1500 + "\n</script>\n")
big = "".join(f"  k{i}: v{i}\n" for i in range(20000))
put("config_yaml", "merge", "base: &big\n" + big + "jwt:\n  <<: *big\n  secret: k8s7Hf0pQz9LmN2vX4bW\n")
put("config_yaml", "deep", "a:\n" + "".join("  " * i + "- \n" for i in range(200)))
put("config_json", "column", "{" + " " * 70000 + '"jwt": {"secret": "k8s7Hf0pQz9LmN2vX4bW"}}\n')
put("config_json", "deep", "[" * 200 + "]" * 200)
put("config_json", "escape", '{"jwt": {"secret": "\\u12"}}')
put("config_toml", "tables", "".join(f"[t{i}]\nsecret = \"k8s7Hf0pQz9LmN2vX4bW\"\n" for i in range(5000)))
put("config_toml", "inline", "a = " + "{b = " * 200 + "1" + "}" * 200 + "\n")
put("config_env", "long", "JWT_SECRET=" + "k" * 200000 + "\n")
put("config_hcl", "labels", "resource " + '"a" ' * 50000 + '{ secret = "x" }\n')
put("config_hcl", "deep", "a = " + "[" * 200 + "]" * 200 + "\n")
for t, k in [("rust_analyzer", "amp"), ("script_analyzer", "arrows"), ("config_yaml", "merge"), ("config_hcl", "labels")]:
    src = open(os.path.join(root, t, k), "rb").read()
    put("check_dir", t, bytes([0]) + src[:N // 2] + b"\xff" + bytes([1]) + cookie.encode())
PY

printf '| %-16s | %8s | %10s | %7s | %7s |\n' target seconds execs max_len crashes
printf '|------------------|----------|------------|---------|---------|\n'
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  extra=()
  # LeakSanitizer counts glibc's per-thread destructor records of the engine's workers as leaks.
  [ "$t" = check_dir ] && extra+=(-detect_leaks=0)
  log="artifacts/$t/run.log"
  start=$(date +%s)
  RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer "$SANITIZER" "$t" "corpus/$t" "$seeds/$t" -- \
    -max_len=$MAX_LEN -dict="dict/$t.dict" -max_total_time="$SECS" -timeout=60 \
    -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" > "$log" 2>&1
  code=$?
  secs=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find "artifacts/$t" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
  [ $code -ne 0 ] && [ "$crashes" -eq 0 ] && crashes="exit $code"
  printf '| %-16s | %8s | %10s | %7s | %7s |\n' "$t" "$secs" "${execs:-?}" "$MAX_LEN" "$crashes"
done
