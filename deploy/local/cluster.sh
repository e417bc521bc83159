#!/usr/bin/env bash
# A multi-process RerankCluster on one machine: redis-server on a loopback port (persistence on),
# N silo processes that find each other through Redis, and one gateway process.
#
#   deploy/local/cluster.sh start [--silos 2] [--http-port 8080] [--redis-port 6390] [--dir .runs/local]
#                                 [--configuration Release] [--no-build]
#   deploy/local/cluster.sh status [--dir .runs/local]
#   deploy/local/cluster.sh stop   [--dir .runs/local]
#   deploy/local/cluster.sh kill-silo N | stop-silo N | freeze-silo N | thaw-silo N | start-silo N
#                           | stop-redis | kill-redis | start-redis   [--dir …]
#     (fault drills: SIGKILL a silo, stop it gracefully, SIGSTOP / SIGCONT it, start silo N (a
#      replacement or an extra one), stop Redis gracefully or SIGKILL it, and start it again on its
#      persisted data)
#
# Durable acknowledgement: Redis fsyncs every write before replying (appendfsync always) and the silos
# run Storage:Durability=Fsync, which checks that at start-up.
#
# The admin key is $RERANK_ADMIN_KEY, or one generated into <dir>/admin-key. Any other setting can be
# passed as an environment variable (e.g. CrossEncoder__Model=…); every process inherits them. Settings
# for one silo only go in <dir>/silo-N.env before it starts (e.g. a faster simulated accelerator).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command="${1:-}"; shift || true
target=""
if [[ "$command" == kill-silo || "$command" == stop-silo || "$command" == freeze-silo || "$command" == thaw-silo || "$command" == start-silo ]]; then target="${1:?$command needs a silo number}"; shift; fi
silos=2 http_port=8080 redis_port=6390 dir="$root/.runs/local" configuration=Release build=1
silo_base=11111 gateway_base=30000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --silos) silos="$2"; shift 2 ;;
    --http-port) http_port="$2"; shift 2 ;;
    --redis-port) redis_port="$2"; shift 2 ;;
    --silo-base-port) silo_base="$2"; shift 2 ;;
    --gateway-base-port) gateway_base="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --configuration) configuration="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # url, seconds, what
  for _ in $(seq 1 "$2"); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "cluster.sh: $3 did not become ready; see $dir/*.log" >&2
  return 1
}

start_redis() {
  # appendonly: losing the membership table to a Redis restart leaves silos looping.
  # appendfsync always: an acknowledged write is on disk, even if the host dies (Storage:Durability=Fsync).
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --appendonly yes --appendfsync always --save "" \
    >> "$dir/redis.log" 2>&1 &
  echo $! > "$dir/redis.pid"
  for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
}

start_silo() { # index; <dir>/silo-N.env (KEY=value lines), when present, adds settings for that silo only
  (
    if [[ -f "$dir/silo-$1.env" ]]; then set -a; source "$dir/silo-$1.env"; set +a; fi
    Clustering__SiloPort=$((silo_base + $1)) Clustering__GatewayPort=$((gateway_base + $1)) \
      exec dotnet "$root/src/Silo/bin/$configuration/net10.0/RerankCluster.Silo.dll" >> "$dir/silo-$1.log" 2>&1
  ) &
  echo $! > "$dir/silo-$1.pid"
}

load_env() {
  [[ -f "$dir/cluster.env" ]] || { echo "cluster.sh: no cluster was started in $dir" >&2; exit 1; }
  # shellcheck disable=SC1091
  source "$dir/cluster.env"
  export Clustering__Provider=Redis Clustering__RedisConnectionString="127.0.0.1:$redis_port" Storage__Provider=Redis Storage__Durability=Fsync
}

start() {
  command -v redis-server >/dev/null || { echo "cluster.sh: redis-server is not installed (apt-get install -y redis-server)" >&2; exit 1; }
  mkdir -p "$dir/redis"
  if [[ $build -eq 1 ]]; then
    dotnet build "$root/src/Silo/Silo.csproj" -c "$configuration" -nologo -v quiet >/dev/null
    dotnet build "$root/src/Gateway/Gateway.csproj" -c "$configuration" -nologo -v quiet >/dev/null
  fi
  local key="${RERANK_ADMIN_KEY:-}"
  if [[ -z "$key" ]]; then
    [[ -f "$dir/admin-key" ]] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir/admin-key"
    key="$(cat "$dir/admin-key")"
  fi

  # What later verbs (start-silo, start-redis) need to start processes the same way.
  printf 'redis_port=%s\nsilo_base=%s\ngateway_base=%s\nconfiguration=%s\n' "$redis_port" "$silo_base" "$gateway_base" "$configuration" > "$dir/cluster.env"
  start_redis
  export Clustering__Provider=Redis Clustering__RedisConnectionString="127.0.0.1:$redis_port" Storage__Provider=Redis Storage__Durability=Fsync
  for ((i = 0; i < silos; i++)); do start_silo "$i"; done
  RERANK_ADMIN_KEY="$key" ASPNETCORE_URLS="http://127.0.0.1:$http_port" \
    dotnet "$root/src/Gateway/bin/$configuration/net10.0/RerankCluster.Gateway.dll" > "$dir/gateway.log" 2>&1 &
  echo $! > "$dir/gateway.pid"
  echo "$http_port" > "$dir/http-port"

  wait_for "http://127.0.0.1:$http_port/readyz" 180 "the gateway"
  # Shards are placed over the silos active when an index is created: wait for all of them.
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$http_port/readyz" 2>/dev/null | grep -q "\"active_silos\":$silos[,}]" && break
    sleep 1
  done
  curl -fsS "http://127.0.0.1:$http_port/readyz" | grep -q "\"active_silos\":$silos[,}]" \
    || { echo "cluster.sh: not all $silos silos joined; see $dir/silo-*.log" >&2; exit 1; }
  sleep 2 # silo metadata (roles) reaches every member shortly after it joins
  echo "RerankCluster: $silos silos + gateway on http://127.0.0.1:$http_port (Redis 127.0.0.1:$redis_port)"
  echo "admin key: $key"
}

status() {
  local any=0
  for pid in "$dir"/*.pid; do
    [[ -e "$pid" ]] || continue
    if alive "$pid"; then echo "$(basename "$pid" .pid): running (pid $(cat "$pid"))"; any=1; else echo "$(basename "$pid" .pid): stopped"; fi
  done
  [[ $any -eq 1 ]]
}

signal_and_wait() { # signal, seconds, pid files…
  local signal="$1" seconds="$2"; shift 2
  for pid in "$@"; do [[ -e "$pid" ]] && alive "$pid" && kill "-$signal" "$(cat "$pid")" 2>/dev/null || true; done
  for _ in $(seq 1 $((seconds * 10))); do
    local running=0
    for pid in "$@"; do [[ -e "$pid" ]] && alive "$pid" && running=1; done
    [[ $running -eq 0 ]] && return 0
    sleep 0.1
  done
}

stop() {
  # Gateway and silos leave the cluster first; Redis last, so it can record that and save.
  signal_and_wait TERM 20 "$dir"/gateway.pid "$dir"/silo-*.pid
  signal_and_wait TERM 10 "$dir"/redis.pid
  signal_and_wait KILL 5 "$dir"/*.pid
  rm -f "$dir"/*.pid
  echo "RerankCluster stopped"
}

case "$command" in
  start) start ;;
  kill-silo) signal_and_wait KILL 5 "$dir/silo-$target.pid"; echo "silo $target killed" ;;
  stop-silo) signal_and_wait TERM 30 "$dir/silo-$target.pid"; signal_and_wait KILL 5 "$dir/silo-$target.pid"; echo "silo $target stopped" ;;
  freeze-silo) kill -STOP "$(cat "$dir/silo-$target.pid")"; echo "silo $target frozen (SIGSTOP)" ;;
  thaw-silo) kill -CONT "$(cat "$dir/silo-$target.pid")"; echo "silo $target thawed (SIGCONT)" ;;
  start-silo) load_env; start_silo "$target"; echo "silo $target started (pid $(cat "$dir/silo-$target.pid"))" ;;
  stop-redis) signal_and_wait TERM 10 "$dir/redis.pid"; echo "redis stopped" ;;
  kill-redis) signal_and_wait KILL 5 "$dir/redis.pid"; echo "redis killed" ;;
  start-redis) load_env; start_redis; echo "redis started (pid $(cat "$dir/redis.pid"))" ;;
  status) status ;;
  stop) stop ;;
  *) echo "usage: $0 start|status|stop|kill-silo N|stop-silo N|freeze-silo N|thaw-silo N|start-silo N|stop-redis|kill-redis|start-redis [options]" >&2; exit 2 ;;
esac
