import OpenAPIKit
import RestableCore
public import RestableOpenAPI

/// The native mount's OpenAPI document: the index and batch, and per resource what the caller
/// may do (a read-only resource is read only).
extension NativeDialect {
    public func describe(into builder: inout OpenAPIBuilder) {
        let problem = builder.schema(named: "Problem", Self.problemSchema)
        let summary = builder.schema(named: "ChangeSummary", Self.summarySchema)
        let errors = Self.errorResponses(problem)
        let flag: JSONSchema = .boolean(required: false)
        let ifMatch = OpenAPIParts.header("If-Match", "the row's checksum as an entity tag (\"A:...\"), or * to override the lock")
        let deleteIfMatch = OpenAPIParts.header(
            "If-Match", "the row's checksum as an entity tag (\"A:...\"), * to override the lock, or a dry run's preview (\"P:...\"): commit only exactly the previewed rows")
        let prefer = OpenAPIParts.header("Prefer", "handling=strict|lenient, return=minimal|representation, tx=commit|rollback, max-affected=N")
        let deletePrefer = OpenAPIParts.header(
            "Prefer", "handling=strict|lenient, return=minimal|representation, tx=commit|rollback, max-affected=N, respond-async (run as a job: 202)")
        let job = builder.schema(named: "Job", Self.jobSchema)
        let accepted = OpenAPIParts.response("started as a job (Prefer: respond-async): its status, at its Location", job, headers: ["Location": .string])
        let deleteFlags = [
            OpenAPIParts.query("ignoredeleted", flag, "a key that does not exist is not an error"),
            OpenAPIParts.query("dryrun", flag, "run, report and roll back"),
            OpenAPIParts.query("txsummary", flag, "false leaves the summary out"),
        ]
        builder.add(
            .get, "/",
            OpenAPI.Operation(
                summary: "The resources served", operationId: "index",
                responses: [200: OpenAPIParts.response("the resources", Self.indexSchema)] + errors))
        let writes: [Action] = [.insert, .update, .delete]
        let served = names.served(in: engine.schema)
        if served.contains(where: { entry in writes.contains { engine.permits($0, on: entry.resource.name) } }) {
        builder.add(
            .post, "/",
            OpenAPI.Operation(
                summary: "A batch of changes in one transaction", operationId: "batch", parameters: deleteFlags + [deletePrefer],
                requestBody: OpenAPIParts.body(.array(items: .object(properties: ["@metadata": .object], additionalProperties: .a(true))), "the operations"),
                responses: [200: OpenAPIParts.response("every operation, or those that could be done (lenient)", summary), 202: accepted] + errors))
        }
        for (name, resource) in served {
            describe(
                resource, as: name, into: &builder, errors: errors, summary: summary, ifMatch: ifMatch, deleteIfMatch: deleteIfMatch, prefer: prefer,
                deletePrefer: deletePrefer, accepted: accepted, deleteFlags: deleteFlags)
        }
        if engine.journal != nil { describeJournal(into: &builder, errors: errors, summary: summary, prefer: prefer) }
        if jobs != nil { describeJobs(into: &builder, errors: errors, job: job) }
    }

    /// The jobs' routes (`Prefer: respond-async`).
    private func describeJobs(into builder: inout OpenAPIBuilder, errors: OpenAPI.Response.Map, job: JSONSchema) {
        let id = OpenAPIParts.path("id", .string(pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"), "the job's id")
        let path = "/" + Self.jobsSegment + "/{id}"
        builder.add(
            .get, path,
            OpenAPI.Operation(
                summary: "A job's state and progress, then the answer its request gave", operationId: "job", parameters: [id],
                responses: [200: OpenAPIParts.response("the job", job, headers: ["Retry-After": .string(required: false)])] + errors))
        builder.add(
            .delete, path,
            OpenAPI.Operation(
                summary: "Cancel a running job: its transaction rolls back (409 jobFinished once it has ended)", operationId: "cancelJob",
                parameters: [id],
                responses: [
                    200: OpenAPIParts.response("cancelled (or given up as failed): nothing changed", job),
                    202: OpenAPIParts.response("the cancel is asked for and the job has not ended yet", job, headers: ["Retry-After": .string]),
                ] + errors))
    }

    /// A job's status.
    static var jobSchema: JSONSchema {
        .object(
            properties: [
                "id": .string, "href": .string, "state": .string(allowedValues: "running", "committed", "completed", "failed", "cancelled"),
                "phase": .string(allowedValues: .init(JobPhase.allCases.map { .init($0.rawValue) })), "rows": .integer, "request": .string,
                "created": .string(format: .dateTime), "updated": .string(format: .dateTime), "finished": .string(format: .dateTime, required: false),
                "cancelRequested": .boolean(required: false), "transaction": .string(required: false),
                "response": .object(required: false, properties: ["status": .integer, "body": .fragment(.init())]), "detail": .string(required: false),
            ],
            additionalProperties: .a(false))
    }

    /// The journal's routes (recovery.md).
    private func describeJournal(
        into builder: inout OpenAPIBuilder, errors: OpenAPI.Response.Map, summary: JSONSchema,
        prefer: OpenAPIKit.Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>
    ) {
        let transaction = builder.schema(
            named: "Transaction",
            .object(
                properties: [
                    "id": .string, "href": .string, "at": .string(format: .dateTime), "action": .string(allowedValues: "delete", "batch", "undo", "purge", "undelete"),
                    "resource": .string(required: false), "principal": .string(required: false, nullable: true), "requestId": .string(required: false),
                    "counts": .object(additionalProperties: .b(.object(additionalProperties: .b(.integer)))), "complete": .boolean,
                    "undoOf": .string(required: false), "undoneBy": .string(required: false, nullable: true),
                    "entries": .array(required: false, items: .object(additionalProperties: .a(true))),
                ],
                additionalProperties: .a(false)))
        let root = "/" + Self.transactionsSegment
        let id = OpenAPIParts.path("id", .string(pattern: "^[0-9]{13}-[0-9a-f]{12}$"), "the transaction's id")
        let instant = "an RFC 3339 date-time"
        builder.add(
            .get, root,
            OpenAPI.Operation(
                summary: "Journaled transactions, newest first", operationId: "transactions",
                parameters: [
                    OpenAPIParts.query("resource", .string(required: false), "the resource a delete addressed"),
                    OpenAPIParts.query("principal", .string(required: false, minLength: 1), "who"),
                    OpenAPIParts.query("since", .string(format: .dateTime, required: false), "at or after: \(instant)"),
                    OpenAPIParts.query("until", .string(format: .dateTime, required: false), "before: \(instant)"),
                    OpenAPIParts.query(
                        "limit", .integer(required: false, maximum: (Self.largestTransactionPage, exclusive: false), minimum: (1, exclusive: false)),
                        "at most this many (default \(Self.defaultTransactionPage))"),
                    OpenAPIParts.query("before", .string(required: false, pattern: "^[0-9]{13}-[0-9a-f]{12}$"), "the id of the last one of the previous page"),
                ],
                responses: [
                    200: OpenAPIParts.response(
                        "a page of transactions",
                        .object(properties: ["transactions": .array(items: transaction), "next": .string(required: false)], additionalProperties: .a(false)),
                        headers: ["Link": .string])
                ] + errors))
        builder.add(
            .get, root + "/{id}",
            OpenAPI.Operation(
                summary: "One transaction with every row it touched", operationId: "transaction", parameters: [id],
                responses: [200: OpenAPIParts.response("the transaction and its entries", transaction)] + errors))
        builder.add(
            .post, root + "/{id}/undo",
            OpenAPI.Operation(
                summary: "Put back what a transaction deleted, exactly, or refuse (409) naming each conflict", operationId: "undo",
                parameters: [id] + Self.restoreFlags + [prefer],
                responses: [200: OpenAPIParts.response("put back; the undo's own transaction and summary", summary)] + errors))
    }

    private func describe(
        _ resource: Resource, as name: String, into builder: inout OpenAPIBuilder, errors: OpenAPI.Response.Map, summary: JSONSchema,
        ifMatch: OpenAPIKit.Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>,
        deleteIfMatch: OpenAPIKit.Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>,
        prefer: OpenAPIKit.Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>,
        deletePrefer: OpenAPIKit.Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>,
        accepted: OpenAPIKit.Either<OpenAPI.Reference<OpenAPI.Response>, OpenAPI.Response>,
        deleteFlags: [OpenAPIKit.Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>]
    ) {
        let collection = "/" + PercentEncoding.encodeName(name)
        var metadata: OrderedDictionary<String, JSONSchema> = ["href": .string(required: !resource.key.isEmpty), "checksum": .string]
        if resource.softDelete != nil {
            metadata["deleted"] = .boolean(required: false)
            metadata["deletedAt"] = .string(required: false)
        }
        let row = builder.schema(
            named: "row." + name, OpenAPIParts.row(resource, metadata: .object(properties: metadata, additionalProperties: .a(false))))
        let listedRow = builder.schema(
            named: "listedRow." + name,
            OpenAPIParts.row(resource, metadata: .object(properties: metadata, additionalProperties: .a(false)), everyColumn: false))
        // A resource with a trash: its reads may show the trash, its deletes may purge it.
        let soft = resource.softDelete != nil
        let showDeleted = soft ? [OpenAPIParts.query("show_deleted", .boolean(required: false), "true: rows in the trash too, each with @metadata.deleted")] : []
        let purge =
            soft && engine.permits(.purge, on: resource.name)
            ? [OpenAPIParts.query("purge", .boolean(required: false), "true: remove rows in the trash for good (a live row is 409 notInTrash)")] : []
        let deletes = engine.permits(.delete, on: resource.name) || !purge.isEmpty
        let filters = resource.columns.filter { Option(rawValue: $0.name) == nil }.map { column in
            OpenAPIParts.query(
                column.name, .string(required: false), "a filter: value, or eq. neq. lt. lte. gt. gte. followed by a value, in.(a,b), is.null, is.notnull")
        }
        let checksum = OpenAPIParts.query("checksum", .string(required: false), "the row's checksum, or override")
        let readable = engine.permits(.read, on: resource.name)
        let writable = resource.readOnly == nil
        if readable {
            builder.add(
                .get, collection,
                OpenAPI.Operation(
                    summary: "Rows of \(name)", operationId: "list." + name,
                    parameters: [
                        OpenAPIParts.query(
                            "limit", .integer(required: false, maximum: (Self.largestPage, exclusive: false), minimum: (0, exclusive: false)),
                            "at most this many rows (a page: \(Self.largestPage) when absent)"),
                        OpenAPIParts.query("offset", .integer(required: false, minimum: (0, exclusive: false)), "skip this many rows"),
                        OpenAPIParts.query("order", .string(required: false), "columns to order by, each .asc or .desc, separated by commas; the key ends every order"),
                        OpenAPIParts.query("select", .string(required: false), "the columns each row shows, separated by commas (* for all)"),
                        OpenAPIParts.query("after", .string(required: false), "the cursor of the next page, from a Link header"),
                        OpenAPIParts.header("Prefer", "count=exact: count every matching row (Content-Range)"),
                    ] + showDeleted + filters,
                    responses: [
                        200: OpenAPIParts.response(
                            "the rows, in the order asked for (the key ending it)", .array(items: listedRow),
                            headers: ["Content-Range": .string(required: false), "Link": .string(required: false), "Preference-Applied": .string(required: false)])
                    ] + errors))
        }
        if writable, engine.permits(.insert, on: resource.name) {
            builder.add(
                .post, collection,
                OpenAPI.Operation(
                    summary: "Create a row of \(name)", operationId: "create." + name, parameters: [prefer],
                    requestBody: OpenAPIParts.body(OpenAPIParts.rowInput(resource, insert: true), "the new row's values"),
                    responses: [
                        201: OpenAPIParts.response("created", row, headers: ["Location": .string, "ETag": .string]),
                    ] + errors))
        }
        if writable, deletes {
            builder.add(
                .delete, collection,
                OpenAPI.Operation(
                    summary: "Delete many rows of \(name)", operationId: "deleteMany." + name,
                    parameters: [OpenAPIParts.query("all", .boolean(required: false), "true: every row (needed when no keys or filter are sent)"), checksum]
                        + deleteFlags + purge + filters + [deleteIfMatch, deletePrefer],
                    requestBody: OpenAPIParts.body(.array(items: OpenAPIParts.keyValue(resource)), required: false, "the keys to delete"),
                    responses: [
                        200: OpenAPIParts.response("all or some went (see outcome and errors); a dry run's ETag is its preview", summary, headers: ["ETag": .string(required: false)]),
                        202: accepted,
                    ] + errors))
        }
        guard !resource.key.isEmpty else { return }
        let item = collection + "/{key}"
        let key = OpenAPIParts.path(
            "key", resource.key.count == 1 ? OpenAPIParts.value(of: resource.keyColumns[0]) : .string,
            resource.key.count == 1 ? "the key" : "the key's parts, in order, joined with commas")
        if readable {
            builder.add(
                .get, item,
                OpenAPI.Operation(
                    summary: "One row of \(name)", operationId: "get." + name,
                    parameters: [key, OpenAPIParts.header("If-None-Match", "304 when the row's entity tag matches")] + showDeleted,
                    responses: [
                        200: OpenAPIParts.response("the row", row, headers: ["ETag": .string]), 304: OpenAPIParts.response("not modified"),
                    ] + errors))
        }
        if writable, engine.permits(.update, on: resource.name) {
            builder.add(
                .patch, item,
                OpenAPI.Operation(
                    summary: "Change a row of \(name)", operationId: "update." + name, parameters: [key, checksum, ifMatch, prefer],
                    requestBody: OpenAPIParts.body(OpenAPIParts.rowInput(resource, insert: false), "the columns to change"),
                    responses: [
                        200: OpenAPIParts.response("the row as it is now", row, headers: ["ETag": .string]),
                        204: OpenAPIParts.response("changed (Prefer: return=minimal)"),
                    ] + errors))
        }
        if writable, soft, engine.permits(.insert, on: resource.name) {
            builder.add(
                .post, item + "/undelete",
                OpenAPI.Operation(
                    summary: "Take a row of \(name) out of the trash, with what its delete cascaded", operationId: "undelete." + name,
                    parameters: [key] + Self.restoreFlags + [prefer],
                    responses: [200: OpenAPIParts.response("taken out of the trash; the undelete's transaction and summary", summary)] + errors))
        }
        if writable, deletes {
            builder.add(
                .delete, item,
                OpenAPI.Operation(
                    summary: "Delete a row of \(name), with what its relationships do", operationId: "delete." + name,
                    parameters: [key, checksum] + deleteFlags + purge + [deleteIfMatch, deletePrefer],
                    responses: [
                        200: OpenAPIParts.response("deleted; the transaction summary (a dry run's ETag is its preview)", summary, headers: ["ETag": .string(required: false)]),
                        202: accepted,
                        204: OpenAPIParts.response("deleted (Prefer: return=minimal)"),
                    ] + errors))
        }
    }

    /// The query flags of an undo and of an undelete.
    static var restoreFlags: [OpenAPIKit.Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>] {
        [
            OpenAPIParts.query("dryrun", .boolean(required: false), "check, report and roll back"),
            OpenAPIParts.query("txsummary", .boolean(required: false), "false leaves the summary out"),
        ]
    }

    /// Every error answer: an RFC 9457 problem.
    static func errorResponses(_ problem: JSONSchema) -> OpenAPI.Response.Map {
        var map = OpenAPI.Response.Map()
        let problemType = OpenAPI.ContentType(rawValue: "application/problem+json")!
        let statuses: [(Int, String)] = [
            (400, "malformed input"), (401, "credentials needed"), (403, "not allowed"), (404, "no such row or resource"),
            (405, "method not allowed"), (409, "a conflict: restricted, duplicate, nothing changed"), (412, "checksum mismatch, or the rows differ from the preview"),
            (413, "body too large"), (415, "not JSON"), (428, "checksum required"), (429, "over a budget or the rate limit"),
            (503, "busy, unavailable or too slow; nothing changed"),
        ]
        for (status, description) in statuses {
            map[OpenAPI.Response.StatusCode(integerLiteral: status)] = OpenAPIParts.response(description, problem, type: problemType)
        }
        map[.default] = OpenAPIParts.response("any other error", problem, type: problemType)
        return map
    }

    static var problemSchema: JSONSchema {
        .object(
            properties: [
                "type": .string, "title": .string, "status": .integer, "detail": .string, "code": .string,
                "instance": .string(required: false), "resource": .string(required: false), "column": .string(required: false),
                "key": .fragment(required: false), "count": .integer(required: false), "outcome": .string(required: false),
                "dryRun": .boolean(required: false), "errors": .array(required: false, items: .object(additionalProperties: .a(true))),
                "dependents": .array(required: false, items: .object(additionalProperties: .a(true))),
                "differences": .array(required: false, items: .object(additionalProperties: .a(true))),
            ],
            additionalProperties: .a(true))
    }

    static var summarySchema: JSONSchema {
        .object(
            properties: [
                "outcome": .string(required: false, allowedValues: "all", "partial"),
                "dryRun": .boolean(required: false),
                "transaction": .string(required: false),
                "preview": .string(required: false, pattern: "^P:[0-9a-f]{32}$"),
                "undid": .string(required: false),
                "txsummary": .array(required: false, items: .object(properties: ["@metadata": .object], additionalProperties: .a(true))),
                "txsummaryTruncated": .boolean(required: false),
                "counts": .object(required: false, additionalProperties: .b(.object(additionalProperties: .b(.integer)))),
                "errors": .array(required: false, items: .object(additionalProperties: .a(true))),
                "errorsTruncated": .boolean(required: false), "errorCount": .integer(required: false),
            ],
            additionalProperties: .a(false))
    }

    static var indexSchema: JSONSchema {
        .object(properties: [
            "resources": .array(
                items: .object(properties: [
                    "name": .string, "href": .string, "key": .array(items: .string), "optimisticLocking": .string,
                    "readOnly": .string(required: false),
                ])),
            "transactions": .object(required: false, properties: ["href": .string]),
        ])
    }
}

extension OpenAPI.Response.Map {
    static func + (lhs: Self, rhs: Self) -> Self {
        var merged = lhs
        for (status, response) in rhs where merged[status] == nil { merged[status] = response }
        return merged
    }
}
