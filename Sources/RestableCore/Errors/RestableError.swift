/// The engine's one error type. Dialects translate it to their wire format; nothing else does.
///
/// The ``Code`` is stable and machine-readable; the message is for people and never holds SQL
/// text or driver internals.
public struct RestableError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String
    public var resource: String?
    public var key: Key?
    public var column: String?
    /// For `restricted`: every relationship that blocked the delete.
    public var blockers: [BlockingDependents]
    /// For `tooManyAffected`: how many rows the request would have changed.
    public var count: Int?
    /// For errors that pass (`storeBusy`, `storeUnavailable`): how many seconds a client should
    /// wait before it sends the request again (the `Retry-After` header).
    public var retryAfter: Int?
    /// For `undoConflict`: what stands in the way of the undo (the first ones; ``count`` has all).
    public var conflicts: [UndoConflict] = []
    /// For `previewMismatch`: the rows in which the delete differs from its preview (the first
    /// ones; ``count`` has all).
    public var differences: [PreviewDifference] = []

    public init(
        _ code: Code, _ message: String, resource: String? = nil, key: Key? = nil, column: String? = nil,
        blockers: [BlockingDependents] = [], count: Int? = nil, retryAfter: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.resource = resource
        self.key = key
        self.column = column
        self.blockers = blockers
        self.count = count
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code): \(message)" }
}

extension RestableError {
    /// A stable error code. A struct over a private enum, so that codes can be added freely.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Internal: String {
            case notFound, unknownResource, unknownColumn, invalidKey, invalidBody, invalidValue, invalidFilter,
                invalidQuery, invalidHeader, missingValue, keyImmutable, checksumMismatch, checksumRequired, restricted,
                duplicateKey, invalidReference, methodNotAllowed, payloadTooLarge, unsupportedMediaType,
                storeBusy, storeUnavailable, cancelled, schemaMismatch, unboundedDelete, planTooLarge, tooManyAffected, batchFailed, ambiguousMatch, internalError,
                requestTimeout, readOnly, readOnlyColumn, unauthenticated, forbidden, overBudget, rateLimited, timedOut, undoConflict, previewMismatch, notInTrash, jobFinished
        }
        private let value: Internal

        /// The row does not exist.
        public static var notFound: Self { .init(value: .notFound) }
        /// No resource of that name is served.
        public static var unknownResource: Self { .init(value: .unknownResource) }
        /// A body or a filter names a column the resource does not have.
        public static var unknownColumn: Self { .init(value: .unknownColumn) }
        /// A key is incomplete, has too many parts, or a part has the wrong type.
        public static var invalidKey: Self { .init(value: .invalidKey) }
        /// The body is not what the request needs (malformed JSON, wrong shape).
        public static var invalidBody: Self { .init(value: .invalidBody) }
        /// A value has the wrong type for its column.
        public static var invalidValue: Self { .init(value: .invalidValue) }
        /// A filter in the query string cannot be understood.
        public static var invalidFilter: Self { .init(value: .invalidFilter) }
        /// A query parameter (limit, offset, ...) is malformed.
        public static var invalidQuery: Self { .init(value: .invalidQuery) }
        /// A request header (If-Match, ...) is malformed.
        public static var invalidHeader: Self { .init(value: .invalidHeader) }
        /// A required column has no value.
        public static var missingValue: Self { .init(value: .missingValue) }
        /// An update tried to change a key column.
        public static var keyImmutable: Self { .init(value: .keyImmutable) }
        /// The given checksum is not the row's current one.
        public static var checksumMismatch: Self { .init(value: .checksumMismatch) }
        /// The resource requires a checksum and none was given.
        public static var checksumRequired: Self { .init(value: .checksumRequired) }
        /// Dependents whose relationship is `restrict` block the delete.
        public static var restricted: Self { .init(value: .restricted) }
        /// A row with that key or unique value already exists.
        public static var duplicateKey: Self { .init(value: .duplicateKey) }
        /// A foreign key names a parent row that does not exist.
        public static var invalidReference: Self { .init(value: .invalidReference) }
        /// The resource does not support that method.
        public static var methodNotAllowed: Self { .init(value: .methodNotAllowed) }
        /// The request body is larger than the configured maximum.
        public static var payloadTooLarge: Self { .init(value: .payloadTooLarge) }
        /// The request body is not JSON.
        public static var unsupportedMediaType: Self { .init(value: .unsupportedMediaType) }
        /// The client stopped sending its request (headers or body) before it was complete.
        public static var requestTimeout: Self { .init(value: .requestTimeout) }
        /// The database is busy (locked, a deadlock or serialization failure that retries did not
        /// resolve, a statement that ran past its timeout): nothing changed; retry the request.
        public static var storeBusy: Self { .init(value: .storeBusy) }
        /// The database cannot be reached (down, restarting, out of connections): nothing changed;
        /// retry once it is back. The server reconnects by itself.
        public static var storeUnavailable: Self { .init(value: .storeUnavailable) }
        /// A cancel of a job that has already ended (a job that committed is undone from the
        /// journal, not cancelled).
        public static var jobFinished: Self { .init(value: .jobFinished) }
        /// The request was cancelled before it committed (its client went away, or the server is
        /// stopping): nothing changed, and it may be sent again.
        public static var cancelled: Self { .init(value: .cancelled) }
        /// An existing table lacks a configured column (Restable never alters tables).
        public static var schemaMismatch: Self { .init(value: .schemaMismatch) }
        /// A delete of a whole collection named no keys and no filter, and did not say it meant every row.
        public static var unboundedDelete: Self { .init(value: .unboundedDelete) }
        /// The request would touch more rows, or need more rounds of lenient refusals, than one
        /// request may: nothing changed; send it in smaller parts.
        public static var planTooLarge: Self { .init(value: .planTooLarge) }
        /// The request would change more rows than its `max-affected` allows.
        public static var tooManyAffected: Self { .init(value: .tooManyAffected) }
        /// Some targets of a strict many-row request failed, so nothing changed (each failure is listed).
        public static var batchFailed: Self { .init(value: .batchFailed) }
        /// A delete by natural key matched more than one row.
        public static var ambiguousMatch: Self { .init(value: .ambiguousMatch) }
        /// The resource is read-only (no primary key, a view, or configured so): it cannot be
        /// inserted into, updated or deleted from, and a delete whose cascade or set-null would
        /// change its rows is refused as a whole.
        public static var readOnly: Self { .init(value: .readOnly) }
        /// An insert or update names a read-only column (one whose type Restable does not know,
        /// or a column the database computes).
        public static var readOnlyColumn: Self { .init(value: .readOnlyColumn) }
        /// The mount needs credentials and the request has none, or they are not valid (401).
        public static var unauthenticated: Self { .init(value: .unauthenticated) }
        /// The caller's roles do not allow this action on this resource, or on this row (403).
        public static var forbidden: Self { .init(value: .forbidden) }
        /// The delete would take the caller past a row budget of its roles (per request, or in
        /// the last hour): nothing changed (429).
        public static var overBudget: Self { .init(value: .overBudget) }
        /// The caller sent more requests per second than its mount allows: nothing ran (429).
        public static var rateLimited: Self { .init(value: .rateLimited) }
        /// The request, or one of its statements, ran past the server's time limit (the request
        /// timeout, the statement timeout): it was rolled back, nothing changed (503). Send it in
        /// smaller parts.
        public static var timedOut: Self { .init(value: .timedOut) }
        /// Something failed that the client cannot fix; details are in the server log only.
        public static var internalError: Self { .init(value: .internalError) }
        /// A journaled transaction cannot be undone exactly (see ``RestableError/conflicts``);
        /// nothing was changed.
        public static var undoConflict: Self { .init(value: .undoConflict) }
        /// A delete sent with a preview's tag would not touch exactly the previewed rows, each
        /// unchanged (see ``RestableError/differences``); nothing was changed.
        public static var previewMismatch: Self { .init(value: .previewMismatch) }
        /// A purge or an undelete names a live row: only rows in the trash are purged or
        /// undeleted; nothing was changed.
        public static var notInTrash: Self { .init(value: .notInTrash) }

        /// The code's stable name, as sent to clients (`checksumMismatch`).
        public var description: String { value.rawValue }
    }
}

/// The dependents of one relationship that block a delete.
public struct BlockingDependents: Sendable, Hashable {
    /// The child resource.
    public var resource: String
    /// The child's foreign-key columns.
    public var columns: [String]
    /// How many children block.
    public var count: Int
    /// The keys of the first few children.
    public var keys: [Key]

    public init(resource: String, columns: [String], count: Int, keys: [Key]) {
        self.resource = resource
        self.columns = columns
        self.count = count
        self.keys = keys
    }
}

/// One reason a journaled transaction cannot be undone exactly.
public struct UndoConflict: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A row to put back has a key that a newer row holds.
        case keyTaken
        /// A row whose column the transaction set to null has changed since.
        case changedSince
        /// A row whose column the transaction set to null has been deleted since (or, put in
        /// the trash by it, has been purged since).
        case deletedSince
        /// A row the transaction put in the trash has been undeleted since.
        case undeletedSince
        /// A row to put back points at a parent that is gone and that the undo does not restore.
        case parentMissing
        /// The transaction has been undone already.
        case alreadyUndone
        /// The transaction is itself an undo.
        case isUndo
        /// The transaction touched a resource whose rows are not journaled.
        case notJournaled
        /// A resource the transaction touched is no longer served, or its columns changed.
        case schemaChanged
    }

    public var kind: Kind
    public var resource: String?
    public var key: Key?
    public var message: String

    public init(_ kind: Kind, resource: String? = nil, key: Key? = nil, _ message: String) {
        self.kind = kind
        self.resource = resource
        self.key = key
        self.message = message
    }
}
