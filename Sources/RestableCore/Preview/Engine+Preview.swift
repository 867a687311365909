/// Previews you commit exactly: a dry run keeps the set of rows it would touch under a tag,
/// and a delete sent with that tag commits only when it touches exactly those rows, unchanged.
extension Engine {
    /// How many differences a `previewMismatch` lists (``RestableError/count`` has them all).
    static let listedDifferences = 100
    /// The most rows a kept preview holds to name differences; a larger one keeps its count only.
    static let keptPreviewRows = 100_000

    /// Keeps `preview` (the rows a dry run of a delete of `resource` would touch) for
    /// ``previewRetention``, in its own transaction, and removes previews older than that.
    func keep(_ preview: Preview, of resource: Resource) async throws(RestableError) {
        guard let retention = previewRetention else {
            throw RestableError(.internalError, "previews were asked for on a server that keeps none")
        }
        let now = clock()
        try await run(write: true) { session in
            _ = try await session.delete(RestableTables.previews, where: RowPredicate([.compare(column: "at_ms", .lt, .integer(now - retention.milliseconds))]))
            let tag = RowPredicate([.compare(column: "tag", .eq, .text(preview.tag))])
            // The same rows, unchanged, give the same tag: a second dry run renews the first.
            let principal = self.authorization.principal.map { Value.text($0.name) } ?? .null
            if try await session.update(RestableTables.previews, where: tag, set: ["at_ms": .integer(now), "principal": principal]) > 0 { return }
            let rows = preview.entries.count <= Self.keptPreviewRows ? JournalCodec.encode(preview.entries.map(\.cells)) : ""
            do {
                try await session.savepoint {
                    _ = try await session.insert(
                        RestableTables.previews,
                        values: [
                            "tag": .text(preview.tag), "at_ms": .integer(now), "resource": .text(resource.name),
                            "row_count": .integer(Int64(preview.entries.count)), "rows": .text(rows), "principal": principal,
                        ])
                }
            } catch let error as RestableError where error.code == .duplicateKey {
                // Another server kept the same preview at the same moment.
            }
        }
    }

    /// Refuses (`previewMismatch`, naming each row that differs) when `now`, what the delete
    /// touches in this transaction, is not the preview tagged `tag`.
    func check(_ now: Preview, against tag: String, in session: any StoreSession) async throws {
        guard now.tag != tag else { return }
        let kept = RowPredicate([
            .compare(column: "tag", .eq, .text(tag)), .compare(column: "at_ms", .gte, .integer(clock() - (previewRetention?.milliseconds ?? 0))),
        ])
        let rows = try await session.select(RestableTables.previews, where: kept)
        guard let row = rows.first, case .text(let text) = row["rows"] else {
            throw RestableError(
                .previewMismatch,
                "this delete would touch \(now.entries.count == 1 ? "1 row" : "\(now.entries.count) rows"), not those of preview \(tag), which this server does not hold (older than \(previewRetention?.description ?? "its retention"), or never made); nothing was changed: make a new preview with a dry run")
        }
        // Only the caller who made the preview is told which rows it held: they may include rows
        // another caller's read policy hides.
        guard row["principal"] == (authorization.principal.map { Value.text($0.name) } ?? .null) else {
            throw RestableError(
                .previewMismatch,
                "this delete would touch \(now.entries.count == 1 ? "1 row" : "\(now.entries.count) rows"), not those of preview \(tag), which another caller made; nothing was changed: make a preview of your own with a dry run")
        }
        guard !text.isEmpty else {
            throw RestableError(
                .previewMismatch,
                "this delete does not touch exactly the rows of preview \(tag), which held more than the \(Self.keptPreviewRows) rows whose differences can be named; nothing was changed: review a new dry run")
        }
        let then: Preview
        do {
            then = Preview(try JournalCodec.decode(text).map { cells throws(JournalCorrupt) in try PreviewEntry(cells: cells) })
        } catch {
            throw RestableError(.internalError, "a kept preview cannot be read")
        }
        let differences = then.differences(from: now)
        let counted = Dictionary(grouping: differences, by: \.kind).mapValues(\.count)
        let described = [PreviewDifference.Kind.added, .removed, .changed].compactMap { kind in
            counted[kind].map { "\($0) \(kind.rawValue)" }
        }
        var error = RestableError(
            .previewMismatch,
            "this delete no longer touches exactly the rows of preview \(tag) (\(described.joined(separator: ", "))); nothing was changed: review a new dry run",
            count: differences.count)
        error.differences = Array(differences.prefix(Self.listedDifferences))
        throw error
    }
}
