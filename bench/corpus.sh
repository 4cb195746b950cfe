#!/usr/bin/env bash
# Assembles the benchmark corpus reproducibly from the package registries into $BENCH_DIR/corpus:
#   rust/    `cargo vendor` of corpus-manifest/ (Cargo.lock pinned), minus Windows bindings and
#            generated *-sys crates, cut at about 1.5 million lines in sorted crate order
#   js/      the sources of ~20 front-end npm packages at pinned versions (no install scripts run)
#   config/  the config files among authlint's rule fixtures (TOML, YAML, JSON, .env, Terraform),
#            copied 20 times under different names
#   app/     (second corpus, issue 17) five application repositories at pinned commits, side by
#            side: lemmy, vaultwarden, lldap, chatbot-ui, oxc. Each is cloned without blobs and
#            checked out at its commit (or, with MIRROR=DIR, exported from a bare mirror
#            DIR/owner+name/repo). Never committed.
# Re-running reuses what is already there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BENCH_DIR=${BENCH_DIR:-$HOME/.cache/authlint-bench}
corpus=$BENCH_DIR/corpus
mkdir -p "$BENCH_DIR"
if [ ! -d "$BENCH_DIR/vendor" ]; then
  (cd "$here/corpus-manifest" && cargo vendor --locked --versioned-dirs "$BENCH_DIR/vendor" >/dev/null)
fi
rm -rf "$corpus" && mkdir -p "$corpus/rust" "$corpus/js" "$corpus/config"
lines=0
for d in $(ls "$BENCH_DIR/vendor" | sort); do
  case "$d" in windows*|winapi*|*-sys-*|js-sys-*|web-sys-*|libsqlite3*|ring-*|aws-lc*) continue ;; esac
  n=$(find "$BENCH_DIR/vendor/$d" -name '*.rs' -print0 | xargs -0 cat 2>/dev/null | wc -l)
  cp -r "$BENCH_DIR/vendor/$d" "$corpus/rust/$d"
  lines=$((lines + n))
  [ "$lines" -ge 1500000 ] && break
done
# npm packages: sources only, no lifecycle scripts, versions pinned.
pkgs="react-dom@18.3.1 vue@3.5.17 axios@1.10.0 js-cookie@3.0.5 universal-cookie@8.0.1 localforage@1.10.0
store2@2.14.4 pinia@3.0.3 zustand@5.0.6 @vueuse/core@13.5.0 react-use@17.6.0 usehooks-ts@3.1.1
jwt-decode@4.0.0 oidc-client-ts@3.3.0 @auth0/auth0-spa-js@2.3.0 keycloak-js@26.2.0 ky@1.8.1
@supabase/supabase-js@2.51.0 next-auth@4.24.11 svelte@5.35.6"
if [ ! -d "$BENCH_DIR/npm/node_modules" ]; then
  mkdir -p "$BENCH_DIR/npm"
  (cd "$BENCH_DIR/npm" && npm init -y >/dev/null && npm install --ignore-scripts --no-audit --no-fund $pkgs >/dev/null)
fi
# node_modules is skipped by every tool's defaults; the corpus holds the packages as plain folders.
cp -r "$BENCH_DIR/npm/node_modules/." "$corpus/js/"
# Bundles are skipped by authlint (dist/, build/, *.min.js); leave them out so every tool reads
# the same sources.
find "$corpus/js" -type d \( -name dist -o -name build -o -name umd -o -name bundles \) -prune -exec rm -rf {} +
find "$corpus/js" \( -name '*.map' -o -name '*.d.ts' -o -name '*.min.js' \) -delete
for i in $(seq 1 20); do
  mkdir -p "$corpus/config/app$i"
  (cd "$here/../fixtures/rules" && find . -type f \( -name '*.toml' -o -name '*.cfg' -o -name '*.yaml' \
     -o -name '*.yml' -o -name '*.json' -o -name '*.tf' -o -name '.env*' -o -name '*.env' \) \
     -exec cp --parents {} "$corpus/config/app$i/" \;)
done
# The application corpus: where auth lives, next to big Rust parser, linter and formatter crates.
app=$BENCH_DIR/app
apps="LemmyNet/lemmy 439734dd63 dani-garcia/vaultwarden 46d71107f5 lldap/lldap 9cc54ab03c
mckaywrigley/chatbot-ui 81328b61d2 oxc-project/oxc 288f9a5188"
mkdir -p "$app"
set -- $apps
while [ $# -ge 2 ]; do
  repo=$1 commit=$2; shift 2
  dest=$app/${repo#*/}
  [ -d "$dest" ] && continue
  mirror=${MIRROR:+$MIRROR/${repo%%/*}+${repo#*/}/repo}
  if [ -n "$mirror" ] && [ -d "$mirror" ]; then
    mkdir -p "$dest.tmp" && git --git-dir="$mirror" archive "$commit" | tar -x -C "$dest.tmp"
  else
    git clone -q --filter=blob:none --no-checkout "https://github.com/$repo" "$dest.git"
    mkdir -p "$dest.tmp" && git -C "$dest.git" archive "$commit" | tar -x -C "$dest.tmp"
    rm -rf "$dest.git"
  fi
  mv "$dest.tmp" "$dest"
done
echo "app corpus: $app ($(find "$app" -type f | wc -l) files)"
echo "corpus: $corpus"
echo "files: $(find "$corpus" -type f | wc -l)  lines: $(find "$corpus" -type f \( -name '*.rs' -o -name '*.js' -o -name '*.ts' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.toml' -o -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 | xargs -0 cat | wc -l)"
