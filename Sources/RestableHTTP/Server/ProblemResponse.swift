public import Hummingbird
public import RestableCore

/// RFC 9457 problem details (`application/problem+json`) for an engine error: the native
/// dialect's error format, also used where no dialect applies (an unknown path).
public enum ProblemResponse {
    /// - Parameter extra: members to add after the standard ones (an outcome, its errors).
    public static func make(
        _ error: RestableError, instance: String? = nil, allow: String? = nil, extra: [(String, JSON)] = []
    ) -> Response {
        let status = status(of: error.code)
        var members: [(String, JSON)] = [
            ("type", .string("urn:restable:problem:\(error.code)")),
            ("title", .string(title(of: error.code))),
            ("status", .integer(Int64(status.code))),
            ("detail", .string(error.message)),
            ("code", .string(error.code.description)),
        ]
        if let instance { members.append(("instance", .string(instance))) }
        if let resource = error.resource { members.append(("resource", .string(resource))) }
        if let key = error.key { members.append(("key", RowRendering.json(key))) }
        if let column = error.column { members.append(("column", .string(column))) }
        if !error.blockers.isEmpty { members.append(("dependents", dependents(error.blockers))) }
        if let count = error.count { members.append(("count", .integer(Int64(count)))) }
        if !error.conflicts.isEmpty { members.append(("conflicts", conflicts(error.conflicts))) }
        if !error.differences.isEmpty { members.append(("differences", differences(error.differences))) }
        members += extra
        var headers: HTTPFields = [:]
        if let allow { headers[.allow] = allow }
        return JSONResponse.make(status, .object(members), contentType: "application/problem+json", headers: headers)
    }

    /// The rows that block a delete: per relationship, the child resource, its columns, how many, and the first keys.
    public static func dependents(_ blockers: [BlockingDependents]) -> JSON {
        .array(blockers.map { blocker in
            .object([
                ("resource", .string(blocker.resource)),
                ("columns", .array(blocker.columns.map(JSON.string))),
                ("count", .integer(Int64(blocker.count))),
                ("keys", .array(blocker.keys.map(RowRendering.json))),
            ])
        })
    }

    /// What stands in the way of an undo: each conflict's kind, resource, key and message.
    public static func conflicts(_ conflicts: [UndoConflict]) -> JSON {
        .array(conflicts.map { conflict in
            var members: [(String, JSON)] = [("kind", .string(conflict.kind.rawValue))]
            if let resource = conflict.resource { members.append(("resource", .string(resource))) }
            if let key = conflict.key { members.append(("key", RowRendering.json(key))) }
            members.append(("detail", .string(conflict.message)))
            return .object(members)
        })
    }

    /// How a delete differs from its preview: each row's kind of difference, resource, key and message.
    public static func differences(_ differences: [PreviewDifference]) -> JSON {
        .array(differences.map { difference in
            .object([
                ("kind", .string(difference.kind.rawValue)), ("resource", .string(difference.resource)),
                ("key", RowRendering.json(difference.key)), ("detail", .string(difference.message)),
            ])
        })
    }

    /// The HTTP status of each error code under the standards-following (native) dialect.
    public static func status(of code: RestableError.Code) -> HTTPResponse.Status {
        switch code {
        case .notFound, .unknownResource: .notFound
        case .checksumMismatch, .previewMismatch: .preconditionFailed
        case .checksumRequired: .init(code: 428, reasonPhrase: "Precondition Required")
        case .restricted, .duplicateKey, .invalidReference, .batchFailed, .ambiguousMatch, .undoConflict, .notInTrash, .jobFinished: .conflict
        case .methodNotAllowed, .readOnly: .methodNotAllowed
        case .payloadTooLarge: .contentTooLarge
        case .requestTimeout: .requestTimeout
        case .unsupportedMediaType: .unsupportedMediaType
        case .storeBusy, .storeUnavailable, .cancelled, .timedOut: .serviceUnavailable
        case .schemaMismatch, .internalError: .internalServerError
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .overBudget, .rateLimited: .tooManyRequests
        default: .badRequest
        }
    }

    static func title(of code: RestableError.Code) -> String {
        switch code {
        case .notFound: "Not found"
        case .unknownResource: "Unknown resource"
        case .unknownColumn: "Unknown column"
        case .invalidKey: "Invalid key"
        case .invalidBody: "Invalid body"
        case .invalidValue: "Invalid value"
        case .invalidFilter: "Invalid filter"
        case .invalidQuery: "Invalid query parameter"
        case .invalidHeader: "Invalid header"
        case .missingValue: "Missing value"
        case .keyImmutable: "Key cannot change"
        case .checksumMismatch: "Checksum mismatch"
        case .checksumRequired: "Checksum required"
        case .restricted: "Delete restricted by dependents"
        case .duplicateKey: "Duplicate key"
        case .invalidReference: "Invalid reference"
        case .methodNotAllowed: "Method not allowed"
        case .payloadTooLarge: "Payload too large"
        case .requestTimeout: "Request timeout"
        case .unsupportedMediaType: "Unsupported media type"
        case .storeBusy: "Database busy"
        case .timedOut: "Took too long"
        case .storeUnavailable: "Database unavailable"
        case .cancelled: "Request cancelled"
        case .unboundedDelete: "Unbounded delete"
        case .tooManyAffected: "Too many rows affected"
        case .planTooLarge: "Request too large"
        case .batchFailed: "Nothing changed"
        case .ambiguousMatch: "More than one row matches"
        case .readOnly: "Read-only resource"
        case .readOnlyColumn: "Read-only column"
        case .unauthenticated: "Credentials needed"
        case .forbidden: "Forbidden"
        case .overBudget: "Row budget exceeded"
        case .rateLimited: "Too many requests"
        case .undoConflict: "Cannot undo exactly"
        case .previewMismatch: "Preview no longer matches"
        case .notInTrash: "Not in the trash"
        case .jobFinished: "Job already ended"
        default: "Internal error"
        }
    }
}
