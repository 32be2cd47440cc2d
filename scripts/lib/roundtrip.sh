# The serving evidence round trip of issue 16, from the command line: two simulators modelling two chips,
# `parity bench serve` three times against each, then
#   1. results import → assess --db: a serving verdict at tier "measured" with a bootstrap over the runs;
#   2. the Ascend runs as a vendor's signed submission, accepted by a reviewer → tier "submitted";
#   3. a campaign's serve suites (one per simulator) → campaign report: tier "measured".
# Usage: source this file, then serving_round_trip BIN WORKDIR. Needs python3 and curl; loopback only.

rt_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

rt_wait() {
    for _ in $(seq 1 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "not up: $1" >&2; return 1
}

# tiers FILE CANDIDATE-TIER REFERENCE-TIER RUNS: the serve-llama-3.1-8b cell rests on those tiers, with an interval,
# and the candidate's evidence has RUNS samples.
rt_check() {
    python3 - "$@" <<'PY'
import json, sys
path, want_c, want_r, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
a = json.load(open(path))
ratio = next(r for c in a["comparisons"] for r in c["ratios"] if r["workload"] == "serve-llama-3.1-8b")
assert ratio["tiers"] == [want_c, want_r], ratio["tiers"]
assert ratio.get("interval") and ratio["interval"]["lower"] < ratio["ratio"] < ratio["interval"]["upper"], ratio
evidence = next(e["evidence"] for e in a["evidence"] if e["chip"] == "ascend-910b" and e["workload"] == "serve-llama-3.1-8b")
assert len(evidence.get("samples") or []) == runs, evidence
print(f"serve-llama-3.1-8b: {ratio['tiers'][0]} / {ratio['tiers'][1]}, ratio {ratio['ratio']:.3f} "
      f"[{ratio['interval']['lower']:.3f}, {ratio['interval']['upper']:.3f}] over {runs} runs")
PY
}

serving_round_trip() {
    local bin=$1 work=$2 pids=() port_h port_a
    mkdir -p "$work"
    port_h=$(rt_free_port); port_a=$(rt_free_port)
    # Modelled timing at 1/20 of real time: both chips alike, so their ratio is the model's.
    "$bin" simulate serve --chip h20 --model llama-3.1-8b --port "$port_h" --time-scale 0.05 >"$work/sim-h20.log" 2>&1 &
    pids+=($!)
    "$bin" simulate serve --chip ascend-910b --model llama-3.1-8b --port "$port_a" --time-scale 0.05 \
        >"$work/sim-ascend.log" 2>&1 &
    pids+=($!)
    trap 'kill "${pids[@]}" 2>/dev/null || true' RETURN
    rt_wait "http://127.0.0.1:$port_h/v1/models"
    rt_wait "http://127.0.0.1:$port_a/v1/models"
    for pair in "h20:$port_h" "ascend-910b:$port_a"; do
        for run in 1 2 3; do
            "$bin" bench serve --base-url "http://127.0.0.1:${pair##*:}" --model llama-3.1-8b --dataset random \
                --input-len 2048 --output-len 256 --num-prompts 24 --max-concurrency 8 --seed "$run" \
                --chip "${pair%%:*}" --chips 1 --engine simulator --weight-precision bf16 \
                --result "$work/serve-${pair%%:*}-$run.json" >/dev/null 2>&1
        done
    done

    # 1. Imported runs: tier measured on both sides.
    "$bin" results import "$work"/serve-*.json --db "$work/measured.sqlite" | grep "6 serving result(s)" >/dev/null
    "$bin" assess --db "$work/measured.sqlite" --candidates ascend-910b --references h20 \
        --workloads serve-llama-3.1-8b --json --no-report >"$work/measured.json" 2>/dev/null
    rt_check "$work/measured.json" measured measured 3

    # 2. The Ascend runs submitted by Huawei (signed with its registered key) and accepted: tier submitted.
    local db="$work/submitted.sqlite" admin vendor reviewer port submission
    "$bin" results import "$work"/serve-h20-*.json --db "$db" >/dev/null
    admin=$("$bin" tokens create --role admin --db "$db")
    vendor=$("$bin" tokens create --role vendor:huawei --db "$db")
    reviewer=$("$bin" tokens create --role reviewer --db "$db")
    "$bin" keys generate --out "$work/huawei" >/dev/null
    "$bin" keys register --vendor huawei "$work/huawei.pub" --db "$db" >/dev/null
    "$bin" results sign "$work"/serve-ascend-910b-*.json --key "$work/huawei.key" --out "$work/bundle.json" 2>/dev/null
    port=$(rt_free_port)
    "$bin" server --db "$db" --port "$port" 2>"$work/server.log" &
    pids+=($!)
    rt_wait "http://127.0.0.1:$port/healthz"
    curl -sf -X POST -H "Authorization: Bearer $vendor" -H 'Idempotency-Key: rt-1' \
        --data-binary @"$work/bundle.json" "http://127.0.0.1:$port/v1/submissions" >"$work/submitted.json"
    submission=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/submitted.json")
    curl -sf -X POST -H "Authorization: Bearer $reviewer" -d '{"decision":"accepted","reason":"reproduced"}' \
        "http://127.0.0.1:$port/v1/submissions/$submission/review" >/dev/null
    "$bin" assess --db "$db" --candidates ascend-910b --references h20 \
        --workloads serve-llama-3.1-8b --json --no-report >"$work/submitted-assess.json" 2>/dev/null
    rt_check "$work/submitted-assess.json" submitted measured 3
    : "$admin"

    # 3. A campaign's serve suites, one per simulator, three repetitions each: campaign report, tier measured.
    cat >"$work/plan.yaml" <<PLAN
schema: parity.campaign/1
name: serving-round-trip
organisation: parity-ci
country: CN
date: 2026-11-30
hosts:
  - {name: h20-node, chip: h20}
  - {name: ascend-node, chip: ascend-910b}
suites:
  - {name: h20-serve, kind: serve, base-url: "http://127.0.0.1:$port_h", model: llama-3.1-8b, num-prompts: 24,
     max-concurrency: 8, input-len: 2048, output-len: 256, repetitions: 3, hosts: [h20-node],
     chips: 1, engine: simulator, weight-precision: bf16}
  - {name: ascend-serve, kind: serve, base-url: "http://127.0.0.1:$port_a", model: llama-3.1-8b, num-prompts: 24,
     max-concurrency: 8, input-len: 2048, output-len: 256, repetitions: 3, hosts: [ascend-node],
     chips: 1, engine: simulator, weight-precision: bf16}
results: {store: "$work/campaign.sqlite", directory: $work/campaign}
PLAN
    "$bin" campaign run "$work/plan.yaml" --executor local >"$work/campaign-run.txt" 2>&1
    "$bin" campaign report "$work/plan.yaml" --references h20 --out "$work/campaign-report" --json \
        >"$work/campaign-assess.json" 2>/dev/null
    rt_check "$work/campaign-assess.json" measured measured 3
}
