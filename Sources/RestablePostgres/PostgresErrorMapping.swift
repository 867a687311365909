import Logging
import PostgresNIO
import RestableCore

/// Translates PostgreSQL failures into the engine's taxonomy by SQLSTATE. What the client sees
/// never holds SQL text, a constraint's definition or a stack trace; the log has the server's
/// message (and never the password, which PostgreSQL does not repeat).
enum PostgresErrorMapping {
    /// SQLSTATEs after which the whole transaction may simply run again.
    static let retryable: Set<String> = ["40001", "40P01"]

    /// The SQLSTATE of a server error, if the error is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// A PostgreSQL failure in the engine's terms; any other error (the engine's own, a
    /// cancellation, a signal to roll back) passes through unchanged.
    static func translate(_ error: any Error, logger: Logger) -> any Error {
        guard let psql = error as? PSQLError else { return error }
        guard let state = psql.serverInfo?[.sqlState] else {
            // No server answer: the connection failed, closed or could not be made.
            logger.warning("PostgreSQL connection failure", metadata: ["code": "\(psql.code)"])
            return unavailable
        }
        let message = psql.serverInfo?[.message] ?? ""
        switch state {
        case "23505":
            return RestableError(.duplicateKey, "a row with the same key or unique value already exists")
        case "23503":
            return RestableError(.invalidReference, "a foreign key names a row that does not exist, or a row still has dependents the database protects")
        case "23502":
            return RestableError(.missingValue, "a required column has no value", column: psql.serverInfo?[.columnName])
        case "23514", "23P01", "23000", "23001":
            return RestableError(.invalidValue, "a value breaks a constraint of the table")
        case "22021", "22P05":
            return RestableError(.invalidValue, "PostgreSQL cannot store this text (the character U+0000 is not allowed in its text)")
        case "22001":
            return RestableError(.invalidValue, "a text is longer than its column allows")
        case "22003":
            return RestableError(.invalidValue, "a number is out of the range its column holds")
        case "40001", "40P01":
            return RestableError(.storeBusy, "the request met concurrent changes and could not be completed; retry it", retryAfter: 1)
        case "57014":
            return RestableError(.timedOut, "a statement ran past the statement timeout; nothing changed: send the request in smaller parts")
        case "55P03":
            return RestableError(.storeBusy, "a row the request needs is locked; retry the request", retryAfter: 1)
        case "42P01", "42703":
            logger.error("a table or column the configuration names is missing", metadata: ["message": "\(message)"])
            return RestableError(.schemaMismatch, "a table or column that the configuration names does not exist in the database")
        case "42501":
            logger.error("PostgreSQL refused a privilege", metadata: ["message": "\(message)"])
            return RestableError(.internalError, "the database user lacks a privilege this request needs; the server log has the details")
        case "25006":
            logger.error("the database is read-only (a standby?)", metadata: ["message": "\(message)"])
            return unavailable
        default:
            break
        }
        if state.hasPrefix("22") {
            return RestableError(.invalidValue, "a value is not valid for its column")
        }
        if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") || state.hasPrefix("28") {
            logger.warning("PostgreSQL unavailable", metadata: ["sqlstate": "\(state)", "message": "\(message)"])
            return unavailable
        }
        logger.error("PostgreSQL failure", metadata: ["sqlstate": "\(state)", "message": "\(message)"])
        return RestableError(.internalError, "the request failed inside the database; the server log has the details")
    }

    static var unavailable: RestableError {
        RestableError(.storeUnavailable, "the database cannot be reached; retry the request", retryAfter: 2)
    }
}
