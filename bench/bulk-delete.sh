#!/usr/bin/env bash
# Bulk-delete benchmark: Restable (release build, real HTTP) against raw SQL on the same
# database in the same run. Prints wall times, the ratio, and the server's peak resident memory.
#
#   bench/bulk-delete.sh [KEYS] [CASCADE_PARENTS] [CHILDREN_PER_PARENT]
#
# Scenario 1 deletes KEYS rows (default 1,000,000) named in one JSON array body.
# Scenario 2 deletes CASCADE_PARENTS rows (default 1,000) whose CHILDREN_PER_PARENT children
# each (default 100, so 100,000 descendants) go by cascade.
# Only 127.0.0.1 is used. Needs sqlite3 and curl (installed with apt-get when missing).
set -euo pipefail
keys=${1:-1000000}
parents=${2:-1000}
children=${3:-100}
root=$(cd "$(dirname "$0")/.." && pwd)

need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq "${need[@]}" >/dev/null; fi

echo "building the release binary..."
swift build -c release --scratch-path "$root/.build-release" --product restable --package-path "$root" >/dev/null
binary="$root/.build-release/release/restable"

work=$(mktemp -d /tmp/restable-bench.XXXXXX)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
cat > bench.yaml <<'YAML'
database: sqlite:bench.sqlite
server: { maxBodySize: 67108864 }
resources:
  item: { key: id, columns: { id: integer, label: text } }
  part: { key: id, columns: { id: integer, item_id: integer required } }
relationships:
  - { parent: item, child: part, columns: [item_id], onDelete: cascade }
mounts:
  - { path: /api, dialect: native }
YAML
port=18765
server=0

start() {
    "$binary" serve --config bench.yaml --port $port --log-level warning > server.log 2>&1 &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.1; done
    echo "server did not start"; cat server.log; exit 1
}
stop() { kill -TERM $server; wait $server || true; }
now() { date +%s.%N; }

start; stop    # creates the tables
base=$(mktemp -d "$work/base.XXXX")
cp bench.sqlite "$base/empty.sqlite"

fill() {   # fill ITEMS PARTS_PER_ITEM
    cp "$base/empty.sqlite" bench.sqlite
    sqlite3 bench.sqlite "PRAGMA journal_mode=WAL;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
        INSERT INTO item (id, label) SELECT i, 'item ' || i FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1 * $2)
        INSERT INTO part (id, item_id) SELECT i, (i - 1) / $2 + 1 FROM n WHERE $2 > 0;" >/dev/null
}

keyfile() {   # keyfile COUNT -> keys.json
    python3 -c "import sys; n=int(sys.argv[1]); sys.stdout.write('[' + ','.join(map(str, range(1, n + 1))) + ']')" "$1" > keys.json
}

raw() {   # the same delete in raw SQL, through the sqlite3 shell, with foreign keys on
    fill "$1" "$2"
    local t0 t1
    t0=$(now)
    sqlite3 bench.sqlite "PRAGMA foreign_keys=ON; BEGIN IMMEDIATE;
        DELETE FROM part WHERE item_id IN (SELECT value FROM json_each(readfile('keys.json')));
        DELETE FROM item WHERE id IN (SELECT value FROM json_each(readfile('keys.json'))); COMMIT;"
    t1=$(now)
    echo "$t1 - $t0" | bc
}

restable() {   # the delete through Restable; prints seconds, peak RSS in MiB, and the counts
    fill "$1" "$2"
    start
    local seconds rss counts
    seconds=$(curl -s -o response.json -w '%{time_total}' -X DELETE -H 'Content-Type: application/json' \
        -H 'Prefer: return=minimal' --data-binary @keys.json "http://127.0.0.1:$port/api/item")
    rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' /proc/$server/status)
    counts=$(python3 -c "import json; print(json.load(open('response.json'))['counts'])")
    stop
    echo "$seconds $rss $counts"
}

report() {   # report NAME ITEMS PARTS KEYS
    keyfile "$4"
    local rawtime result
    rawtime=$(raw "$2" "$3")
    result=$(restable "$2" "$3")
    set -- "$1" "$rawtime" $result
    printf '%s\n  raw SQL   %8.3f s\n  Restable  %8.3f s   (%.1fx raw)   peak RSS %s MiB\n  counts    %s\n' \
        "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)" "$4" "${*:5}"
}

report "delete $keys rows by a JSON array of keys" "$keys" 0 "$keys"
report "delete $parents rows with $((parents * children)) descendants by cascade" "$parents" "$children" "$parents"
