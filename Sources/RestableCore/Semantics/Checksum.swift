/// The optimistic-locking checksum of a row: `A:` and 16 hex digits.
///
/// A 64-bit FNV-1a hash over a canonical encoding of the row's values in the resource's column
/// order: deterministic on every process and after a restart, and different after any change to
/// any column. It is not a security measure; it detects concurrent changes.
public enum Checksum {
    public static func of(_ row: Row, in resource: Resource) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func feed(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        for column in resource.columns {
            feed(column.name.utf8)
            feed(CollectionOfOne(0))
            switch row[column.name] {
            case .null: feed(CollectionOfOne(UInt8(ascii: "n")))
            case .integer(let value): feed("i\(value)".utf8)
            case .real(let value): feed("r\(Value.format(value))".utf8)
            // The same encoding as a real that prints the same, so that the checksums of rows
            // written when decimals were stored as reals did not change.
            case .decimal(let value): feed("r\(value.text)".utf8)
            case .text(let value):
                feed("t\(value.utf8.count):".utf8)
                feed(value.utf8)
            case .boolean(let value): feed((value ? "b1" : "b0").utf8)
            }
            feed(CollectionOfOne(0xff))
        }
        let hex = String(hash, radix: 16)
        return "A:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
