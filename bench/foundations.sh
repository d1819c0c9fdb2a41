#!/bin/sh
# Paired import/synth costs, CDKTF (a checkout on main before #18) vs CDK Terrain (this tree):
#   bench/foundations.sh BEFORE_CHECKOUT [ROUNDS]     (each checkout with its own .venv)
# Prints one line per measurement and round; take medians.
set -u
BEFORE=${1:?checkout with the cdktf venv}; AFTER=$(cd "$(dirname "$0")/.." && pwd); ROUNDS=${2:-3}
export CHECKPOINT_DISABLE=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
t() { s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
r=1
while [ $r -le "$ROUNDS" ]; do
  echo "round $r"
  echo " before import cdktf: $(cd "$BEFORE" && t .venv/bin/python -c 'import cdktf')"
  echo " after  import cdktn: $(cd "$AFTER" && t .venv/bin/python -c 'import cdktn')"
  echo " before prebuilt compute_network: $(cd "$BEFORE" && t .venv/bin/python -c 'import cdktf_cdktf_provider_google.compute_network')"
  echo " after  prebuilt compute_network: $(cd "$AFTER" && t .venv/bin/python -c 'import cdktn_provider_google.compute_network')"
  echo " before crosscloud synth: $(cd "$BEFORE" && PYTHONPATH=$BEFORE t .venv/bin/crosscloud synth -o /tmp/bench-found-before)"
  echo " after  crosscloud synth: $(cd "$AFTER" && PYTHONPATH=$AFTER t .venv/bin/crosscloud synth -o /tmp/bench-found-after)"
  r=$((r + 1))
done
