#!/usr/bin/env bash
# Responsiveness benchmark: while one request deletes KEYS rows (default 1,000,000, named in one
# JSON array body), how fast do GET /health and a GET of one other row answer? Prints the
# p50 / p99 / max latency of each, measured with curl's time_total, idle and during the delete.
#
#   bench/responsiveness.sh [KEYS] [BINARY]
#
# BINARY defaults to a release build of this checkout (in .build-release). Two probe loops run
# side by side, one request at a time each, until the delete has answered (at most 2,000 probes
# each, each probe at most 30 s). Only 127.0.0.1 is used. Needs sqlite3, curl and python3.
set -euo pipefail
keys=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
binary=${2:-}

need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq "${need[@]}" >/dev/null; fi

if [ -z "$binary" ]; then
    echo "building the release binary..."
    swift build -c release --scratch-path "$root/.build-release" --product restable --package-path "$root" >/dev/null
    binary="$root/.build-release/release/restable"
fi

work=$(mktemp -d /tmp/restable-responsiveness.XXXXXX)
server=0
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
cat > bench.yaml <<'YAML'
database: sqlite:bench.sqlite
server: { maxBodySize: 67108864 }
resources:
  item: { key: id, columns: { id: integer, label: text } }
mounts:
  - { path: /api, dialect: native }
YAML
port=18766
url="http://127.0.0.1:$port"

"$binary" serve --config bench.yaml --port $port --log-level warning > server.log 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "$url/health" >/dev/null && break; sleep 0.1; done
kill -TERM $server; wait $server || true   # that first start created the table

fill() {   # KEYS rows to delete, and one more (KEYS + 1) that the probes read
    sqlite3 bench.sqlite "PRAGMA journal_mode=WAL; DELETE FROM item;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $keys + 1)
        INSERT INTO item (id, label) SELECT i, 'item ' || i FROM n;" >/dev/null
}
python3 -c "import sys; n=int(sys.argv[1]); sys.stdout.write('[' + ','.join(map(str, range(1, n + 1))) + ']')" "$keys" > keys.json
row="$url/api/item/$((keys + 1))"

start() {
    "$binary" serve --config bench.yaml --port $port --log-level warning > server.log 2>&1 &
    server=$!
    for _ in $(seq 1 100); do curl -sf "$url/health" >/dev/null && return; sleep 0.1; done
    echo "server did not start"; cat server.log; exit 1
}
stop() { kill -TERM $server; wait $server || true; }

probe() {   # probe URL OUTPUT COUNT [UNTIL_FILE]: COUNT requests one after another (or until UNTIL_FILE exists)
    local i
    for i in $(seq 1 "$3"); do
        if [ -n "${4:-}" ] && [ -e "$4" ]; then break; fi
        curl -s -o /dev/null --max-time 30 -w '%{time_total} %{http_code}\n' "$1" >> "$2" || echo "30 000" >> "$2"
    done
}

stats() {   # stats NAME FILE
    python3 - "$1" "$2" <<'PY'
import sys
name, path = sys.argv[1], sys.argv[2]
rows = [line.split() for line in open(path) if line.strip()]
times = sorted(float(t) * 1000 for t, _ in rows)
failed = sum(1 for _, code in rows if code != "200")
def pct(p):
    return times[min(len(times) - 1, int(round(p / 100 * (len(times) - 1))))]
print(f"  {name:<22} n={len(times):<5} p50 {pct(50):8.1f} ms   p99 {pct(99):8.1f} ms   max {times[-1]:8.1f} ms   non-200 {failed}")
PY
}

fill
start
echo "idle:"
probe "$url/health" idle-health.txt 200
probe "$row" idle-row.txt 200
stats "GET /health" idle-health.txt
stats "GET one row" idle-row.txt
stop

scenario() {   # scenario NAME SCAN: the delete, probed; with SCAN=1 a third client runs full-table scans meanwhile
    fill
    start
    rm -f delete.done busy-*.txt scan.txt
    echo "during a delete of $keys keys in one request$([ "$2" = 1 ] && echo ', with a client running table scans'):"
    (curl -s -o response.json --max-time 600 -w '%{http_code} %{time_total}\n' -X DELETE -H 'Content-Type: application/json' \
        -H 'Prefer: return=minimal' --data-binary @keys.json "$url/api/item" > delete.txt; touch delete.done) &
    sleep 0.2
    local pids=()
    probe "$url/health" busy-health.txt 2000 delete.done & pids+=($!)
    probe "$row" busy-row.txt 2000 delete.done & pids+=($!)
    # A filter on an unindexed column: SQLite reads every row and returns none.
    if [ "$2" = 1 ]; then probe "$url/api/item?label=eq.nothing" scan.txt 2000 delete.done & pids+=($!); fi
    wait "${pids[@]}"
    while [ ! -e delete.done ]; do sleep 0.1; done
    read -r code seconds < delete.txt
    echo "  the delete answered $code after $seconds s"
    stats "GET /health" busy-health.txt
    stats "GET one row" busy-row.txt
    if [ "$2" = 1 ]; then stats "GET scan (no rows)" scan.txt; fi
    stop
}

scenario delete 0
scenario delete-and-scans 1
