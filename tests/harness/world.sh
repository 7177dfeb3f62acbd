#!/usr/bin/env bash
# The executor-on-a-Docker-network world, rebuilt from real parts in network namespaces:
#   service netns  (10.231.0.2): nginx on :80 serving "hello from nginx <id>", a TCP echo on :7
#   executor netns (10.231.0.1): dnsmasq on 127.0.0.11 answering nginx and echo, and
#                                /etc/netns/<executor>/resolv.conf (nameserver 127.0.0.11, ndots:0)
# joined by a veth pair. Nothing touches the host's network: the subnet exists only between the
# two namespaces. The executor namespace has net.ipv4.ip_unprivileged_port_start=0, as Docker
# sets it. Needs root.
#
#   world.sh up [ID]      create a world (ID: up to 8 letters and digits); prints its facts
#   world.sh down ID      tear it down (idempotent)
#   world.sh run CMD...   up, run CMD in the executor namespace, down (also on error or signal)
#
# Example, from the repository root after ./build.sh rootfs (as in the tests, copy out/ to a
# directory the unprivileged user can read first):
#   tests/harness/world.sh run setpriv --reuid=40000 --regid=40000 --clear-groups -- \
#       /tmp/x/runf --rootfs /tmp/x/rootfs wget -qO- http://nginx/
set -euo pipefail

subnet=10.231.0
service_ip=$subnet.2
executor_ip=$subnet.1
dns_ip=127.0.0.11
wait_tries=100 # of 0.05 s

die() { echo "world.sh: $*" >&2; exit 1; }

names() {
  id=$1
  [[ $id =~ ^[a-z0-9]{1,8}$ ]] || die "invalid world id '$id' (1-8 lowercase letters and digits)"
  svc=rfw-$id-s
  exe=rfw-$id-x
  state=/tmp/runf-world-$id
}

# Waits until CMD succeeds, at most wait_tries times.
wait_for() {
  local what=$1; shift
  for _ in $(seq $wait_tries); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "$what did not come up"
}

up() {
  names "${1:-$(tr -dc a-z0-9 </dev/urandom | head -c 6)}"
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
  [ ! -e "$state" ] || die "world $id exists: world.sh down $id"
  mkdir -p "$state/www"
  chmod 0755 "$state" "$state/www"
  trap down_names EXIT

  ip netns add "$svc"
  ip netns add "$exe"
  ip link add "rfw$id" netns "$exe" type veth peer name "rfw${id}s" netns "$svc"
  ip -n "$svc" link set lo up
  ip -n "$exe" link set lo up
  ip -n "$svc" addr add "$service_ip/24" dev "rfw${id}s"
  ip -n "$exe" addr add "$executor_ip/24" dev "rfw$id"
  ip -n "$svc" link set "rfw${id}s" up
  ip -n "$exe" link set "rfw$id" up
  # As Docker (20.10+) sets in every container's network namespace: a rootless function's
  # CAP_NET_BIND_SERVICE is held in its own user namespace, which does not own this network
  # namespace, so only this sysctl lets it bind port 80.
  ip netns exec "$exe" sysctl -qw net.ipv4.ip_unprivileged_port_start=0

  echo "hello from nginx $id" > "$state/www/index.html"
  chmod 0644 "$state/www/index.html"
  cat > "$state/nginx.conf" <<CONF
user nobody nogroup;
worker_processes 1;
pid $state/nginx.pid;
error_log $state/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $state/body;
  proxy_temp_path $state/proxy;
  fastcgi_temp_path $state/fastcgi;
  server {
    listen $service_ip:80;
    root $state/www;
  }
}
CONF
  ip netns exec "$svc" nginx -c "$state/nginx.conf" -p "$state" -g 'daemon on;'
  # The echo service: busybox nc, persistent (-ll), cat per connection.
  ip netns exec "$svc" setsid busybox nc -ll -p 7 -e /bin/cat </dev/null >/dev/null 2>&1 &
  echo $! > "$state/echo.pid"

  ip netns exec "$exe" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
    --listen-address=$dns_ip --bind-interfaces --port=53 --user=nobody \
    --host-record=nginx,$service_ip --host-record=echo,$service_ip --local=/nginx/ --local=/echo/ \
    --pid-file="$state/dnsmasq.pid" --log-facility="$state/dnsmasq.log" </dev/null >/dev/null 2>&1 &
  echo $! > "$state/dnsmasq.pid.launcher"
  mkdir -p "/etc/netns/$exe"
  printf 'nameserver %s\noptions ndots:0\n' "$dns_ip" > "/etc/netns/$exe/resolv.conf"

  wait_for "nginx" ip netns exec "$exe" timeout 2 busybox wget -qO- "http://$service_ip/"
  wait_for "the echo service" echo_answers
  wait_for "dnsmasq" ip netns exec "$exe" timeout 2 busybox nslookup nginx $dns_ip
  trap - EXIT
  echo "id=$id"
  echo "executor=$exe"
  echo "service=$svc"
  echo "service_ip=$service_ip"
  echo "executor_ip=$executor_ip"
  echo "page=hello from nginx $id"
}

echo_answers() {
  [ "$(echo ping | ip netns exec "$exe" timeout 2 busybox nc "$service_ip" 7)" = ping ]
}

# Kills what runs in the namespaces, deletes them and every file of the world.
down_names() {
  for ns in "$svc" "$exe"; do
    if ip netns list | grep -qw "$ns"; then
      pids=$(ip netns pids "$ns" || true)
      [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
      ip netns del "$ns" || true
    fi
  done
  rm -rf "/etc/netns/$exe" "$state"
}

down() {
  names "${1:?usage: world.sh down ID}"
  down_names
}

run() {
  [ $# -gt 0 ] || die "usage: world.sh run CMD..."
  local world
  world=$(up)
  names "$(sed -n 's/^id=//p' <<<"$world")"
  trap down_names EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  echo "$world" >&2
  local status=0
  ip netns exec "$exe" "$@" || status=$?
  return $status
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) shift; down "$@" ;;
  run) shift; run "$@" ;;
  *) die "usage: world.sh up [ID] | down ID | run CMD..." ;;
esac
