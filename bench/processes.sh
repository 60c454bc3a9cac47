# Sourced by the load benches: the processes a bench starts (PIDS), a private
# Redis among them, and stopping them all when it ends.

PIDS=()

# Stop every started process, newest first: an app stops before the cache and
# emulators it calls (its queued requests would otherwise log their errors).
stop_processes() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill "${PIDS[i]}" 2>/dev/null || true
    wait "${PIDS[i]}" 2>/dev/null || true
  done
}

# A private redis-server on port $1, answering when this returns; its URL in
# REDIS_CACHE_URL.
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no \
    --loglevel warning >/dev/null &
  PIDS+=($!)
  for _ in $(seq 50); do redis-cli -p "$1" ping >/dev/null 2>&1 && break; sleep 0.1; done
  REDIS_CACHE_URL="redis://127.0.0.1:$1/0"
}
