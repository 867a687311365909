public import RestableCore

/// One SQL statement with its values bound by position. Values are never spliced into the text.
public struct SQLStatement: Sendable, Hashable {
    public var sql: String
    public var binds: [Value]

    public init(_ sql: String, binds: [Value] = []) {
        self.sql = sql
        self.binds = binds
    }
}
