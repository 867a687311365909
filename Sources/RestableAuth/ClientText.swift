/// Text a client sent, made safe to repeat in a message or a log line: printable ASCII only,
/// at most 32 characters (a header value or a member name can hold anything).
public enum ClientText {
    public static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(32).map(Character.init))
    }
}
