#!/usr/bin/env bash
# Builds the fuzzers (Fuzz/build.sh) and runs each for a bounded time.
#
#   bash Fuzz/run.sh [seconds-per-target] [Target ...]
#
# seconds-per-target defaults to 60; the targets default to every folder in Fuzz/Sources.
# FUZZ_SEED (default 1) seeds libFuzzer's random choices, so that a run is repeatable up to its
# time limit; FUZZ_SEED=0 lets libFuzzer pick a seed of its own.
# Each fuzzer starts from its committed seed corpus, Fuzz/corpus/<Target>/ (read only), and
# keeps what it learns in Fuzz/.build/corpus/<Target>/ for the next run. A crash, a broken
# invariant, a timeout or running out of memory is written to Fuzz/artifacts/<Target>/ and makes
# the script exit 1 (after running the other targets). Neither folder is committed.
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-60}"
[ $# -gt 0 ] && shift
case "$seconds" in '' | *[!0-9]*) echo "usage: $0 [seconds-per-target] [Target ...]" >&2; exit 2 ;; esac

started=$SECONDS
bash "$fuzz/build.sh" "$@"
echo "built in $((SECONDS - started)) s"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cd "$fuzz/Sources" && ls -d Fuzz* | sort)
fi

# Swift's own backtracer would take over libFuzzer's crash handling (and is slow); ASan's leak
# checker reports the Swift runtime's never-freed caches, which are not leaks of the parsers.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

failed=()
for target in "${targets[@]}"; do
    corpus="$fuzz/.build/corpus/$target"
    artifacts="$fuzz/artifacts/$target"
    log="$fuzz/.build/$target.log"
    mkdir -p "$corpus" "$artifacts" "$fuzz/corpus/$target"
    status=0
    "$fuzz/.build/bin/$target" "$corpus" "$fuzz/corpus/$target" \
        -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$status" -eq 0 ]; then
        printf '%-22s ok      %12s runs in %s s\n' "$target" "${runs:-?}" "$seconds"
    else
        failed+=("$target")
        printf '%-22s FAILED  (exit %s) after %s runs; log: %s\n' "$target" "$status" "${runs:-?}" "$log"
        grep -m1 -E 'INVARIANT BROKEN|ERROR: AddressSanitizer|ERROR: libFuzzer|Fatal error|deadly signal' "$log" || true
        ls -t "$artifacts" | head -3 | sed "s|^|    artifact: $artifacts/|"
    fi
done
echo "total $((SECONDS - started)) s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzers that found something: ${failed[*]}" >&2
    exit 1
fi
