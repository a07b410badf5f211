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
#   SIM_STEP_S=S         seconds between progress reports (default 1; Keras: an epoch's time)
#   SIM_FORMAT=F         estimator (default: TF1 hooks' loss/step and global_step/sec lines on stderr),
#                        keras (Model.fit verbose=2: one line per epoch), keras-bar (verbose=1: a bar
#                        rewritten with \b and \r), or plain (tfsim's own "step N loss X" lines)
#   SIM_SLOW=F           take F times as long per report (a straggler)
#   SIM_STALL_AFTER=N    stop making progress after N reports, staying alive and quiet
#   SIM_EPOCHS=N         Keras: epochs (default 10); SIM_STEPS=N steps per epoch (default 20)
#   SIM_WAIT_FOR=TASK    do not train: print TensorFlow's "CreateSession still waiting for response
#                        from worker: TASK" (e.g. /job:worker/replica:0/task:1) every SIM_WAIT_S (10)

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
nap() { sleep "$1" & wait $!; }
# The time of one report, SIM_SLOW times SIM_STEP_S.
interval=$(awk -v s="${SIM_STEP_S:-1}" -v f="${SIM_SLOW:-1}" 'BEGIN { printf "%.3f", s * f }')
stall_after=${SIM_STALL_AFTER:-}
case "$stall_after" in *[!0-9]*) stall_after= ;; esac
stall() { while :; do nap 3600; done; }

if [ -n "${SIM_WAIT_FOR:-}" ]; then
  # master.cc's line, as TensorFlow's C++ logging prints it, while a task does not answer.
  while :; do
    echo "$(date -u '+%Y-%m-%d %H:%M:%S').000000: I tensorflow/core/distributed_runtime/master.cc:267] CreateSession still waiting for response from worker: ${SIM_WAIT_FOR}" >&2
    nap "${SIM_WAIT_S:-10}"
  done
fi

# A parameter server serves variables and prints no progress of its own.
if [ "$type" = ps ] && [ -z "${SIM_FORMAT:-}" ]; then stall; fi

step=0
report=0
seed=$(( $(date +%s) + index * 7919 ))
format=${SIM_FORMAT:-estimator}
epochs=${SIM_EPOCHS:-10}
steps=${SIM_STEPS:-20}
case "$format" in
estimator)
  # basic_session_run_hooks: the first loss line has no time; then every report the step counter's
  # global_step/sec and the logging hook's loss with this task's own seconds for the report.
  echo "INFO:tensorflow:loss = 2.5000, step = 0" >&2
  while :; do
    [ -n "$stall_after" ] && [ "$report" -ge "$stall_after" ] && stall
    nap "$interval"
    report=$((report + 1)); step=$((step + 100))
    seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
    awk -v s="$step" -v r="$seed" -v t="$interval" 'BEGIN { j = (r % 1000) / 1000; d = t * (0.97 + j * 0.06);
      printf "INFO:tensorflow:global_step/sec: %g\n", 100 / d;
      printf "INFO:tensorflow:loss = %.6f, step = %d (%.3f sec)\n", 2.5 * 20 / (s / 100 + 20) + j * 0.05, s, d }' >&2
    [ $((report % 20)) -eq 0 ] && echo "W tfsim: step ${step}: input pipeline stalled for 12ms" >&2
  done ;;
keras|keras-bar)
  e=0
  while [ "$e" -lt "$epochs" ]; do
    e=$((e + 1))
    echo "Epoch ${e}/${epochs}"
    if [ "$format" = keras-bar ]; then
      # Keras's bar: every step rewrites the line (backspaces over it, then a carriage return).
      k=0; width=0
      while [ "$k" -lt "$steps" ]; do
        [ -n "$stall_after" ] && [ "$report" -ge "$stall_after" ] && stall
        nap "$(awk -v t="$interval" -v n="$steps" 'BEGIN { printf "%.3f", t / n }')"
        k=$((k + 1))
        line=$(awk -v k="$k" -v n="$steps" -v e="$e" -v t="$interval" 'BEGIN { w = int(30 * k / n); b = ""; for (i = 1; i < w; i++) b = b "="; if (w > 0) b = b (k < n ? ">" : "="); while (length(b) < 30) b = b ".";
          d = length(n ""); loss = 2.5 / (e + k / n) ; per = t / n;
          if (k < n) printf "%" d "d/%d [%s] - ETA: %ds - loss: %.4f - accuracy: %.4f", k, n, b, per * (n - k), loss, 1 - loss / 3;
          else printf "%d/%d [%s] - %ds %dms/step - loss: %.4f - accuracy: %.4f", k, n, b, t, per * 1000, loss, 1 - loss / 3 }')
        printf '%s\r%s' "$(printf '%*s' "$width" '' | tr ' ' '\b')" "$line"
        width=${#line}
      done
      printf '\n'
    else
      [ -n "$stall_after" ] && [ "$report" -ge "$stall_after" ] && stall
      nap "$interval"
      awk -v n="$steps" -v e="$e" -v t="$interval" 'BEGIN { loss = 2.5 / (e + 1); printf "%d/%d - %ds - loss: %.4f - accuracy: %.4f - %ds/epoch - %dms/step\n", n, n, t, loss, 1 - loss / 3, t, t / n * 1000 }'
    fi
    report=$((report + 1))
  done
  echo "I tfsim: training done (${epochs} epochs)"
  stall ;;
*)
  while :; do
    [ -n "$stall_after" ] && [ "$report" -ge "$stall_after" ] && stall
    step=$((step + 1)); report=$((report + 1))
    seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
    # loss falls as 2.5*20/(step+20) with jitter (busybox awk has no sqrt); throughput jitters around 1200 examples/sec.
    awk -v s="$step" -v r="$seed" 'BEGIN { j = (r % 1000) / 1000; printf "I tfsim: step %d loss %.4f examples/sec %.1f\n", s, 50 / (s + 20) + j * 0.05, 1100 + j * 200 }'
    if [ $((step % 20)) -eq 0 ]; then
      echo "W tfsim: step ${step}: input pipeline stalled for 12ms" >&2
    fi
    nap "$interval"
  done ;;
esac
