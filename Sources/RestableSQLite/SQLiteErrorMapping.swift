import CSQLite
import Logging
import RestableCore

/// Translates SQLite result codes into the engine's taxonomy. The SQL text goes to the log only.
enum SQLiteErrorMapping {
    // Extended result codes are C macro expressions, which Swift does not import.
    static let constraintForeignKey = SQLITE_CONSTRAINT | (3 << 8)
    static let constraintNotNull = SQLITE_CONSTRAINT | (5 << 8)
    static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
    static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)

    static func translate(_ error: SQLiteError, logger: Logger) -> RestableError {
        switch error.code {
        case constraintPrimaryKey, constraintUnique:
            return RestableError(.duplicateKey, "a row with the same key or unique value already exists")
        case constraintForeignKey:
            return RestableError(.invalidReference, "a foreign key names a row that does not exist")
        case constraintNotNull:
            return RestableError(.missingValue, "a required column has no value")
        default:
            break
        }
        switch error.primaryCode {
        case SQLITE_BUSY, SQLITE_LOCKED:
            logger.warning("database busy", metadata: ["error": "\(error)"])
            return RestableError(.storeBusy, "the database is busy; retry the request", retryAfter: 1)
        case SQLITE_INTERRUPT:
            logger.warning("a statement was interrupted: it ran past the statement timeout, or its request was cancelled", metadata: ["error": "\(error)"])
            return RestableError(.timedOut, "a statement ran past the statement timeout; nothing changed: send the request in smaller parts")
        case SQLITE_CONSTRAINT:
            return RestableError(.invalidValue, "a value breaks a constraint of the table")
        default:
            logger.error("SQLite failure", metadata: ["error": "\(error)"])
            return RestableError(.internalError, "the request failed inside the database; the server log has the details")
        }
    }
}
