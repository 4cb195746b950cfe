#!/usr/bin/env bash
# Cost against file size (issue 17): generates one auth-heavy file per language (Rust,
# TypeScript, YAML) at 1x, 4x and 16x a base size into a temp dir, runs `authlint check` on each
# alone and prints, per file: size, findings, wall, user and system CPU time, peak memory
# (/usr/bin/time), and with CALLGRIND=1 the instructions executed (valgrind, independent of the
# machine's load). Linear means each 4x step costs at most about 4x.
#
#   bench/scaling.sh [AUTHLINT] [BASE_UNITS]   (default target/release/authlint, 400 units)
# Nothing is committed: the files are generated at run time and removed afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$here/../target/release/authlint}
UNITS=${2:-400}
[ -x "$BIN" ] || { echo "no authlint binary at $BIN (cargo build --release)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$UNITS" <<'PY'
import os, sys
root, units = sys.argv[1], int(sys.argv[2])
def rust(i):
    return f'''
pub async fn login_{i}(jar: CookieJar, State(s): State<App>, Json(c): Json<Creds>) -> Result<CookieJar, Error> {{
    let user = s.users.verify(&c.name, &c.password).await?;
    let claims = Claims {{ sub: user.id.to_string(), role: user.role.clone(), exp: now() + 86400 * {i % 7 + 1} }};
    let access_token = encode(&Header::default(), &claims, &EncodingKey::from_secret(b"s3cr3t-{i}"))?;
    let refresh_token = Uuid::new_v4().to_string();
    s.refresh.insert(refresh_token.clone(), user.id);
    Ok(jar.add(Cookie::build(("session_{i}", access_token)).path("/").secure({str(i % 2 == 0).lower()})))
}}
'''
def ts(i):
    return f'''
export async function login{i}(name: string, password: string): Promise<User> {{
  const res = await fetch("/api/login/{i}", {{ method: "POST", body: JSON.stringify({{ name, password }}) }});
  const {{ accessToken, refreshToken, user }} = await res.json();
  localStorage.setItem("access_token_{i}", accessToken);
  sessionStorage.setItem("refresh_{i}", refreshToken);
  document.cookie = `session_{i}=${{accessToken}}; path=/; max-age={3600 * (i % 5 + 1)}`;
  return user;
}}
'''
def yaml(i):
    return f'''service{i}:
  jwt:
    secret: "k8s7Hf0pQz9LmN2vX4bW{i:05d}"
    access_token_ttl: {i % 9 + 1}h
    refresh_token_ttl: {i % 30 + 1}d
  session:
    cookie:
      name: sid{i}
      secure: {str(i % 2 == 0).lower()}
      http_only: false
      same_site: none
'''
head = {"rs": "use axum_extra::extract::cookie::{Cookie, CookieJar};\nuse jsonwebtoken::{encode, EncodingKey, Header};\n",
        "ts": "", "yaml": ""}
for ext, gen in (("rs", rust), ("ts", ts), ("yaml", yaml)):
    for mult in (1, 4, 16):
        d = os.path.join(root, f"{ext}-{mult:02d}x")
        os.makedirs(d)
        with open(os.path.join(d, f"app.{ext}"), "w") as f:
            f.write(head[ext] + "".join(gen(i) for i in range(units * mult)))
PY

printf '%-10s %10s %9s %8s %8s %7s %9s %14s\n' case bytes findings wall_s user_s sys_s peak_MiB instructions
for d in "$work"/*; do
  name=$(basename "$d")
  f=$(ls "$d")
  bytes=$(stat -c %s "$d/$f")
  # The size limit is raised so the 16x files are read too, and the per-file time budget so a
  # file under valgrind (about 50 times slower) is not stopped halfway: a stopped file's
  # instructions would look sublinear. Findings stop at the per-file cap (1,000 per rule).
  printf 'max_file_size = "64MB"\nfile_timeout = "60m"\n' > "$work/$name.toml"
  /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" \
    "$BIN" check "$d" --config "$work/$name.toml" --exit-zero --format json -o "$work/$name.json" 2>/dev/null
  read -r wall user sys rss < "$work/$name.time"
  findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$work/$name.json")
  instr=-
  if [ "${CALLGRIND:-0}" = 1 ]; then
    instr=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" check "$d" -j 1 --config "$work/$name.toml" \
      --exit-zero --format json -o /dev/null 2>&1 | sed -n 's/.*Collected : //p')
  fi
  printf '%-10s %10s %9s %8s %8s %7s %9s %14s\n' "$name" "$bytes" "$findings" "$wall" "$user" "$sys" "$((rss / 1024))" "$instr"
done
