#!/bin/sh
# tfsim: a simulated TensorFlow task for tfmon's tests and demo (busybox sh, no Python).
# Reads TF_CONFIG like a real task, listens on its task's port, prints training-like logs.
# Knobs (env):
#   SIM_PORT=N           port to listen on (default: from TF_CONFIG, else 2222)
#   SIM_NO_LISTEN=1      do not listen (a "port nobody listens on")
#   SIM_BURN_CPU=1       keep one core busy
#   SIM_ALLOC_MB=N       hold N MiB of memory
#   SIM_EXIT=CODE        exit with CODE ...
#   SIM_EXIT_AFTER=S     ... after S seconds (default 3)
#   SIM_STEP_S=S         seconds between log lines (default 1)

cfg=${TF_CONFIG:-}
# The task part of TF_CONFIG; enough JSON for the flat shapes tfmon and people write.
task=$(printf '%s' "$cfg" | tr -d '\n' | sed -n 's/.*"task"[[:space:]]*:[[:space:]]*{\([^}]*\)}.*/\1/p')
type=$(printf '%s' "$task" | sed -n 's/.*"type"[[:space:]]*:[[:space:]]*"\([A-Za-z_]*\)".*/\1/p')
index=$(printf '%s' "$task" | sed -n 's/.*"index"[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p')
port=${SIM_PORT:-}
if [ -z "$port" ] && [ -n "$type" ] && [ -n "$index" ]; then
  list=$(printf '%s' "$cfg" | tr -d '\n' | sed -n "s/.*\"$type\"[[:space:]]*:[[:space:]]*\[\([^]]*\)\].*/\1/p")
  addr=$(printf '%s' "$list" | tr ',' '\n' | sed -n "$((index + 1))p" | tr -d ' "')
  port=${addr##*:}
fi
case "$port" in ''|*[!0-9]*) port=2222 ;; esac
[ -n "$type" ] || type=unknown
[ -n "$index" ] || index=0

echo "tfsim: task ${type}:${index} starting, TF_CONFIG $( [ -n "$cfg" ] && echo present || echo missing )"
[ -n "$cfg" ] || echo "W tfsim: TF_CONFIG is not set; running as ${type}:${index}" >&2

if [ "${SIM_NO_LISTEN:-}" = 1 ]; then
  echo "W tfsim: SIM_NO_LISTEN=1, not listening on ${port}" >&2
else
  mkdir -p /srv && echo ok >/srv/index.html
  httpd -f -p "$port" -h /srv &
  echo "I tfsim: Started server with target: grpc://0.0.0.0:${port}"
fi

if [ "${SIM_BURN_CPU:-}" = 1 ]; then
  (while :; do :; done) &
  echo "W tfsim: SIM_BURN_CPU=1, burning one core" >&2
fi

if [ -n "${SIM_ALLOC_MB:-}" ]; then
  # awk keeps the string resident; the touch of every byte makes the pages real.
  awk -v mb="$SIM_ALLOC_MB" 'BEGIN { s = sprintf("%" mb * 1048576 "s", ""); gsub(/ /, "x", s); print "I tfsim: holding " mb " MiB"; fflush(); while (1) system("sleep 3600") }' &
fi

if [ -n "${SIM_EXIT:-}" ]; then
  sleep "${SIM_EXIT_AFTER:-3}"
  echo "E tfsim: fatal: exiting with code ${SIM_EXIT} (SIM_EXIT)" >&2
  echo "Traceback (most recent call last): tfsim simulated crash" >&2
  exit "$SIM_EXIT"
fi

trap 'echo "I tfsim: stopping on signal"; exit 0' TERM INT
step=0
seed=$(( $(date +%s) + index * 7919 ))
while :; do
  step=$((step + 1))
  seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
  # loss falls as 2.5*20/(step+20) with jitter (busybox awk has no sqrt); throughput jitters around 1200 examples/sec.
  awk -v s="$step" -v r="$seed" 'BEGIN { j = (r % 1000) / 1000; printf "I tfsim: step %d loss %.4f examples/sec %.1f\n", s, 50 / (s + 20) + j * 0.05, 1100 + j * 200 }'
  if [ $((step % 20)) -eq 0 ]; then
    echo "W tfsim: step ${step}: input pipeline stalled for 12ms" >&2
  fi
  sleep "${SIM_STEP_S:-1}" &
  wait $!
done
