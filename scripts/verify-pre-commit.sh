#!/usr/bin/env bash
# Runs the pre-commit hook of this repository with real pre-commit (issue 16, bug 1), outside the
# test suite because pre-commit builds the hook with `cargo install` from crates.io:
#   1. a commit that adds a `.env` holding a JWT signing secret is blocked;
#   2. the same commit passes once the secret is read from the environment.
# The hook is taken from this repository at HEAD (commit first). Needs pre-commit 2.21+ on PATH
# (or PRE_COMMIT=/path/to/pre-commit) and a Rust toolchain. CARGO_TARGET_DIR, if set, is reused by
# pre-commit's `cargo install`, which saves most of the build.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
rev=$(git -C "$repo" rev-parse HEAD)
pre_commit=${PRE_COMMIT:-pre-commit}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
cd "$work"
git init -q project && cd project
git config user.email ci@example.invalid && git config user.name ci
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $rev
    hooks:
      - id: authlint
YAML
"$pre_commit" install >/dev/null
git add .pre-commit-config.yaml && git commit -qm "pre-commit config" --no-verify

printf 'JWT_SECRET=k7Fq2Lr9Zx4Vb8Nm3Ws6Tc1Yh5Pd0Jg\n' > .env
git add -f .env
if git commit -qm "add .env with a secret" >"$work/blocked.log" 2>&1; then
  cat "$work/blocked.log"; echo "FAIL: a commit adding a .env secret passed the hook"; exit 1
fi
grep -q "hardcoded-signing-secret" "$work/blocked.log" || { cat "$work/blocked.log"; echo "FAIL: blocked, but not by the secret"; exit 1; }
echo "ok: the commit adding a .env secret was blocked by hardcoded-signing-secret"

printf 'JWT_SECRET=${JWT_SECRET}\n' > .env
git add -f .env
if ! git commit -qm "read the secret from the environment" >"$work/passed.log" 2>&1; then
  cat "$work/passed.log"; echo "FAIL: the fixed commit was blocked"; exit 1
fi
grep -q "^authlint\.*Passed" "$work/passed.log" || { cat "$work/passed.log"; echo "FAIL: the hook did not run on .env"; exit 1; }
echo "ok: the fixed commit passed, with the hook run on .env"
