#!/usr/bin/env bash
# Makes the real PyTorch image the tests and `tfmon up --framework pytorch` run: Debian bookworm's
# python3-torch (1.13, CPU, gloo) and python3-tqdm in a root file system made by debootstrap and
# imported with `docker import` (no registry is needed), then sim/ddp_train.py copied in.
#   bash scripts/torch-image.sh        prints the image's name (tfmon-torch:<tag>) on stdout
# Cached twice: the root file system by its package set (minutes, ~1.6 GB: done once per machine),
# the image by the package set and the training script (seconds). Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES=python3-torch,python3-tqdm
SUITE=bookworm
say() { printf 'torch-image: %s\n' "$*" >&2; }
fail() { printf 'torch-image: %s\n' "$*" >&2; exit 1; }

base_tag=$(printf '%s %s v1' "$SUITE" "$PACKAGES" | sha256sum | cut -c1-12)
# The layer on top: the training script and the torchrun fix below, as this file makes them.
script_tag=$(cat sim/ddp_train.py scripts/torch-image.sh | sha256sum | cut -c1-8)
base="tfmon-torch-base:$base_tag"
image="tfmon-torch:$base_tag-$script_tag"

if docker image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi

if ! docker image inspect "$base" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null 2>&1 || {
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || fail "debootstrap is missing: apt-get install debootstrap (as root), then run this again"
    say "installing debootstrap"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }; } >&2 || fail "could not install debootstrap"
  }
  # The machine's own Debian mirror, as apt uses it.
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n 1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d /var/tmp/tfmon-torch-root.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  started=$(date +%s)
  say "building $base: debootstrap $SUITE with $PACKAGES from $mirror (a few minutes, ~1.6 GB; once per machine)"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$mirror" >&2 || fail "debootstrap failed (see above)"
  # Nothing of apt's caches in the image.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  say "importing $base ($(du -sh "$root" | cut -f1))"
  tar -C "$root" -c . | docker import -c 'CMD ["python3"]' -c 'ENV OMP_NUM_THREADS=1' - "$base" >/dev/null || fail "docker import failed"
  rm -rf "$root"
  trap - EXIT
  say "$base made in $(( $(date +%s) - started )) s"
fi

# The training script in its own small layer: a change to it costs seconds, not a debootstrap.
# Debian's torchrun (torch 1.13) dies at start on Python 3.11: `Std.from_str` looks its value up by
# iterating an IntFlag, which no longer yields NONE (0) nor ALL (3), and gets None. One line makes
# it build the flag from its value, as later torch does; checked before the image is kept.
api=/usr/lib/python3/dist-packages/torch/distributed/elastic/multiprocessing/api.py
container=$(docker create --label tfmon.build=torch-image "$base" sh -c "sed -i 's/^\( *\)v = int(v)\$/\1return Std(int(v))/' $api &&
  python3 -c 'from torch.distributed.elastic.multiprocessing.api import Std; assert Std.from_str(\"0\") is Std.NONE and Std.from_str(\"3\") is Std.ALL'")
trap 'docker rm -f "$container" >/dev/null 2>&1' EXIT
docker start -a "$container" >&2 || fail "could not fix torchrun in $base"
docker cp sim/ddp_train.py "$container:/opt/ddp_train.py" >&2
docker commit -c 'CMD ["python3", "/opt/ddp_train.py"]' -c 'ENV OMP_NUM_THREADS=1' -c 'ENV PYTHONUNBUFFERED=1' "$container" "$image" >/dev/null
say "$image ready"
echo "$image"
