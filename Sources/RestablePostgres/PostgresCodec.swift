import NIOCore
import PostgresNIO
import RestableCore
import RestableSQL

/// A bind sent as text with no declared type, as libpq sends one: the server reads it as the type
/// that the statement gives the placeholder (the column's, or an array of it), so `int4`,
/// `numeric(12,2)` or `timestamptz` columns of an existing database all take the same binds.
struct UntypedBind: PostgresDynamicTypeEncodable {
    let text: String

    var psqlType: PostgresDataType { PostgresDataType(0) }
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}

/// Converts between the engine's values and PostgreSQL's wire formats.
enum PostgresCodec {
    /// A statement as PostgresNIO sends it.
    static func query(_ statement: SQLStatement) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: statement.binds.count)
        for value in statement.binds {
            if case .null = value {
                bindings.appendNull()
            } else {
                bindings.append(UntypedBind(text: PostgresBindText.text(value)))
            }
        }
        return PostgresQuery(unsafeSQL: statement.sql, binds: bindings)
    }

    /// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for timestamps.
    static let epochOffset: Int64 = 946_684_800_000_000

    /// A result cell (binary format) as a value of a column of `type`.
    static func value(_ cell: PostgresCell, as type: ColumnType?) throws -> Value {
        guard var buffer = cell.bytes else { return .null }
        if cell.format == .text {
            return .text(buffer.readString(length: buffer.readableBytes) ?? "")
        }
        switch cell.dataType {
        case .bool:
            guard let byte = buffer.readInteger(as: UInt8.self) else { break }
            return .boolean(byte != 0)
        case .int2:
            guard let int = buffer.readInteger(as: Int16.self) else { break }
            return integer(Int64(int), as: type)
        case .int4:
            guard let int = buffer.readInteger(as: Int32.self) else { break }
            return integer(Int64(int), as: type)
        case .int8:
            guard let int = buffer.readInteger(as: Int64.self) else { break }
            return integer(int, as: type)
        case .float4:
            guard let bits = buffer.readInteger(as: UInt32.self) else { break }
            return real(Double(Float(bitPattern: bits)), as: type)
        case .float8:
            guard let bits = buffer.readInteger(as: UInt64.self) else { break }
            return real(Double(bitPattern: bits), as: type)
        case .numeric:
            return try numeric(&buffer)
        case .timestamptz, .timestamp:
            guard let micros = buffer.readInteger(as: Int64.self) else { break }
            if let text = Timestamp.format(micros &+ epochOffset) { return .text(text) }
            // infinity and -infinity
            return .text(micros > 0 ? "infinity" : "-infinity")
        default:
            // text, varchar, char, name, and every type a statement casts to text.
            return .text(buffer.readString(length: buffer.readableBytes) ?? "")
        }
        throw PostgresDecodingFailure(column: cell.columnName)
    }

    private static func integer(_ int: Int64, as type: ColumnType?) -> Value {
        switch type {
        case .decimal?: .decimal(DecimalNumber(int))
        case .real?: Double(exactly: int).map(Value.real) ?? .integer(int)
        default: .integer(int)
        }
    }

    private static func real(_ double: Double, as type: ColumnType?) -> Value {
        if type == .decimal, let decimal = DecimalNumber(double) { return .decimal(decimal) }
        return .real(double)
    }

    /// PostgreSQL's binary `numeric`: digit count, weight, sign, display scale, then base-10000 digits.
    private static func numeric(_ buffer: inout ByteBuffer) throws -> Value {
        guard let count = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
            let sign = buffer.readInteger(as: UInt16.self), buffer.readInteger(as: Int16.self) != nil, count >= 0
        else { throw PostgresDecodingFailure(column: "numeric") }
        switch sign {
        case 0xC000: return .real(.nan)
        case 0xD000: return .real(.infinity)
        case 0xF000: return .real(-.infinity)
        default: break
        }
        var integerPart = ""
        var fraction = ""
        for index in 0..<Int(count) {
            guard let digit = buffer.readInteger(as: Int16.self), (0..<10_000).contains(digit) else {
                throw PostgresDecodingFailure(column: "numeric")
            }
            let group = String(digit)
            let padded = String(repeating: "0", count: 4 - group.count) + group
            if index <= Int(weight) { integerPart += padded } else { fraction += padded }
        }
        if Int(weight) >= Int(count) { integerPart += String(repeating: "0000", count: Int(weight) - Int(count) + 1) }
        if weight < 0 { fraction = String(repeating: "0000", count: -Int(weight) - 1) + fraction }
        let numeral = (sign == 0x4000 ? "-" : "") + (integerPart.isEmpty ? "0" : integerPart) + (fraction.isEmpty ? "" : "." + fraction)
        guard let decimal = DecimalNumber(numeral) else {
            // More digits than a decimal keeps: read as text rather than rounded.
            return .text(numeral)
        }
        return .decimal(decimal)
    }
}

/// A cell the server sent in a form its type does not have (a broken connection or server).
struct PostgresDecodingFailure: Error, CustomStringConvertible {
    var column: String
    var description: String { "cannot decode column \(column)" }
}
