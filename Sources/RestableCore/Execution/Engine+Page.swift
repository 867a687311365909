/// A page of a list, with what a client needs to go on from it and to say where it is.
public struct ListPage: Sendable {
    /// The page's rows, in the request's order.
    public var rows: [Row]
    /// True when more rows follow the page.
    public var hasMore: Bool
    /// Where the next page starts (after the page's last row, in the same order); nil when no
    /// row follows the page, and when the next page can only be found by its offset: the
    /// resource has no key, or the last row holds a value no cursor can carry exactly (one
    /// that does not read back as its column's type, such as a PostgreSQL `infinity` or bytes
    /// SQLite keeps in a text column).
    public var next: ListCursor?
    /// How many rows the request matches, without its limit, offset or cursor; nil unless counted.
    public var total: Int?
    /// How many of those come before the page's first row; nil unless counted.
    public var position: Int?

    public init(rows: [Row], hasMore: Bool = false, next: ListCursor? = nil, total: Int? = nil, position: Int? = nil) {
        self.rows = rows
        self.hasMore = hasMore
        self.next = next
        self.total = total
        self.position = position
    }
}

extension Engine {
    /// At most `size` rows of a list request (whose own limit is ignored) and the cursor of the
    /// rows after them. With `counting`, also how many rows the request matches in all and how
    /// many of them precede the page, read in the same transaction as the rows. A page of no
    /// rows still checks its cursor, and counts.
    public func page(_ request: ListRequest, size: Int, counting: Bool = false) async throws(RestableError) -> ListPage {
        guard size >= 0 else { throw RestableError(.invalidQuery, "a page holds zero rows or more") }
        var probe = request
        probe.limit = size + 1
        let read = try readPlan(probe)
        var whole = request
        (whole.cursor, whole.limit, whole.offset) = (nil, nil, nil)
        let all = counting ? try readPlan(whole) : nil
        var rest = request
        (rest.limit, rest.offset) = (nil, nil)
        let following = counting && request.cursor != nil ? try readPlan(rest) : nil
        let (rows, total, remaining) = try await run(write: false) { session in
            let rows = try await session.select(read.resource, where: read.predicate, order: read.order, limit: read.limit, offset: read.offset)
            var total: Int?
            var remaining: Int?
            if let all { total = try await session.count(all.resource, where: all.predicate) }
            if let following { remaining = try await session.count(following.resource, where: following.predicate) }
            return (rows, total, remaining)
        }
        var page = ListPage(rows: Array((read.reversed ? rows.reversed() : rows).prefix(size)), total: total)
        if let total { page.position = remaining.map { total - $0 } ?? min(total, request.offset ?? 0) }
        page.hasMore = rows.count > size
        if page.hasMore, !read.resource.key.isEmpty, let last = page.rows.last {
            let values = read.order.map { last[$0.column] }
            if zip(read.order, values).allSatisfy({ Planner.cursorCarries($1, of: read.resource.column(named: $0.column)) }) {
                page.next = ListCursor.following(values)
            }
        }
        return page
    }
}
