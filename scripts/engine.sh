#!/usr/bin/env bash
# Makes sure a Docker engine answers, for the tests and the demo (not part of tfmon itself).
#   1. an engine already answers (DOCKER_HOST or the default socket): use it;
#   2. else, as root on Debian/Ubuntu: apt-get install docker.io busybox-static, start dockerd, wait;
#   3. else: one clear line saying what to do, exit 1.
# busybox-static is needed on the host too: the simulated TF node image is built from it.
set -u
LOG=${TFMON_DOCKERD_LOG:-/tmp/tfmon-dockerd.log}
WAIT_S=${TFMON_ENGINE_WAIT_S:-30}

say() { printf 'engine: %s\n' "$*" >&2; }
fail() { printf 'engine: %s\n' "$*" >&2; exit 1; }
answers() { command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1; }
is_root() { [ "$(id -u)" = 0 ]; }
have_apt() { command -v apt-get >/dev/null 2>&1; }

# need PATH PACKAGE WHY: installs PACKAGE when PATH is missing (as root with apt), else fails clearly.
need() {
  [ -x "$1" ] && return 0
  if is_root && have_apt; then
    say "installing $2 ($3)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >>"$LOG" 2>&1 ||
      { apt-get update -qq >>"$LOG" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >>"$LOG" 2>&1; } ||
      fail "could not install $2 with apt-get (log: $LOG)"
  else
    fail "$1 is missing: install $2 ($3)"
  fi
}
# The sim image needs a statically linked busybox (its image has no libc): Debian's busybox package
# is dynamically linked, busybox-static is not. ldd says "not a dynamic executable" for a static one.
static_busybox() {
  local b
  for b in /bin/busybox /usr/bin/busybox; do
    [ -x "$b" ] && LC_ALL=C ldd "$b" 2>&1 | grep -q 'not a dynamic executable' && return 0
  done
  return 1
}
need_busybox() {
  static_busybox && return 0
  if is_root && have_apt; then
    say "installing busybox-static (the simulated TF node is built from a static busybox)"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static; }; } >>"$LOG" 2>&1 ||
      fail "could not install busybox-static with apt-get (log: $LOG)"
    static_busybox || fail "busybox-static is installed but no static busybox is in /bin or /usr/bin"
  else
    fail "no static busybox in /bin or /usr/bin: install busybox-static (the simulated TF node is built from it)"
  fi
}
# A service a package started at install is stopped, and its process with it: `service` alone
# fails quietly where there is no init system to ask. Only called right after installing the
# package, so any such process is the package's own, never one the user ran before.
stop_installed() {
  service "$1" stop >>"$LOG" 2>&1 || true
  pkill -x "$2" >>"$LOG" 2>&1 || true
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do pgrep -x "$2" >/dev/null 2>&1 || return 0; sleep 0.5; done
  fail "$2 started by its package did not stop (log: $LOG)"
}
# Only the tests need it: a python3 node like the TensorFlow images is made by mounting the host's.
need_test_tools() {
  [ "${TFMON_ENGINE_FOR:-}" = tests ] || return 0
  need /usr/bin/python3 python3-minimal "the tests mount it into a node to probe like a TensorFlow image"
  need /usr/sbin/ip iproute2 "the tests' second engine runs in a network namespace of its own"
  need /usr/sbin/iptables iptables "the two-host tests drop VXLAN between their hosts' namespaces"
  need /usr/bin/docker-compose docker-compose "the export tests bring an exported Compose file up with Debian's docker-compose"
  need_prometheus
  need_remote_tools
}
# The remote-engine tests: a real sshd (Debian's openssh-server, run by the tests on a loopback port of
# their own; the package's own service on port 22 is stopped again unless it ran before), openssl
# for the TLS engine's certificates, socat to carry that engine's loopback port out of its namespace.
need_remote_tools() {
  if [ ! -x /usr/sbin/sshd ]; then
    if is_root && have_apt; then
      say "installing openssh-server (the remote-engine tests log in through a real sshd on loopback)"
      { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server openssh-client ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server openssh-client; }; } >>"$LOG" 2>&1 ||
        fail "could not install openssh-server with apt-get (log: $LOG)"
      stop_installed ssh sshd
    else
      fail "/usr/sbin/sshd is missing: install openssh-server (the remote-engine tests log in through a real sshd)"
    fi
  fi
  need /usr/bin/ssh openssh-client "tfmon reaches ssh:// engines with the system's ssh"
  need /usr/bin/openssl openssl "the TLS engine's certificates are made with it"
  need /usr/bin/socat socat "the TLS engine's port is carried out of its network namespace with it"
}
# Debian's prometheus (with promtool): the metrics tests scrape tfmon serve with it. Installed without
# its recommends (no node exporter); a service the package starts is stopped again, since the tests
# run their own on a free port (one that was already running is left alone).
need_prometheus() {
  [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] && return 0
  if is_root && have_apt; then
    say "installing prometheus (the metrics tests scrape tfmon serve with a real one)"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; }; } >>"$LOG" 2>&1 ||
      fail "could not install prometheus with apt-get (log: $LOG)"
    stop_installed prometheus prometheus
  else
    fail "prometheus and promtool are missing: install Debian's prometheus package (the metrics tests scrape tfmon with it)"
  fi
}

if answers; then
  need_busybox
  need_test_tools
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ]; then
  fail "DOCKER_HOST=$DOCKER_HOST does not answer: start that engine, or unset DOCKER_HOST to use a local one"
fi

if ! is_root || ! have_apt; then
  fail "no Docker engine answers and this is not root on Debian/Ubuntu: start dockerd yourself (or set DOCKER_HOST), then run this again"
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1 || ! [ -x /bin/busybox ]; then
  say "installing docker.io and busybox-static with apt-get (log: $LOG)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq docker.io busybox-static; } >>"$LOG" 2>&1 ||
    fail "apt-get install docker.io busybox-static failed (log: $LOG)"
fi

# A dockerd that was killed leaves its pid file behind and the next one refuses to start.
# A killed process can linger as a zombie for a moment (nobody reaps it): that counts as gone.
alive() { [ -n "${1:-}" ] && [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
clear_stale() {
  for pidfile in /var/run/docker.pid /run/docker.pid /var/run/docker/containerd/containerd.pid; do
    if [ -f "$pidfile" ] && ! alive "$(cat "$pidfile" 2>/dev/null)"; then rm -f "$pidfile"; fi
  done
}

start_dockerd() {
  clear_stale
  say "starting dockerd (log: $LOG)"
  nohup setsid dockerd >>"$LOG" 2>&1 </dev/null &
  DOCKERD_PID=$!
}

start_dockerd
restarted=0
for _ in $(seq 1 "$WAIT_S"); do
  if answers; then
    say "dockerd answers"
    need_busybox
    need_test_tools
    exit 0
  fi
  # It died at once (typically: the old one's pid file was still held): clear and try once more.
  if ! alive "$DOCKERD_PID" && [ "$restarted" = 0 ]; then
    restarted=1
    sleep 1
    start_dockerd
  fi
  sleep 1
done
fail "dockerd did not answer within ${WAIT_S}s: see $LOG (last line: $(tail -n 1 "$LOG" 2>/dev/null))"
