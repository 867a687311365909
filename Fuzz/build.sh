#!/usr/bin/env bash
# Builds the libFuzzer targets under Fuzz/Sources/<Target>/ into Fuzz/.build/bin/<Target>.
#
# The fuzzers are not part of the main Package.swift (that would slow `swift test`): this
# script compiles the parser sources of RestableHTTP that they exercise, with libFuzzer's
# coverage instrumentation and AddressSanitizer, as a module named RestableHTTP, against
# RestableCore and the two small packages it needs (swift-log, swift-http-types) taken from
# the package's own checkouts. Usage: bash Fuzz/build.sh [Target ...] (default: every target).
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$fuzz")"
out="$fuzz/.build"
bin="$out/bin"
mkdir -p "$out/modules" "$bin"

swiftc="${SWIFTC:-swiftc}"
checkouts="$root/.build/checkouts"
if [ ! -d "$checkouts/swift-log/Sources/Logging" ] || [ ! -d "$checkouts/swift-http-types/Sources/HTTPTypes" ]; then
    (cd "$root" && swift package resolve)
fi

# The RestableHTTP sources the fuzzers exercise (they depend on RestableCore and HTTPTypes only).
http="$root/Sources/RestableHTTP"
parsers=(
    "$http/JSON/JSON.swift" "$http/JSON/JSON+Serialize.swift" "$http/JSON/JSONParser.swift" "$http/JSON/JSONArrayReader.swift"
    "$http/Input/PercentEncoding.swift" "$http/Input/QueryItems.swift" "$http/Input/StrictValue.swift"
    "$http/Input/HeaderGrammar.swift" "$http/Input/Preferences.swift" "$http/Input/EntityTags.swift"
    "$http/Input/MediaType.swift" "$http/Input/FilterSyntax.swift" "$http/Dialect/PathSegments.swift"
    "$http/Dialect/RowRendering.swift" "$http/Dialects/LiveAPI/LiveAPIQuery.swift" "$http/Dialects/Autotask/AutotaskSearch.swift"
)
strict=(-enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
    -enable-upcoming-feature InternalImportsByDefault)

# Rebuilds a module only when one of its sources is newer than its object.
module() { # name, flags..., --, sources...
    local name="$1"; shift
    local flags=()
    while [ "$1" != "--" ]; do flags+=("$1"); shift; done
    shift
    local object="$out/modules/$name.o"
    if [ -f "$object" ] && [ -z "$(find "$@" -newer "$object" 2>/dev/null | head -1)" ]; then return; fi
    echo "building module $name" >&2
    "$swiftc" -parse-as-library -wmo -module-name "$name" -I "$out/modules" \
        -emit-module -emit-module-path "$out/modules/$name.swiftmodule" -c -o "$object" "${flags[@]}" "$@"
}

mapfile -t logging < <(find "$checkouts/swift-log/Sources/Logging" -name '*.swift' | sort)
mapfile -t httptypes < <(find "$checkouts/swift-http-types/Sources/HTTPTypes" -name '*.swift' | sort)
mapfile -t core < <(find "$root/Sources/RestableCore" -name '*.swift' | sort)
macros=()
for version in 1.0 1.1 1.2 1.3 1.4 1.5 1.6 1.7 1.8 1.9; do
    macros+=(-enable-experimental-feature "AvailabilityMacro=HTTPTypes $version: macOS 10.0")
done

module Logging -O -package-name swift_log -- "${logging[@]}"
module HTTPTypes -O -package-name swift_http_types "${macros[@]}" -- "${httptypes[@]}"
module RestableCore -O -package-name Restable "${strict[@]}" -- "${core[@]}"
module RestableHTTP -O -package-name Restable -enable-testing -sanitize=fuzzer,address "${strict[@]}" -- "${parsers[@]}"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cd "$fuzz/Sources" && ls -d Fuzz* | sort)
fi
for target in "${targets[@]}"; do
    sources=("$fuzz/Sources/$target"/*.swift "$fuzz/Support"/*.swift)
    executable="$bin/$target"
    if [ -f "$executable" ] && [ -z "$(find "${sources[@]}" "$out/modules" -newer "$executable" | head -1)" ]; then continue; fi
    echo "building $target" >&2
    # ld.gold warns about every ASan symbol it cannot export; those warnings are noise.
    "$swiftc" -parse-as-library -O -sanitize=fuzzer,address -module-name "$target" -I "$out/modules" "${strict[@]}" \
        "${sources[@]}" "$out/modules/RestableHTTP.o" "$out/modules/RestableCore.o" \
        "$out/modules/HTTPTypes.o" "$out/modules/Logging.o" -o "$executable" 2>&1 | { grep -v "Cannot export local symbol" || true; } >&2
    [ -x "$executable" ]
done
