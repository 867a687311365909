// Shared by every fuzz target (compiled into each one by Fuzz/build.sh).

/// Stops the fuzzer with `message` when an invariant does not hold: libFuzzer records the
/// input as a crash artifact.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        print("INVARIANT BROKEN: \(message())")
        fatalError(message())
    }
}

/// The fuzzer's bytes.
func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// The fuzzer's bytes as text, when they are UTF-8 (the parsers below JSON take Strings,
/// which are always valid UTF-8).
func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String? {
    String(validating: bytes(data, size), as: UTF8.self)
}

/// A readable rendering of a string for failure messages.
func show(_ text: String) -> String {
    text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
}
