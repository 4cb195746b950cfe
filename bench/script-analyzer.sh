#!/usr/bin/env bash
# Throughput of the script analyzer on a large generated front end.
#
# Generates FILES source files (TS, TSX, JS, Vue, Svelte, HTML; every file mentions
# localStorage or cookies so the prefilter lets it through to the parser) into a temp dir and
# times `authlint check` on it with hyperfine if installed, else /usr/bin/time. Prints files/s
# and MB/s.
#
#   bench/script-analyzer.sh [FILES] [AUTHLINT]
#   (default: 4000 files, target/release/authlint; build it with `cargo build --release`)
set -euo pipefail

FILES=${1:-4000}
BIN=${2:-$(dirname "$0")/../target/release/authlint}
[ -x "$BIN" ] || { echo "no authlint binary at $BIN (cargo build --release)" >&2; exit 2; }
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

component() { # $1 = index: a React component with state, effects, fetch and storage use
  cat <<TS
import { useEffect, useState } from "react";
import { api } from "../api";

const THEME_KEY = "app.theme.$1";

export interface Item$1 { id: number; title: string; done: boolean; tags: string[] }

export function Widget$1({ userId }: { userId: number }) {
  const [items, setItems] = useState<Item$1[]>([]);
  const [theme, setTheme] = useState(() => localStorage.getItem(THEME_KEY) ?? "light");
  useEffect(() => {
    let cancelled = false;
    api.get<Item$1[]>(\`/users/\${userId}/items?page=$1\`).then((res) => {
      if (!cancelled) setItems(res.data.filter((i) => !i.done).sort((a, b) => a.id - b.id));
    });
    return () => { cancelled = true; };
  }, [userId]);
  function toggle(next: string) {
    setTheme(next);
    localStorage.setItem(THEME_KEY, next);
  }
  const total = items.reduce((n, i) => n + i.tags.length, 0);
  return (
    <section className={theme}>
      <h2>Items ({total})</h2>
      <ul>{items.map((i) => <li key={i.id} onClick={() => toggle(i.title)}>{i.title}</li>)}</ul>
    </section>
  );
}
TS
}

service() { # a service module with a login flow (some store tokens, most do not)
  local store=""
  if (( $1 % 50 == 2 )); then store='localStorage.setItem("access_token", data.access_token);'; fi
  cat <<JS
import axios from "axios";

const client = axios.create({ baseURL: "/api/v$1" });

export async function fetchPage$1(page, size = 20) {
  const { data } = await client.get("/records", { params: { page, size } });
  return data.items.map((r) => ({ ...r, label: r.name.trim().toLowerCase() }));
}

export async function login$1(email, password) {
  const { data } = await client.post("/auth/login", { email, password });
  $store
  localStorage.setItem("lastLoginEmail", email);
  document.cookie = "locale=" + navigator.language + "; path=/";
  return data.user;
}
JS
}

vue() {
  cat <<VUE
<template>
  <div class="card"><p v-for="n in notes" :key="n.id">{{ n.text }}</p></div>
</template>

<script setup lang="ts">
import { ref, onMounted } from "vue";
const notes = ref<{ id: number; text: string }[]>([]);
onMounted(async () => {
  const saved = sessionStorage.getItem("notes.$1");
  notes.value = saved ? JSON.parse(saved) : [];
  sessionStorage.setItem("notes.$1", JSON.stringify(notes.value));
});
</script>
VUE
}

echo "generating $FILES files in $DIR" >&2
mkdir -p "$DIR/web/src/components" "$DIR/web/src/services" "$DIR/web/src/views" "$DIR/web/public"
for ((i = 0; i < FILES; i++)); do
  case $((i % 5)) in
    0 | 1) component "$i" > "$DIR/web/src/components/Widget$i.tsx" ;;
    2) service "$i" > "$DIR/web/src/services/service$i.js" ;;
    3) service "$i" > "$DIR/web/src/services/service$i.ts" ;;
    4) vue "$i" > "$DIR/web/src/views/View$i.vue" ;;
  esac
done
BYTES=$(du -sb "$DIR/web" | cut -f1)
MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.2f", b / 1e6 }')
echo "$FILES files, $MB MB" >&2

CMD="$BIN check $DIR/web --no-config --format json -o /dev/null --exit-zero"
"$BIN" check "$DIR/web" --no-config --format json -o /dev/null >/dev/null 2>&1 || true # warm the cache
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 10 --export-json "$DIR/h.json" "$CMD" >&2 || true
  SECS=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['mean'])" "$DIR/h.json")
else
  start=$(date +%s.%N)
  for _ in 1 2 3 4 5; do $CMD >/dev/null 2>&1 || true; done
  SECS=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print (e - s) / 5 }')
fi
awk -v f="$FILES" -v m="$MB" -v s="$SECS" \
  'BEGIN { printf "mean %.3f s: %.0f files/s, %.1f MB/s\n", s, f / s, m / s }'
