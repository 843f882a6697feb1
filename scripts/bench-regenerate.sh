#!/bin/bash
# Times `gen plan` (nothing to do, and with a merge) and `gen update` (with a
# merge) for two builds of gen in the same run, alternating, on the crm
# example. Usage: scripts/bench-regenerate.sh OLD_GEN NEW_GEN [RUNS]
set -euo pipefail
old=$(realpath "$1") new=$(realpath "$2") runs=${3:-5}
spec=$(cd "$(dirname "$0")/.." && pwd)/examples/crm.yaml
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
bin() { if [ "$1" = old ]; then echo "$old"; else echo "$new"; fi; }
for v in old new; do
  for kind in noop merge; do
    p=$scratch/$v-$kind
    "$(bin $v)" new "$spec" -o "$p" >/dev/null
    if [ "$kind" = merge ]; then
      # A hand edit, and a spec edit that changes the same file elsewhere.
      sed -i '0,/^\/\/! Companies,/s//\/\/! A note of mine.\n\/\/! Companies,/' "$p/src/api/entities/company.rs"
      sed -i '0,/      delete: \[owner, admin\]/s//      delete: [owner]/' "$p/spec.yaml"
    fi
  done
done
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
for ((i = 0; i < runs; i++)); do
  for v in old new; do
    for kind in noop merge; do
      echo "plan-$kind $v $(cd "$scratch/$v-$kind" && seconds "$(bin $v)" plan)"
    done
    rm -rf "$scratch/copy" && cp -r "$scratch/$v-merge" "$scratch/copy"
    echo "update-merge $v $(cd "$scratch/copy" && seconds "$(bin $v)" update)"
  done
done | sort | awk '{k = $1 " " $2; t[k] = t[k] " " $3} END {for (k in t) print k ":" t[k]}' | sort
