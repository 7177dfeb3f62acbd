# Shared by bench/serve/run.sh and bench/serve/openwhisk.sh, sourced from the checkout's top
# once $bench (the name their messages start with), $out and $bench_uid are set. make_work sets
# $work; $server holds the pid of the agent being measured, if any.
server=""
work=""
failed=0

# out/ must hold runf, runf-serve, runf-serve-baselines and the busybox rootfs (built if missing).
require_out() {
  if [ ! -x "$out/runf" ] || [ ! -x "$out/runf-serve" ] || [ ! -x "$out/runf-serve-baselines" ] || [ ! -d "$out/rootfs/action" ]; then
    [ "$out" = out ] || { echo "$bench: $out lacks runf, runf-serve, runf-serve-baselines or rootfs (with its /action)" >&2; exit 1; }
    ./build.sh rootfs
  fi
}

# The checkout's parents may be unreadable by the bench user: work on copies in a world-readable
# /tmp/runf-bench-NAME.* ($work) of out/'s binaries and rootfs and the given files. As root, the
# agents run as $bench_uid (as_user), which owns $work; agent_uid is the uid they run as.
make_work() {
  local name=$1
  shift
  work=$(mktemp -d "/tmp/runf-bench-$name.XXXXXX")
  chmod 755 "$work"
  cp -a "$out/runf" "$out/runf-serve" "$out/runf-serve-baselines" "$out/rootfs" "$@" "$work/"
  if [ "$(id -u)" = 0 ]; then
    chown "$bench_uid:$bench_uid" "$work"
    as_user=(setpriv --reuid="$bench_uid" --regid="$bench_uid" --clear-groups env -u XDG_RUNTIME_DIR HOME="$work")
    agent_uid=$bench_uid
  else
    as_user=()
    agent_uid=$(id -u)
  fi
}

fail() {
  echo "$bench: $*" >&2
  failed=1
}

# Kills the agent left running, if any, and removes the work directory: the EXIT trap.
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A port nothing listens on, from $1 upwards in steps of 10 (port+1 serves the metrics).
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null; do
    p=$((p + 10))
  done
  echo "$p"
}
