#!/usr/bin/env bash
# The tests use real servers and real network namespaces (docs/architecture.md, "Testing"). Fail loudly, never skip,
# when something they need is missing, and say how to get it.
set -u
missing=()
for bin in nats-server prometheus promtool etcd ip iptables busybox; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
if [ ! -x /usr/bin/chromium ]; then missing+=("chromium"); fi
if [ ! -x /usr/bin/nc.openbsd ]; then missing+=("nc (netcat-openbsd)"); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "missing test prerequisites: ${missing[*]}" >&2
  echo "install them with: apt-get update && apt-get install -y nats-server prometheus etcd-server iproute2 iptables netcat-openbsd busybox chromium" >&2
  echo "(or run: bash .ci/run, which installs everything and runs the tests)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "the network-namespace tests need root (ip netns, iptables); run as root or via: sudo bash .ci/run" >&2
  exit 1
fi
