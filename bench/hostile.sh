#!/usr/bin/env bash
# Hostile-input bench (issue 14): generates every case at run time into a temp dir (no big files
# committed), runs authlint on each beside a canary file and prints a table: case, exit code,
# wall time, peak memory (/usr/bin/time -f %M) and whether the canary's findings were reported.
# Usage: bench/hostile.sh [path/to/authlint] [case-name-filter]
# Not part of the test suite. Each case is killed after $LIMIT seconds (default 60).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
authlint=${1:-${AUTHLINT_BIN:-$here/../target/release/authlint}}
filter=${2:-}
LIMIT=${LIMIT:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import os, sys
root = sys.argv[1]
CANARY = 'fn login(jar: CookieJar, v: String) -> CookieJar {\n    jar.add(Cookie::build(("session", v)).secure(true))\n}\n'
COOKIE = 'jar.add(Cookie::build(("session", v)).secure(true));'
cases = {}
def case(name, files, args="", config=None):
    cases[name] = (files, args, config)

# item 1: stack overflows from chains
case("rust &x30000", {"x.rs": "type SessionToken = " + "&" * 30000 + "u8;\n"})
case("rust break x20000", {"x.rs": "fn session() { loop { " + "break " * 20000 + "; } }\n"})
case("rust closures x20000", {"x.rs": "fn session() { let f = " + "|| " * 20000 + "1; }\n"})
case("rust !x50000", {"x.rs": "fn session() { let x = " + "!" * 50000 + "true; }\n"})
case("rust +1 x160000", {"x.rs": "fn session() { let x = 1" + " + 1" * 160000 + "; }\n"})
case("rust '\"' then (x100000", {"x.rs": "fn f() { let q = '\"'; let x = " + "(" * 100000 + "1" + ")" * 100000 + "; }\n"})
js_cookie = "\ndocument.cookie = 'session=' + t;\n"
case("js ()=> x100000", {"x.js": "const f = " + "()=>\n" * 100000 + "1;" + js_cookie})
case("js a= x300000", {"x.js": "let a; const f = " + "a=\n" * 300000 + "1;" + js_cookie})
case("js a?b: x300000", {"x.js": "const f = " + "a?b:\n" * 300000 + "1;" + js_cookie})
case("js new x300000", {"x.js": "const f = " + "new\n" * 300000 + "X;" + js_cookie})
case("hcl labels x200000", {"x.tf": "resource " + '"a" ' * 200000 + '{ secret = "x" }\n'})
# item 2: a finding past column 65,535 in the human report
case("json col 70000 (human)", {"x.json": "{" + " " * 70000 + '"jwt": {"secret": "k8s7Hf0pQz9LmN2vX4bW"}}\n'}, "--format human")
# item 4: links and FIFOs with project files' names
case("project files -> /dev/zero", {"@link package.json": "/dev/zero", "@link Cargo.toml": "/dev/zero",
     "@link Cargo.lock": "/dev/zero", "@link docker-compose.yml": "/dev/zero"})
case("project files are FIFOs", {"@fifo package.json": "", "@fifo Cargo.toml": "", "@fifo Cargo.lock": "",
     "@fifo docker-compose.yml": "", "@fifo x.rs": ""})
case(".gitignore is a FIFO", {"@fifo .gitignore": ""})
case(".gitignore -> /dev/zero", {"@link .gitignore": "/dev/zero"})
case(".ignore is a FIFO", {"@fifo .ignore": ""})
# item 5: quadratic positions
case("5000 findings on one line", {"x.rs": "fn login(jar: CookieJar, v: String) { " + COOKIE * 5000 + " }\n"})
case("5000 findings on one line (human)", {"x.rs": "fn login(jar: CookieJar, v: String) { " + COOKIE * 5000 + " }\n"}, "--format human")
case("1.9 MB line, 35000 cookies", {"x.rs": "fn login(jar: CookieJar, v: String) { " + COOKIE * 35000 + " }\n"})
case("1.9 MB line, finding at end", {"x.rs": "fn login(jar: CookieJar, v: String) { " + "let a = 1; " * 175000 + COOKIE + " }\n"})
case("rust c.a() x5000", {"x.rs": "fn session(c: C) { c" + ".a()" * 5000 + "; }\n"})
case("rust c.a() x4900", {"x.rs": "fn session(c: C) { c" + ".a()" * 4900 + "; }\n"})
# found by the fuzzer: many chains under the chain guard (each receiver was printed whole)
case("rust 25 chains of 2400 .a()", {"x.rs": "".join(f"fn session{i}(c: C) {{ c" + ".a()" * 2400 + "; }\n" for i in range(25))})
case("rust 25 cookie chains of 2400", {"x.rs": "use cookie::Cookie;\n" + "".join(f'fn session{i}(v: String) {{ let c = Cookie::build(("session", v))' + '.path("/")' * 2400 + "; }\n" for i in range(25))})
case("rust 25 header chains of 2400", {"x.rs": "".join(f'fn session{i}(req: HttpRequest) {{ req.headers()' + '.get("x")' * 2400 + "; }\n" for i in range(25))})
case("rust f() x20000", {"x.rs": "fn session() { f" + "()" * 20000 + "; }\n"})
case("rust f() x4900", {"x.rs": "fn session() { f" + "()" * 4900 + "; }\n"})
case("js a\\n.b x300000", {"x.js": "const x = a" + "\n.b" * 300000 + ";" + js_cookie})
case("js a\\n.b x4900", {"x.js": "const x = a" + "\n.b" * 4900 + ";" + js_cookie})
big = "".join(f"  k{i}: v{i}\n" for i in range(120000))
case("yaml <<: *big, 120k keys", {"x.yaml": "base: &big\n" + big + "jwt:\n  <<: *big\n  secret: k8s7Hf0pQz9LmN2vX4bW\n"})
many = "".join(f"m{j}:\n  <<: *big\n" for j in range(100))
big2 = "".join(f"  k{i}: v{i}\n" for i in range(10000))
case("yaml 100 x <<: *big 10k", {"x.yaml": "base: &big\n" + big2 + many})
# item 6: -j
case("-j 10000", {"a.json": '{"jwt": {"secret": "k8s7Hf0pQz9LmN2vX4bW"}}\n'}, "-j 10000")
case("-j 100000", {"a.json": '{"jwt": {"secret": "k8s7Hf0pQz9LmN2vX4bW"}}\n'}, "-j 100000")
# item 7: memory
rust_big = "".join(f"fn f{i}(jar: CookieJar, v: String) -> u32 {{ let x = {i} + 1; let y = x * 2; y + x }}\n" for i in range(24000))
case("1.9 MB rust file", {"x.rs": rust_big})
case("8 x 1.9 MB rust, -j 8", {f"x{i}.rs": rust_big for i in range(8)}, "-j 8")
cookies = "".join(f"fn f{i}(jar: CookieJar, v: String) {{ let x = {i} + 1; {COOKIE} }}\n" for i in range(17000))
case("8 x 1.9 MB rust, 34000 findings each", {f"x{i}.rs": cookies for i in range(8)}, "-j 8")
jb = ["{\"items\": ["] + [f'{{"id": {i}, "name": "n{i}", "tags": ["a", "b", "c"]}},\n' for i in range(1000000)] + ['{"jwt": {"secret": "k8s7Hf0pQz9LmN2vX4bW"}}]}\n']
case("62 MB json, size limit raised", {"x.json": "".join(jb)}, "", "max_file_size = \"100MB\"\n")
case("authlint.toml 500000 excludes", {}, "", "exclude = [" + ",".join(f'"d{i}/**"' for i in range(500000)) + "]\n")
case("authlint.toml 2 MiB comment", {}, "", "# " + "x" * (2 << 20) + "\n")
# items 8, 9
case("/* (x300 */", {"x.rs": "/* " + "(" * 300 + " */\n" + CANARY})
case("inline script line > 10000", {"page.html": "<script>\nlocalStorage.setItem('token', t);" + "var a=1;" * 1500 + "\n</script>\n"})
# item 11
case("NUL byte in rust", {"x.rs": "fn access_token() {\x00}\n"})
case("authlint.toml is a directory", {"@dir authlint.toml": ""}, "", None)
case("authlint.toml is a FIFO", {"@fifo authlint.toml": ""}, "", None)

for i, (name, (files, args, config)) in enumerate(cases.items()):
    d = os.path.join(root, f"case{i:02d}")
    os.makedirs(d)
    with open(os.path.join(d, "canary.rs"), "w") as f:
        f.write(CANARY)
    for fname, text in files.items():
        if fname.startswith("@link "):
            os.symlink(text, os.path.join(d, fname[6:]))
        elif fname.startswith("@fifo "):
            os.mkfifo(os.path.join(d, fname[6:]))
        elif fname.startswith("@dir "):
            os.mkdir(os.path.join(d, fname[5:]))
        else:
            with open(os.path.join(d, fname), "w", encoding="utf-8", newline="") as f:
                f.write(text)
    if config is not None:
        with open(os.path.join(d, "authlint.toml"), "w") as f:
            f.write(config)
    with open(os.path.join(d, ".case"), "w") as f:
        f.write(name + "\n" + args + "\n")
PY

printf '| %-38s | %4s | %8s | %9s | %-6s |\n' case exit time "peak MiB" canary
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..40})" ------ ---------- ----------- --------
for d in "$work"/case*; do
  name=$(sed -n 1p "$d/.case"); args=$(sed -n 2p "$d/.case")
  [ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && continue
  rm -f "$d/.case"
  fmt="--format json"; [[ "$args" == *--format* ]] && fmt=""
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  (cd "$d" && timeout -s KILL "$LIMIT" /usr/bin/time -f %M -o "$work/mem" \
     "$authlint" check . $fmt $args > "$work/out" 2> "$work/err" < /dev/null) 2>/dev/null
  code=$?
  end=$(date +%s.%N)
  mem=$(tail -1 "$work/mem" 2>/dev/null); [[ "$mem" =~ ^[0-9]+$ ]] || mem=0
  if [ -n "$fmt" ]; then
    canary=$(python3 -c 'import json,sys
try: v=json.load(open(sys.argv[1]))
except Exception: print("no"); sys.exit()
print("yes" if any(f["path"]=="canary.rs" for f in v["findings"]) else "no")' "$work/out")
  else
    canary=$(grep -q 'canary.rs' "$work/out" && echo yes || echo no)
  fi
  [ $code -eq 137 ] && code="kill"
  printf '| %-38s | %4s | %7.2fs | %9d | %-6s |\n' "$name" "$code" "$(echo "$end - $start" | bc)" "$((mem / 1024))" "$canary"
done
