#!/usr/bin/env bash
# Records real nvidia-smi output into $OUT (on a machine with an NVIDIA GPU) for tfmon's fixtures:
# the fields tfmon queries, idle and under load (one process burning the GPU with matrix products,
# one only holding memory), with headers and units as nvidia-smi prints them, plus the exact
# noheader,nounits bytes tfmon parses, and the cost of one call. Needs python3 with torch for the load.
set -uo pipefail
OUT=${OUT:-/tmp/smi-out}; mkdir -p "$OUT"
GPU=index,uuid,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw
APP=pid,process_name,used_memory,gpu_uuid
smi() { nvidia-smi "$@" 2>&1; echo "# exit $?"; }
{ nvidia-smi --version; nvidia-smi -L; uname -r; date -u +%FT%TZ; } > "$OUT/about.txt" 2>&1
smi --query-gpu=$GPU --format=csv > "$OUT/idle-gpus.csv"
smi --query-compute-apps=$APP --format=csv > "$OUT/idle-apps.csv"
smi --query-gpu=$GPU --format=csv,noheader,nounits > "$OUT/idle-gpus.raw"
# Cost of one query as tfmon makes it (wall ms, 20 calls).
python3 - > "$OUT/cost.txt" <<'PY'
import subprocess, time, statistics
for q in ["--query-gpu=index,uuid,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw", "--query-compute-apps=pid,used_memory,gpu_uuid"]:
    t = []
    for _ in range(20):
        s = time.perf_counter(); subprocess.run(["nvidia-smi", q, "--format=csv,noheader,nounits"], capture_output=True); t.append((time.perf_counter() - s) * 1000)
    print(q.split("=")[0], "median_ms=%.1f" % statistics.median(t), "max_ms=%.1f" % max(t))
PY
cat > /tmp/burn.py <<'PY'
import sys, time, torch
gib = int(sys.argv[1]); burn = sys.argv[2] == "burn"
hold = torch.empty(gib << 30, dtype=torch.uint8, device="cuda")
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
end = time.time() + 25
while time.time() < end:
    if burn: (a @ a).sum().item()
    else: time.sleep(0.5)
PY
python3 /tmp/burn.py 20 burn & B=$!
python3 /tmp/burn.py 4 hold & H=$!
sleep 12
smi --query-gpu=$GPU --format=csv > "$OUT/load-gpus.csv"
smi --query-compute-apps=$APP --format=csv > "$OUT/load-apps.csv"
smi --query-gpu=$GPU --format=csv,noheader,nounits > "$OUT/load-gpus.raw"
smi --query-compute-apps=pid,used_memory,gpu_uuid --format=csv,noheader,nounits > "$OUT/load-apps.raw"
echo "burn=$B hold=$H" >> "$OUT/about.txt"
wait
ls -la "$OUT"; cat "$OUT"/*
