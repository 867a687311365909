/// The one reader of the scalar values that query parameters carry, shared by every dialect:
/// anything these do not accept is refused, never read as a default.
public enum StrictValue {
    /// `true` or `false` (any case), or `1` or `0`; nil for anything else (`ture`, `yes`, `""`).
    public static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1": true
        case "false", "0": false
        default: nil
        }
    }

    /// A whole number zero or more, in ASCII digits only (no sign, no spaces), that fits an `Int`;
    /// nil for anything else.
    public static func count(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }
}
