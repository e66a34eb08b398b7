#!/usr/bin/env bash
# Soak test of the packaged service: CLIENTS concurrent closed-loop clients (wrk) for MINUTES minutes on a mix of
# endpoints (mix.lua), after a warm-up. Prints one table row per minute: requests, statuses, latency percentiles,
# the service's RSS (against its level after warm-up), its off-heap JavaCPP/ND4J bytes (bertj_native_bytes), and
# the load average of the machine. Then the requests per endpoint and status as the service counted them.
#
#   benchmarks/reliability/soak.sh [MINUTES=10] [CLIENTS=64] [PORT=18080]
#
# Models: all-minilm-l6-v2 is the default model (embeddings); "soak-tiny", a small BERT pre-trained for a few steps
# by `./bert pretrain --config tiny` on a generated corpus, serves fill-mask and next-sentence (MiniLM has neither
# head). Needs wrk (Debian: apt-get install wrk). Everything the service writes goes to a temporary directory.
set -euo pipefail
minutes="${1:-10}"
clients="${2:-64}"
port="${3:-18080}"
warmup="${SOAK_WARMUP_SECONDS:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/benchmarks/reliability"
command -v wrk >/dev/null || { echo "soak: needs wrk (apt-get install wrk)" >&2; exit 2; }

work="$(mktemp -d /tmp/bertj-soak.XXXXXX)"
service=""
cleanup() {
  if [ -n "$service" ] && kill -0 "$service" 2>/dev/null; then
    kill "$service"
    wait "$service" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/models" "$work/plugins" "$work/jobs" "$work/data"

# A small pre-trained model with its mlm and nsp heads: a generated corpus in BERT's format (one sentence a line,
# a blank line between documents), a few optimizer steps. Its answers are meaningless; its work is real.
subjects=(the-cat the-dog a-bird my-friend the-teacher a-child the-king our-neighbour)
verbs=(sat-on looked-at walked-to found painted opened carried watched)
objects=(the-mat a-door the-garden a-river the-window a-book the-road the-city)
for d in $(seq 1 40); do
  for s in $(seq 1 6); do
    i=$(( (d * 7 + s * 3) % 8 )); j=$(( (d + s * 5) % 8 )); k=$(( (d * 3 + s) % 8 ))
    echo "${subjects[$i]//-/ } ${verbs[$j]//-/ } ${objects[$k]//-/ }."
  done
  echo
done > "$work/corpus.txt"
echo "soak: pre-training the small model soak-tiny..." >&2
"$root/bert" pretrain --corpus "$work/corpus.txt" --config tiny --train-vocab 200 --steps 4 --batch 8 --seq 64 \
  --max-predictions 5 --dupe-factor 2 --log-every 2 --out "$work/models/soak-tiny" > "$work/pretrain.log" 2>&1 \
  || { cat "$work/pretrain.log" >&2; exit 1; }

echo "soak: starting the service on port $port..." >&2
# A fixed, pre-touched heap, as a server JVM is usually run: otherwise the heap growing into its limit over the
# first minutes would hide (or fake) a leak in the RSS column. SOAK_JAVA_OPTS overrides it.
BERTJ_JAVA_OPTS="${SOAK_JAVA_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}" BERTJ_MODELS_PRELOAD=soak-tiny BERTJ_SKIP_BUILD_CHECK=1 "$root/bert" serve --port "$port" --model all-minilm-l6-v2 \
  --models-dir "$work/models" --plugins-dir "$work/plugins" --jobs-dir "$work/jobs" --data-dir "$work/data" \
  > "$work/service.log" 2>&1 &
service=$!
url="http://localhost:$port"
for _ in $(seq 1 300); do
  if curl -fs "$url/q/health/ready" >/dev/null 2>&1 && curl -fs "$url/v1/models/soak-tiny" >/dev/null 2>&1; then
    break
  fi
  kill -0 "$service" 2>/dev/null || { cat "$work/service.log" >&2; exit 1; }
  sleep 1
done
curl -fs "$url/v1/models/soak-tiny" >/dev/null || { echo "soak: service not ready" >&2; tail -50 "$work/service.log" >&2; exit 1; }

rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$service/status"; }
native_mb() { # JavaCPP's live pointers, and the resident memory outside the JVM's pools (ND4J's buffers live there)
  curl -fs "$url/q/metrics" | awk '/^bertj_native_bytes / {j = $2} /^bertj_native_outside_jvm_bytes / {o = $2}
    END {printf "%.1f / %.0f", j / 1048576, o / 1048576}'
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
run_wrk() { # seconds
  wrk -t2 -c"$clients" -d"${1}s" --timeout 60s -s "$here/mix.lua" "$url" | grep '^SOAK '
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "soak: warm-up, $warmup s with $clients clients..." >&2
warm=$(run_wrk "$warmup")
base_rss=$(rss_mb)
base_native=$(native_mb)
echo "warm-up: $warm"
echo "after warm-up: RSS $base_rss MB, JavaCPP / outside-JVM MB $base_native, load average $(load)"
echo
echo "| minute | requests | req/s | statuses | socket errors (connect/read/write/timeout) | p50 ms | p90 ms | p99 ms | max ms | RSS MB | RSS vs warm-up | JavaCPP / outside-JVM MB | load avg (1/5/15 min) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
errors=0
worst=0
for m in $(seq 1 "$minutes"); do
  line=$(run_wrk 60)
  rss=$(rss_mb)
  native=$(native_mb)
  n=$(field requests "$line"); us=$(field duration_us "$line")
  statuses=$(field status "$line")
  sock="$(field connect "$line")/$(field read "$line")/$(field write "$line")/$(field timeout "$line")"
  bad=$(tr ',' '\n' <<<"$statuses" | awk -F= '$1 !~ /^2/ && $1 != "429" {s += $2} END {print s + 0}')
  bad=$(( bad + $(tr '/' '+' <<<"$sock") ))
  errors=$(( errors + bad ))
  delta=$(awk -v a="$rss" -v b="$base_rss" 'BEGIN {printf "%+.1f%%", (a - b) * 100 / b}')
  worst=$(awk -v a="$rss" -v b="$base_rss" -v w="$worst" 'BEGIN {d = (a - b) * 100 / b; if (d < 0) d = -d; print (d > w ? d : w)}')
  printf '| %d | %d | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$m" "$n" \
    "$(awk -v n="$n" -v us="$us" 'BEGIN {print n * 1e6 / us}')" "${statuses//,/ }" "$sock" \
    "$(field p50_ms "$line")" "$(field p90_ms "$line")" "$(field p99_ms "$line")" "$(field max_ms "$line")" \
    "$rss" "$delta" "$native" "$(load)"
done
echo
echo "errors other than 429 (non-2xx statuses and socket errors): $errors"
echo "largest RSS deviation from the warm-up level: ${worst}%"
echo "JavaCPP / outside-JVM MB after warm-up $base_native, at the end $(native_mb)"
# JavaCPP frees a pointer's memory when the garbage collector finds its Java object unreachable: a figure that only
# grows between collections is not yet a leak. A full collection tells the two apart.
if command -v jcmd >/dev/null; then
  jcmd "$service" GC.run >/dev/null 2>&1 || true
  sleep 2
  echo "after a full GC (jcmd GC.run): RSS $(rss_mb) MB, JavaCPP / outside-JVM MB $(native_mb)"
fi
echo
echo "Requests per endpoint and status, as the service counted them (warm-up included):"
# bertj_batch_dropped_total says why queued work was dropped: client_gone is a request whose client left (wrk
# closes its connections at the end of every 60 s run), which the service still counts as a 503.
curl -fs "$url/q/metrics" | grep -E '^(bertj_requests_seconds_count|http_server_requests_seconds_count|bertj_batch_dropped_total)' \
  | sed -E 's/^([a-z_]+)\{(.*)\} ([0-9.E+]+)$/\3 \1 \2/' | sort -k2,2 -k3 \
  | awk '{printf "  %8d  %s %s\n", $1, $2, $3}'
if grep -qE 'Exception' "$work/service.log"; then
  echo
  echo "service log lines mentioning exceptions:"
  grep -E 'Exception' "$work/service.log" | head -20
fi
