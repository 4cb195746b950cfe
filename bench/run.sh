#!/usr/bin/env bash
# Times authlint against the floor (ripgrep reading the same files for authlint's prefilter
# vocabulary) and against Semgrep with a six-rule approximation, on the corpus from corpus.sh.
# Also: peak memory, the corpus ten times over, 1 vs 2 threads, and the application corpus. Results go to $BENCH_DIR/results/;
# BENCHMARKS.md records one run's figures. Not part of the test suite.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BENCH_DIR=${BENCH_DIR:-$HOME/.cache/authlint-bench}
corpus=$BENCH_DIR/corpus
out=$BENCH_DIR/results
mkdir -p "$out"
[ -d "$corpus" ] || "$here/corpus.sh"
command -v hyperfine >/dev/null && command -v rg >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine ripgrep >/dev/null; }
if [ ! -x "$BENCH_DIR/venv/bin/semgrep" ]; then
  python3 -m venv "$BENCH_DIR/venv" && "$BENCH_DIR/venv/bin/pip" install -q semgrep
fi
(cd "$here/.." && cargo build --release --locked -q)
authlint=$(cd "$here/.." && pwd)/target/release/authlint
"$authlint" vocabulary > "$out/vocabulary.txt"
types=(-g '*.{rs,js,jsx,mjs,cjs,ts,tsx,mts,cts,html,htm,vue,svelte,toml,cfg,yaml,yml,json,tf}' -g '.env*' -g '!*.min.js')
echo "lines: $(rg --files "${types[@]}" "$corpus" | tr '\n' '\0' | xargs -0 cat | wc -l)" | tee "$out/size.txt"

hyperfine --warmup 1 --runs 5 --export-json "$out/floor.json" \
  -n authlint "$authlint check $corpus --no-config --exit-zero --format json -o $out/authlint.json" \
  -n ripgrep "rg -c -i -F -f $out/vocabulary.txt ${types[*]} $corpus > /dev/null || true"
hyperfine --runs 1 --export-json "$out/semgrep.json" \
  -n semgrep "$BENCH_DIR/venv/bin/semgrep scan --metrics=off --disable-version-check --config $here/semgrep-rules.yml --json -o $out/semgrep-out.json -j 2 $corpus" \
  -n authlint "$authlint check $corpus --no-config --exit-zero --format json -o $out/authlint.json"
hyperfine --warmup 1 --runs 5 --export-json "$out/threads.json" \
  -n 'authlint -j1' "$authlint check $corpus --no-config --exit-zero -j 1 --format json -o /dev/null" \
  -n 'authlint -j2' "$authlint check $corpus --no-config --exit-zero -j 2 --format json -o /dev/null"
/usr/bin/time -v "$authlint" check "$corpus" --no-config --exit-zero --format json -o /dev/null 2> "$out/memory.txt" || true
grep -E 'Maximum resident' "$out/memory.txt"

big=$BENCH_DIR/corpus10
if [ ! -d "$big" ]; then
  mkdir -p "$big" && for i in $(seq 1 10); do cp -r "$corpus" "$big/copy$i"; done
fi
hyperfine --warmup 1 --runs 3 --export-json "$out/scale.json" \
  -n 'corpus x1' "$authlint check $corpus --no-config --exit-zero --format json -o /dev/null" \
  -n 'corpus x10' "$authlint check $big --no-config --exit-zero --format json -o /dev/null"

# The application corpus (issue 17): the same floor, threads and memory. On a loaded machine
# wall times mislead; user CPU (/usr/bin/time) and, with CALLGRIND=1, instructions executed
# (valgrind, one thread each) do not depend on the load.
app=$BENCH_DIR/app
hyperfine --warmup 1 --runs 5 --export-json "$out/app-floor.json" \
  -n authlint "$authlint check $app --no-config --exit-zero --format json -o $out/app-authlint.json" \
  -n ripgrep "rg -c -i -F -f $out/vocabulary.txt ${types[*]} $app > /dev/null || true"
hyperfine --warmup 1 --runs 5 --export-json "$out/app-threads.json" \
  -n 'authlint -j1' "$authlint check $app --no-config --exit-zero -j 1 --format json -o /dev/null" \
  -n 'authlint -j2' "$authlint check $app --no-config --exit-zero -j 2 --format json -o /dev/null"
for c in "$corpus" "$app"; do
  for j in 1 2; do
    /usr/bin/time -f "$(basename "$c") authlint -j$j: %e s wall, %U s user, %S s sys, %M KiB peak" \
      "$authlint" check "$c" --no-config --exit-zero -j $j --format json -o /dev/null 2>&1 | grep wall
  done
  /usr/bin/time -f "$(basename "$c") ripgrep: %e s wall, %U s user, %S s sys, %M KiB peak" \
    rg -c -i -F -f "$out/vocabulary.txt" "${types[@]}" "$c" 2>&1 >/dev/null | grep wall
  if [ "${CALLGRIND:-0}" = 1 ]; then
    for cmd in "$authlint check $c --no-config --exit-zero -j 1 --format json -o /dev/null" \
               "rg -j1 -c -i -F -f $out/vocabulary.txt ${types[*]} $c"; do
      echo "$(basename "$c") ${cmd%% *}: $(valgrind --tool=callgrind --callgrind-out-file=/dev/null $cmd 2>&1 >/dev/null | sed -n 's/.*Collected : //p') instructions"
    done
  fi
done | tee "$out/cpu.txt"
echo "results in $out"
