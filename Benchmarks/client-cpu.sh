#!/usr/bin/env bash
# Client CPU per request of one or more `parity` binaries (e.g. before and after a change), in one run:
# each client pinned to core 0, the C epoll server (Benchmarks/peer-server/epoll-sse.c, whole-response writes)
# pinned to core 1; 256 concurrent streams (CONCURRENCY), 128-token prompts, 64 streamed tokens with usage.
# CPU per request = (user + sys of an N_LARGE-request run − that of an N_SMALL-request run) ÷ (N_LARGE − N_SMALL),
# so start-up cancels out (CPU time, from /usr/bin/time: far less sensitive to other load than wall time).
# valgrind 3.19 (Debian 12) crashes on the Swift 6 binaries and this VM exposes no instruction counters to perf,
# hence CPU time. Usage: Benchmarks/client-cpu.sh BINARY [BINARY …]   (ROUNDS=2 N_SMALL=2000 N_LARGE=10000)
set -euo pipefail
small=${N_SMALL:-2000}
large=${N_LARGE:-10000}
concurrency=${CONCURRENCY:-256}
rounds=${ROUNDS:-2}
work=$(mktemp -d)
cc -O2 -o "$work/epoll-sse" "$(dirname "$0")/peer-server/epoll-sse.c"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
taskset -c 1 "$work/epoll-sse" "$port" 64 &
server=$!
trap 'kill $server; rm -rf "$work"' EXIT
sleep 0.3
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # binary prompts → "req/s cpu_seconds"
    /usr/bin/time -f "%U %S" -o "$work/time" taskset -c 0 "$1" bench serve --base-url "http://127.0.0.1:$port" \
        --model sim --dataset fixed --num-prompts "$2" --max-concurrency "$concurrency" --input-len 128 \
        --output-len 64 --warmup "$concurrency" --json >"$work/out.json"
    python3 - "$work/out.json" "$work/time" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
user, system = map(float, open(sys.argv[2]).read().split()[-2:])
assert d["failed"] == 0, d["failed"]
print(f"{d['request_throughput']:.0f} {user + system:.2f}")
PY
}
for round in $(seq 1 "$rounds"); do
    for bin in "$@"; do
        read -r rate_s cpu_s < <(run "$bin" "$small")
        read -r rate_l cpu_l < <(run "$bin" "$large")
        python3 -c "
print(f'round $round $bin: {$rate_s} / {$rate_l} req/s ($small / $large requests), CPU {$cpu_s} / {$cpu_l} s, '
      f'CPU per request {($cpu_l - $cpu_s) / ($large - $small) * 1000:.3f} ms')"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
