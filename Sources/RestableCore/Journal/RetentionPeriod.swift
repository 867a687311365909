/// How long something is kept: a positive whole number and a unit, `30d`, `12h`, `90m`,
/// `3600s` or `2w`. The one parser of such periods, for the configuration and the command line.
public struct RetentionPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let milliseconds: Int64
    /// What was written (`30d`), for messages.
    public let description: String

    /// 30 days: the journal's default.
    public static let standard = RetentionPeriod(parsing: "30d")!

    /// The longest period accepted: 100 years (a longer one is surely a mistake).
    static let maximumMilliseconds: Int64 = 100 * 366 * 86_400_000

    /// Parses `<digits><unit>` (unit one of s, m, h, d, w; no sign, space, fraction or zero);
    /// nil for anything else.
    public init?(parsing text: String) {
        guard let unit = text.last, text.count >= 2, text.count <= 12 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int64(digits), number > 0 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1_000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        case "w": scale = 7 * 86_400_000
        default: return nil
        }
        guard number <= Self.maximumMilliseconds / scale else { return nil }
        milliseconds = number * scale
        description = text
    }

    public static func < (lhs: RetentionPeriod, rhs: RetentionPeriod) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public static func == (lhs: RetentionPeriod, rhs: RetentionPeriod) -> Bool { lhs.milliseconds == rhs.milliseconds }

    public func hash(into hasher: inout Hasher) { hasher.combine(milliseconds) }

    /// What a message says a period must look like.
    public static let expected = "a whole number and a unit: s, m, h, d or w (30d, 12h), at most 100 years"
}
