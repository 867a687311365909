import Foundation
public import RestableCore

/// What differs between back ends in the SQL they accept.
public protocol SQLFlavor: Sendable {
    /// The placeholder for the bind at `position` (1-based): `?` or `$1`.
    func placeholder(_ position: Int) -> String
    /// The placeholders of `count` binds from `first` on, separated by commas.
    func placeholders(from first: Int, count: Int) -> String
    /// The column type for a declared ``ColumnType``.
    func typeName(_ type: ColumnType) -> String
    /// The declaration of a single generated integer key column, after its quoted name.
    var generatedKeyDeclaration: String { get }
    /// The most binds one statement may carry.
    var maximumBinds: Int { get }
    /// The suffix of a SELECT that locks the selected rows until the transaction ends ("" if the
    /// transaction already holds the write lock).
    var lockingSuffix: String { get }
    /// A column as an operand of an ordering (`<`, `>`, ORDER BY), given its quoted name: the
    /// name itself, or an expression that orders the stored form of `type` by value.
    func orderedOperand(_ quotedColumn: String, type: ColumnType?) -> String
    /// Whether a list of values for one column is bound as one array (`= ANY($1)`) rather than
    /// as one bind per value (`IN (?, ?, ...)`).
    var bindsListsAsArrays: Bool { get }
    /// What opens a list of row values after `IN (`: SQLite needs `VALUES `; PostgreSQL takes
    /// row constructors, whose binds take their types from the columns they compare with (a
    /// VALUES list would make them text).
    var rowListKeyword: String { get }
    /// Whether `CREATE TABLE` declares the table's foreign keys (SQLite accepts a reference to a
    /// table that does not exist yet, and cannot add one later) or `ALTER TABLE` adds them once
    /// every table exists (PostgreSQL checks that the referenced table exists).
    var declaresForeignKeysInCreateTable: Bool { get }
    /// The case-sensitive pattern operator (`GLOB`, `LIKE`) and the text of a pattern in its syntax.
    var matchOperator: String { get }
    func patternText(_ pattern: TextPattern) -> String
    /// A text column as the left side of the pattern operator.
    func matchOperand(_ column: String) -> String
}

extension SQLFlavor {
    public func placeholders(from first: Int, count: Int) -> String {
        (first..<first + count).map(placeholder).joined(separator: ", ")
    }

    /// An identifier, always quoted, with embedded quotes doubled: `user` is `"user"`.
    public func quote(_ identifier: String) -> String {
        if !identifier.utf8.contains(UInt8(ascii: "\"")) { return "\"" + identifier + "\"" }
        var quoted = "\""
        quoted.reserveCapacity(identifier.utf8.count + 2)
        for character in identifier.unicodeScalars {
            if character == "\"" { quoted.unicodeScalars.append("\"") }
            quoted.unicodeScalars.append(character)
        }
        quoted.unicodeScalars.append("\"")
        return quoted
    }
}

/// SQLite 3.35 or later (for RETURNING).
public struct SQLiteFlavor: SQLFlavor {
    public init() {}
    public func placeholder(_ position: Int) -> String { "?" }
    /// Every placeholder is `?`: a list of them is the start of one long string, made once.
    public func placeholders(from first: Int, count: Int) -> String {
        guard count > 0 else { return "" }
        guard count <= Self.bindLimit else { return "?" + String(repeating: ", ?", count: count - 1) }
        return String(decoding: Self.longestList.prefix(3 * count - 2), as: UTF8.self)
    }

    private static let longestList: [UInt8] = Array(("?" + String(repeating: ", ?", count: bindLimit - 1)).utf8)
    private static let bindLimit = 30_000
    public func typeName(_ type: ColumnType) -> String {
        switch type {
        case .integer, .boolean: "INTEGER"
        case .text: "TEXT"
        // TEXT affinity: SQLite keeps the canonical text as it is given. A NUMERIC column would
        // turn `0.3` into a double and 30 digits into 17.
        case .decimal: "DECIMAL_TEXT"
        case .real: "REAL"
        case .timestamp: "TIMESTAMP"
        }
    }
    /// Decimals are stored as text, which would order as text (`"10" < "9"`): an ordering casts
    /// them to numbers (exact to about 15 significant digits).
    public func orderedOperand(_ quotedColumn: String, type: ColumnType?) -> String {
        type == .decimal ? "CAST(\(quotedColumn) AS NUMERIC)" : quotedColumn
    }
    public var generatedKeyDeclaration: String { "INTEGER PRIMARY KEY AUTOINCREMENT" }
    /// SQLite's default limit since 3.32 is 32,766; stay well below it.
    public var maximumBinds: Int { Self.bindLimit }
    public var lockingSuffix: String { "" }
    public var bindsListsAsArrays: Bool { false }
    public var rowListKeyword: String { "VALUES " }
    public var declaresForeignKeysInCreateTable: Bool { true }
    /// GLOB compares characters exactly; LIKE would ignore ASCII case.
    public var matchOperator: String { "GLOB" }
    /// `*` and `?` for the wildcards; a literal `*`, `?` or `[` as a one-character class.
    public func patternText(_ pattern: TextPattern) -> String {
        var text = ""
        for piece in pattern.pieces {
            switch piece {
            case .anyRun: text += "*"
            case .anyCharacter: text += "?"
            case .literal(let literal):
                for scalar in literal.unicodeScalars {
                    switch scalar {
                    case "*", "?", "[": text += "[" + String(scalar) + "]"
                    default: text.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        return text
    }
    public func matchOperand(_ column: String) -> String { column }
}

/// PostgreSQL and the Postgres-compatible distributed engines.
public struct PostgresFlavor: SQLFlavor {
    public init() {}
    public func placeholder(_ position: Int) -> String { "$\(position)" }
    public func typeName(_ type: ColumnType) -> String {
        switch type {
        case .integer: "BIGINT"
        case .boolean: "BOOLEAN"
        case .text: "TEXT"
        case .decimal: "NUMERIC"
        case .real: "DOUBLE PRECISION"
        case .timestamp: "TIMESTAMPTZ"
        }
    }
    /// Text orders by its UTF-8 bytes, as ``ValueOrder`` and SQLite order it, whatever collation
    /// the database was created with (`COLLATE "C"`).
    public func orderedOperand(_ quotedColumn: String, type: ColumnType?) -> String {
        type == .text ? "\(quotedColumn) COLLATE \"C\"" : quotedColumn
    }
    public var generatedKeyDeclaration: String { "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" }
    public var maximumBinds: Int { 60_000 }
    public var lockingSuffix: String { " FOR UPDATE" }
    public var bindsListsAsArrays: Bool { true }
    public var rowListKeyword: String { "" }
    public var declaresForeignKeysInCreateTable: Bool { false }
    public var matchOperator: String { "LIKE" }
    /// `%` and `_` for the wildcards; a literal `%`, `_` or `\` escaped with `\` (LIKE's default escape).
    public func patternText(_ pattern: TextPattern) -> String {
        var text = ""
        for piece in pattern.pieces {
            switch piece {
            case .anyRun: text += "%"
            case .anyCharacter: text += "_"
            case .literal(let literal):
                for scalar in literal.unicodeScalars {
                    if scalar == "%" || scalar == "_" || scalar == "\\" { text += "\\" }
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text
    }
    /// `COLLATE "C"`: LIKE compares characters exactly under any collation the column has.
    public func matchOperand(_ column: String) -> String { column + " COLLATE \"C\"" }

    /// A list of values as the text of a PostgreSQL array literal (`{1,"a b",NULL}`): every
    /// element is quoted and escaped, and the server reads it as an array of the column's type.
    public static func arrayLiteral(_ values: [Value]) -> String {
        var text = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            if case .null = value {
                text += "NULL"
                continue
            }
            text += "\""
            for character in PostgresBindText.text(value).unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}

/// How a value is written as the text of an untyped PostgreSQL bind, which the server reads as
/// the type that the statement gives it (a column's type, or an array of it).
public enum PostgresBindText {
    /// The text of a non-null value; nil for null.
    public static func text(_ value: Value) -> String {
        switch value {
        case .null: ""
        case .integer(let int): String(int)
        // The shortest digits that read back as the same double.
        case .real(let double): double.isFinite ? double.description : (double.isNaN ? "NaN" : (double > 0 ? "Infinity" : "-Infinity"))
        case .decimal(let decimal): decimal.text
        case .text(let text): text
        case .boolean(let bool): bool ? "true" : "false"
        }
    }
}
