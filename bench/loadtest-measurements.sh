#!/usr/bin/env bash
# The load-generator figures of docs/BENCHMARKS.md ("Load generator"), in one go: waits (up to
# WAIT_MAX seconds) for the 1-minute load average to fall below 2, then runs each measurement
# with the load average printed next to it. Results (text, JSON, HTML) go to OUT.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-/tmp/loadgen-results}
WAIT_MAX=${WAIT_MAX:-1200}
mkdir -p "$OUT"
waited=0
while awk '{exit !($1 >= 2)}' /proc/loadavg && [ "$waited" -lt "$WAIT_MAX" ]; do
  sleep 10; waited=$((waited + 10))   # polling the machine's load, not a condition of ours
done
run() {
  local name=$1; shift
  echo "== $name: ./stockroom loadtest $*"
  echo "   before: $(uptime)"
  "$root/stockroom" loadtest "$@" --quiet --json "$OUT/$name.json" --html "$OUT/$name.html" \
    2>"$OUT/$name.err" | tee "$OUT/$name.txt"
  echo "   after:  $(uptime)"
}
run ceiling-helidon --scenario ceiling --client helidon -c 64 -d 15s --warmup 5s
run ceiling-jdk --scenario ceiling --client jdk -c 64 -d 15s --warmup 5s
run reserve-vs-ceiling --scenario reserve --with-ceiling -c 64 -d 20s --warmup 10s
# Issue 6's two HTTP targets, as the issue states them.
run reserve-vs-ceiling-256 --scenario reserve --with-ceiling -c 256 -d 15s --warmup 5s
run flash-sale-1000 --scenario flash-sale -c 1000 --units 200 --warmup 5s --with-ceiling
run ceiling-1000 --scenario ceiling -c 1000 -d 10s --warmup 5s
run checkout-mix-closed --scenario checkout-mix -c 64 -d 20s --warmup 10s
run checkout-mix-open --scenario checkout-mix --loop open --rate 2000 -c 1000 -d 20s --warmup 10s
run storefront --scenario storefront -c 64 --subscribers 50 -d 20s --warmup 10s
