#!/usr/bin/env bash
# Paired benchmark of `crosscloud synth` against importing the prebuilt google package.
#
#   bench/synth.sh            # N=5 rounds
#   N=9 bench/synth.sh        # or: bench/synth.sh 9
#   SKIP_PREBUILT=1 bench/synth.sh   # leave out the ~15 s prebuilt synth
#
# Each round runs every variant once (order rotated per round) under bench/measure.py, which
# records wall time and the summed peak RSS of the whole process tree (Python + node). Printed:
# per-variant medians, and the median of the per-round ratios against the baseline and the floor.
# See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-${N:-5}}
PY=${PY:-.venv/bin/python}
CLI=${CLI:-.venv/bin/crosscloud}
CONFIG=${CONFIG:-examples/seed.yaml}
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CHECKPOINT_DISABLE=1
unset CROSSCLOUD_GOOGLE_BINDINGS SYNTH_HCL_OUTPUT

TMP=$(mktemp -d "${TMPDIR:-/tmp}/crosscloud-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
RESULTS=$TMP/results.jsonl

variants=(baseline thin raw)
[[ -z "${SKIP_PREBUILT:-}" ]] && variants+=(prebuilt)

command_for() {
  case $1 in
    baseline) echo "$PY -c 'import cdktf_cdktf_provider_google.compute_network'" ;;
    thin)     echo "$CLI synth -c $CONFIG -o $TMP/out-thin" ;;
    prebuilt) echo "env CROSSCLOUD_GOOGLE_BINDINGS=prebuilt $CLI synth -c $CONFIG -o $TMP/out-prebuilt" ;;
    raw)      echo "$PY bench/raw_floor.py -c $CONFIG -o $TMP/out-raw" ;;
  esac
}

run() {  # run <round> <variant>
  local json
  # shellcheck disable=SC2046
  json=$(eval "$PY bench/measure.py --json -- $(command_for "$2")")
  echo "{\"round\": $1, \"variant\": \"$2\", \"result\": $json}" >> "$RESULTS"
  printf '  round %-2s %-9s %s\n' "$1" "$2" "$json"
}

echo "crosscloud synth benchmark: N=$N, config=$CONFIG, $(nproc) CPUs, $($PY -V 2>&1), node $(node -v)"
for v in "${variants[@]}"; do echo "  $v: $(command_for "$v")"; done
echo "warm-up round (not counted)"
for v in "${variants[@]}"; do run 0 "$v" > /dev/null; done

for ((i = 1; i <= N; i++)); do
  k=${#variants[@]}
  for ((j = 0; j < k; j++)); do
    run "$i" "${variants[$(( (i + j) % k ))]}"
  done
done

same=yes
for v in prebuilt raw; do
  [[ -d $TMP/out-$v ]] && { diff -r -q "$TMP/out-thin" "$TMP/out-$v" > /dev/null || same="NO ($v differs)"; }
done

"$PY" - "$RESULTS" "$same" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rows = [r for r in rows if r["round"] > 0]
bad = [r for r in rows if r["result"]["exit"] != 0]
if bad:
    sys.exit(f"failed runs: {bad}")
by = {}
for r in rows:
    by.setdefault(r["variant"], {})[r["round"]] = r["result"]
med = statistics.median

def ratio(v, ref, key):
    common = sorted(set(by[v]) & set(by[ref]))
    return med([by[v][i][key] / by[ref][i][key] for i in common])

print()
print(f"{'variant':<10} {'wall s':>7} {'CPU s':>6} {'peak MiB':>9} {'x base wall':>12} {'x base CPU':>11} {'x base mem':>11}"
      f" {'x raw wall':>11} {'x raw mem':>10}")
for v in ["baseline", "thin", "raw", "prebuilt"]:
    if v not in by:
        continue
    runs = list(by[v].values())
    print(f"{v:<10} {med([x['wall_s'] for x in runs]):>7.2f} {med([x['cpu_s'] for x in runs]):>6.2f}"
          f" {med([x['peak_mib'] for x in runs]):>9.0f}"
          f" {ratio(v, 'baseline', 'wall_s'):>12.3f} {ratio(v, 'baseline', 'cpu_s'):>11.3f} {ratio(v, 'baseline', 'peak_mib'):>11.3f}"
          f" {ratio(v, 'raw', 'wall_s'):>11.2f} {ratio(v, 'raw', 'peak_mib'):>10.2f}")
print("(medians; ratios are medians of per-round ratios; CPU = user+sys of Python and the node processes it waited for)")
t_wall, t_mem = ratio("thin", "baseline", "wall_s"), ratio("thin", "baseline", "peak_mib")
print(f"\ngoal thin/baseline: wall {t_wall:.3f} (<= 0.35: {'ok' if t_wall <= 0.35 else 'MISSED'}), "
      f"memory {t_mem:.3f} (<= 0.6: {'ok' if t_mem <= 0.6 else 'MISSED'}); "
      f"stretch thin/raw wall {ratio('thin', 'raw', 'wall_s'):.2f} (<= 2: {'ok' if ratio('thin', 'raw', 'wall_s') <= 2 else 'MISSED'})")
print(f"outputs of thin / raw{' / prebuilt' if 'prebuilt' in by else ''} byte-identical: {sys.argv[2]}")
EOF
