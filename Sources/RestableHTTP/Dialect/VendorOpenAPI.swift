import OpenAPIKit
import RestableCore
public import RestableOpenAPI

/// The error answers of a dialect, each status with the dialect's own error body.
func errorResponses(_ schema: JSONSchema, _ statuses: [(Int, String)]) -> OpenAPI.Response.Map {
    var map = OpenAPI.Response.Map()
    for (status, description) in statuses {
        map[OpenAPI.Response.StatusCode(integerLiteral: status)] = OpenAPIParts.response(description, schema)
    }
    map[.default] = OpenAPIParts.response("any other error", schema)
    return map
}

typealias ParameterEntry = OpenAPIKit.Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>

extension LiveAPIDialect {
    /// Live API Creator's routes: resources under their LAC names, rows with `@metadata`,
    /// batches by PUT, errors as `statusCode` / `errorCode` / `errorMessage`.
    public func describe(into builder: inout OpenAPIBuilder) {
        let error = builder.schema(
            named: "LiveAPIError",
            .object(properties: ["statusCode": .integer, "errorCode": .string, "errorMessage": .string], additionalProperties: .a(true)))
        let errors = errorResponses(error, [
            (400, "malformed input"), (401, "credentials needed"), (403, "not allowed"), (404, "no such object or resource"),
            (405, "method not allowed"), (409, "a conflict: restricted, checksum, duplicate"), (413, "body too large"),
            (429, "over a budget or the rate limit"), (503, "busy, unavailable or too slow; nothing changed"),
        ])
        let summary = builder.schema(
            named: "LiveAPISummary",
            .object(
                properties: [
                    "statusCode": .integer,
                    "txsummary": .array(required: false, items: .object(properties: ["@metadata": .object], additionalProperties: .a(true))),
                    "rulesummary": .array(required: false, items: .object(additionalProperties: .a(true))),
                ], additionalProperties: .a(true)))
        let flag: JSONSchema = .boolean(required: false)
        let changeFlags: [ParameterEntry] = [
            OpenAPIParts.query("txsummary", flag, "false leaves the summary out"),
            OpenAPIParts.query("rulesummary", flag, "adds an empty rulesummary"),
            OpenAPIParts.query("dryrun", flag, "run, report and roll back"),
        ]
        let batchBody = OpenAPIParts.body(
            .array(items: .object(properties: ["@metadata": .object(properties: ["action": .string(required: false), "href": .string(required: false), "checksum": .string(required: false)], additionalProperties: .a(true))], additionalProperties: .a(true))),
            "objects with @metadata: action (INSERT, UPDATE, DELETE, MERGE), href, checksum")
        let writes: [Action] = [.insert, .update, .delete]
        let mayWrite = names.served(in: engine.schema).contains { entry in writes.contains { engine.permits($0, on: entry.resource.name) } }
        if mayWrite {
        builder.add(
            .put, "/",
            OpenAPI.Operation(
                summary: "A batch of changes in one transaction", operationId: "batch",
                parameters: [OpenAPIParts.query("ignoredeleted", flag, "a DELETE of a missing object is not an error")] + changeFlags,
                requestBody: batchBody, responses: [200: OpenAPIParts.response("the transaction summary", summary)] + errors))
        }
        for (name, resource) in names.served(in: engine.schema) {
            let collection = "/" + PercentEncoding.encodeName(name)
            let row = OpenAPIParts.row(resource, metadata: .object(properties: ["href": .string, "checksum": .string], additionalProperties: .a(true)))
            if engine.permits(.read, on: resource.name) {
                let page: JSONSchema = .integer(required: false, maximum: (Self.largestPageSize, exclusive: false), minimum: (1, exclusive: false))
                let nextBatch: JSONSchema = .object(
                    properties: ["@metadata": .object(properties: ["next_batch": .string], additionalProperties: .a(false))], additionalProperties: .a(false))
                builder.add(
                    .get, collection,
                    OpenAPI.Operation(
                        summary: "Objects of \(name)", operationId: "list." + name,
                        parameters: [
                            OpenAPIParts.query("sysfilter", .array(items: .string), "a structured filter, for example equal(name: 'Jones'); several must all hold"),
                            OpenAPIParts.query("sysorder", .string(required: false), "the order, for example (name:asc, balance:desc)"),
                            OpenAPIParts.query("pagesize", page, "objects a page (20 when absent)"),
                            OpenAPIParts.query("limit", page, "the same as pagesize"),
                            OpenAPIParts.query("offset", .integer(required: false, minimum: (0, exclusive: false)), "skip this many"),
                        ],
                        responses: [
                            200: OpenAPIParts.response("the objects; a last element with @metadata.next_batch when more follow", .array(items: .one(of: [row, nextBatch])))
                        ] + errors))
            }
            guard resource.readOnly == nil else { continue }
            if engine.permits(.insert, on: resource.name) {
                builder.add(
                    .post, collection,
                    OpenAPI.Operation(
                        summary: "Insert objects of \(name)", operationId: "insert." + name, parameters: changeFlags,
                        requestBody: OpenAPIParts.body(.one(of: [OpenAPIParts.rowInput(resource, insert: true), .array(items: OpenAPIParts.rowInput(resource, insert: true))]), "an object or an array of objects"),
                        responses: [201: OpenAPIParts.response("inserted; the transaction summary", summary)] + errors))
            }
            if writes.contains(where: { engine.permits($0, on: resource.name) }) {
            builder.add(
                .put, collection,
                OpenAPI.Operation(
                    summary: "A batch of changes to \(name)", operationId: "batch." + name,
                    parameters: [OpenAPIParts.query("ignoredeleted", flag, "a DELETE of a missing object is not an error")] + changeFlags,
                    requestBody: batchBody, responses: [200: OpenAPIParts.response("the transaction summary", summary)] + errors))
            }
            guard !resource.key.isEmpty else { continue }
            let key = OpenAPIParts.path("key", .string, "the primary key (parts joined with commas)")
            if engine.permits(.read, on: resource.name) {
                builder.add(
                    .get, collection + "/{key}",
                    OpenAPI.Operation(summary: "One object of \(name)", operationId: "get." + name, parameters: [key], responses: [200: OpenAPIParts.response("the object", row)] + errors))
            }
            if engine.permits(.delete, on: resource.name) {
                builder.add(
                    .delete, collection + "/{key}",
                    OpenAPI.Operation(
                        summary: "Delete an object of \(name)", operationId: "delete." + name,
                        parameters: [
                            key, OpenAPIParts.query("checksum", .string(required: false), "the object's checksum, or override"),
                            OpenAPIParts.query("ignoredeleted", flag, "a missing object is not an error"),
                        ] + changeFlags,
                        responses: [200: OpenAPIParts.response("deleted; the transaction summary", summary)] + errors))
            }
        }
    }
}

extension AutotaskDialect {
    /// Autotask's routes: entities by their Autotask names, ids in the path, `{"itemId": n}`
    /// on a create or delete, `{"errors": [...]}` on every failure.
    public func describe(into builder: inout OpenAPIBuilder) {
        let error = builder.schema(named: "AutotaskErrors", .object(properties: ["errors": .array(items: .string)], additionalProperties: .a(true)))
        let errors = errorResponses(error, [
            (400, "malformed input"), (401, "credentials needed"), (403, "not allowed"), (404, "no such entity"),
            (405, "method not allowed"), (413, "body too large"), (429, "over a budget or the rate limit"),
            (500, "a rule was violated (restrict, duplicate) or an internal error"), (503, "busy, unavailable or too slow; nothing changed"),
        ])
        let item = builder.schema(named: "AutotaskItemId", .object(properties: ["itemId": .fragment]))
        builder.add(
            .get, "/zoneInformation",
            OpenAPI.Operation(
                summary: "Zone discovery: this server's base URL", operationId: "zoneInformation",
                parameters: [OpenAPIParts.query("user", .string, "the API user's name", required: true)],
                responses: [
                    200: OpenAPIParts.response(
                        "the zone", .object(properties: ["zoneName": .string, "url": .string, "webUrl": .string, "ci": .integer], additionalProperties: .a(false)))
                ] + errors, security: []))
        let served = names.served(in: engine.schema).filter { $0.resource.key.count == 1 }
        for (name, resource) in served {
            let path = "/" + PercentEncoding.encodeName(name)
            let id = OpenAPIParts.path("id", OpenAPIParts.value(of: resource.keyColumns[0]), "the entity's id")
            let writable = resource.readOnly == nil
            if writable, engine.permits(.insert, on: resource.name) {
                builder.add(
                    .post, path,
                    OpenAPI.Operation(
                        summary: "Create a \(name)", operationId: "create." + name,
                        requestBody: OpenAPIParts.body(OpenAPIParts.rowInput(resource, insert: true), "the entity's fields"),
                        responses: [200: OpenAPIParts.response("created", item)] + errors))
            }
            if engine.permits(.read, on: resource.name) {
                describeQueries(name, resource, path, errors, into: &builder)
                builder.add(
                    .get, path + "/{id}",
                    OpenAPI.Operation(
                        summary: "One \(name)", operationId: "get." + name, parameters: [id],
                        responses: [200: OpenAPIParts.response("the entity", .object(properties: ["item": .object(additionalProperties: .a(true))]))] + errors))
            }
            if writable, engine.permits(.delete, on: resource.name) {
                builder.add(
                    .delete, path + "/{id}",
                    OpenAPI.Operation(
                        summary: "Delete a \(name)", operationId: "delete." + name, parameters: [id],
                        responses: [200: OpenAPIParts.response("deleted", item)] + errors))
            }
            for link in engine.schema.references(of: resource.name) where link.columns.count == 1 {
                guard let parent = served.first(where: { $0.resource.name == link.parent }), writable else { continue }
                let children = "/" + PercentEncoding.encodeName(parent.name) + "/{parentId}/" + PercentEncoding.encodeName(name)
                let parentId = OpenAPIParts.path("parentId", OpenAPIParts.value(of: parent.resource.keyColumns[0]), "the parent's id")
                if engine.permits(.insert, on: resource.name) {
                    builder.add(
                        .post, children,
                        OpenAPI.Operation(
                            summary: "Create a \(name) of a \(parent.name)", operationId: "create.\(parent.name).\(name)", parameters: [parentId],
                            requestBody: OpenAPIParts.body(OpenAPIParts.rowInput(resource, insert: false), "the entity's fields"),
                            responses: [200: OpenAPIParts.response("created", item)] + errors))
                }
                if engine.permits(.read, on: resource.name) {
                    let page = builder.schema(named: "AutotaskPage", Self.pageSchema)
                    builder.add(
                        .get, children,
                        OpenAPI.Operation(
                            summary: "The \(name) of a \(parent.name)", operationId: "list.\(parent.name).\(name)", parameters: [parentId],
                            responses: [200: OpenAPIParts.response("a page of children", page)] + errors))
                    builder.add(
                        .get, children + "/{id}",
                        OpenAPI.Operation(
                            summary: "One \(name) of a \(parent.name)", operationId: "get.\(parent.name).\(name)", parameters: [parentId, id],
                            responses: [200: OpenAPIParts.response("the entity", .object(properties: ["item": .object(additionalProperties: .a(true))]))] + errors))
                }
                if engine.permits(.delete, on: resource.name) {
                    builder.add(
                        .delete, children + "/{id}",
                        OpenAPI.Operation(
                            summary: "Delete a \(name) of a \(parent.name)", operationId: "delete.\(parent.name).\(name)", parameters: [parentId, id],
                            responses: [200: OpenAPIParts.response("deleted", item)] + errors))
                }
            }
        }
    }
}

extension AutotaskDialect {
    static let pageSchema: JSONSchema = .object(
        properties: [
            "items": .array(items: .object(additionalProperties: .a(true))),
            "pageDetails": .object(
                properties: ["count": .integer, "requestCount": .integer, "prevPageUrl": .string(nullable: true), "nextPageUrl": .string(nullable: true)],
                additionalProperties: .a(false)),
        ], additionalProperties: .a(false))

    /// The query routes of one entity.
    func describeQueries(
        _ name: String, _ resource: Resource, _ path: String, _ errors: OpenAPI.Response.Map, into builder: inout OpenAPIBuilder
    ) {
        let page = builder.schema(named: "AutotaskPage", Self.pageSchema)
        let search = builder.schema(
            named: "AutotaskSearch",
            .object(
                properties: [
                    "filter": .array(minItems: 1, items: .object(additionalProperties: .a(true))),
                    "IncludeFields": .array(required: false, items: .string),
                    "MaxRecords": .integer(required: false, maximum: (AutotaskSearch.largestPage, exclusive: false), minimum: (1, exclusive: false)),
                ], additionalProperties: .a(true)))
        let searchParameter = OpenAPIParts.query("search", .string, "the search as JSON: {\"filter\": [...], \"IncludeFields\": [...], \"MaxRecords\": n}", required: true)
        let count = OpenAPIParts.response("the count", .object(properties: ["queryCount": .integer], additionalProperties: .a(false)))
        builder.add(
            .get, path + "/query",
            OpenAPI.Operation(
                summary: "Find \(name)", operationId: "query.get." + name, parameters: [searchParameter],
                responses: [200: OpenAPIParts.response("a page of matches", page)] + errors))
        builder.add(
            .post, path + "/query",
            OpenAPI.Operation(
                summary: "Find \(name) (the search as the body)", operationId: "query.post." + name,
                requestBody: OpenAPIParts.body(search, "the search"), responses: [200: OpenAPIParts.response("a page of matches", page)] + errors))
        builder.add(
            .get, path + "/query/count",
            OpenAPI.Operation(summary: "Count \(name)", operationId: "count.get." + name, parameters: [searchParameter], responses: [200: count] + errors))
        builder.add(
            .post, path + "/query/count",
            OpenAPI.Operation(
                summary: "Count \(name) (the search as the body)", operationId: "count.post." + name,
                requestBody: OpenAPIParts.body(search, "the search"), responses: [200: count] + errors))
        for (direction, member) in [("next", "after"), ("prev", "before")] {
            builder.add(
                .get, path + "/query/" + direction,
                OpenAPI.Operation(
                    summary: "The \(direction == "next" ? "next" : "previous") page of a search of \(name)", operationId: "query.\(direction)." + name,
                    parameters: [
                        OpenAPIParts.query("paging", .string, "{\"\(member)\": id}, as the page links write it", required: true), searchParameter,
                    ],
                    responses: [200: OpenAPIParts.response("a page of matches", page)] + errors))
        }
    }
}

extension BuzzDialect {
    /// Buzz's routes: DELETE with the key in the body (one or a list) or in the path, one body
    /// for every outcome (`status`, `message`, `payload`); the sign-in routes when the mount has them.
    public func describe(into builder: inout OpenAPIBuilder) {
        let reply = builder.schema(
            named: "BuzzReply",
            .object(
                properties: ["status": .string(allowedValues: "SUCCESS", "WARNING", "ERROR"), "message": .string, "payload": .object(additionalProperties: .a(true))],
                additionalProperties: .a(false)))
        let errors = errorResponses(reply, [
            (400, "malformed input"), (401, "credentials needed"), (403, "not allowed"), (404, "no such object type, or every key missing"),
            (405, "method not allowed"), (406, "nothing was deleted"), (413, "body too large"), (429, "over a budget or the rate limit"),
            (503, "busy, unavailable or too slow; nothing changed"),
        ])
        let strict = OpenAPIParts.query("strict", .boolean(required: false), "true: delete nothing unless everything can go")
        let dryRun = OpenAPIParts.query("dryrun", .boolean(required: false), "run, report and roll back")
        if signIn != nil {
            builder.add(
                .post, "/login",
                OpenAPI.Operation(
                    summary: "Sign in: sets the session cookie", operationId: "login",
                    requestBody: OpenAPIParts.body(.object(properties: ["username": .string, "password": .string], additionalProperties: .a(false)), "the user name and password"),
                    responses: [200: OpenAPIParts.response("signed in", reply, headers: ["Set-Cookie": .string])] + errors,
                    security: []))
            builder.add(
                .post, "/logout",
                OpenAPI.Operation(summary: "Sign out: ends the session", operationId: "logout", responses: [200: OpenAPIParts.response("signed out", reply)] + errors))
        }
        for (name, resource) in names.served(in: engine.schema) where resource.key.count == 1 && engine.permits(.read, on: resource.name) {
            let keyField = resource.key[0]
            let path = "/" + PercentEncoding.encodeName(name)
            let key = OpenAPIParts.value(of: resource.keyColumns[0])
            builder.add(
                .get, path,
                OpenAPI.Operation(
                    summary: "\(name) objects: a page, or those named by key in the body", operationId: "read." + name,
                    parameters: [
                        OpenAPIParts.query("limit", .integer(required: false, maximum: (Self.largestPage, exclusive: false), minimum: (1, exclusive: false)), "objects a page (100 when absent)"),
                        OpenAPIParts.query("offset", .integer(required: false, minimum: (0, exclusive: false)), "skip this many"),
                    ],
                    requestBody: OpenAPIParts.body(
                        .object(properties: [keyField: .one(of: [key, .array(items: key)])], additionalProperties: .a(false)), required: false,
                        "the key, or a list of keys (then no limit or offset)"),
                    responses: [200: OpenAPIParts.response("found (SUCCESS), or some (WARNING, payload.missing)", reply)] + errors))
            builder.add(
                .get, path + "/{id}",
                OpenAPI.Operation(
                    summary: "One \(name) object", operationId: "get." + name, parameters: [OpenAPIParts.path("id", key, "the object's key")],
                    responses: [200: OpenAPIParts.response("found", reply)] + errors))
        }
        for (name, resource) in names.served(in: engine.schema) where resource.key.count == 1 && resource.readOnly == nil {
            guard engine.permits(.delete, on: resource.name) else { continue }
            let keyField = resource.key[0]
            let path = "/" + PercentEncoding.encodeName(name)
            let key = OpenAPIParts.value(of: resource.keyColumns[0])
            builder.add(
                .delete, path,
                OpenAPI.Operation(
                    summary: "Delete \(name) objects by the keys in the body", operationId: "deleteMany." + name, parameters: [strict, dryRun],
                    requestBody: OpenAPIParts.body(
                        .object(properties: [keyField: .one(of: [key, .array(items: key)]), "strict": .boolean(required: false)], additionalProperties: .a(true)),
                        "the key, or a list of keys"),
                    responses: [200: OpenAPIParts.response("all deleted (SUCCESS) or some (WARNING)", reply)] + errors))
            builder.add(
                .delete, path + "/{id}",
                OpenAPI.Operation(
                    summary: "Delete one \(name) object", operationId: "delete." + name,
                    parameters: [OpenAPIParts.path("id", key, "the object's key"), strict, dryRun],
                    responses: [200: OpenAPIParts.response("deleted", reply)] + errors))
        }
    }
}
