import RestableCore
@testable import RestableHTTP

/// The vendor query forms: LAC's `sysfilter` and `sysorder`, and Autotask's search JSON, each
/// checked against one resource by the planner. Invariants: never traps (deep nesting, long
/// lists and odd characters are refused, not recursed into without bound); whatever is read
/// either plans or is refused with a RestableError; a search that plans keeps its conditions
/// within the planner's limits.
let resource = Resource(
    name: "t", key: ["id"],
    columns: [Column(name: "id", type: .integer), Column(name: "name", type: .text), Column(name: "Name2", type: .text), Column(name: "n", type: .decimal)])
let planner = Planner(schema: Schema(resources: [resource], relationships: []))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let input = text(data, size) else { return 0 }
    if let filter = try? LiveAPIQuery.filter(input) {
        require(filter.conditionCount >= 1, "'\(show(input))' read as a sysfilter without a condition")
        check(filter, input)
    }
    if let order = try? LiveAPIQuery.order(input) {
        require(!order.isEmpty, "'\(show(input))' read as an empty sysorder")
        _ = try? planner.order(order, of: resource)
    }
    if let search = try? AutotaskSearch(input, of: resource) {
        require((1...AutotaskSearch.largestPage).contains(search.maxRecords), "MaxRecords \(search.maxRecords) from '\(show(input))'")
        require(search.includeFields?.allSatisfy { resource.column(named: $0) != nil } ?? true, "an IncludeFields entry is no column")
        check(search.filter, input)
    }
    return 0
}

func check(_ filter: FilterExpression, _ input: String) {
    do {
        let predicate = try planner.predicate(filter, of: resource)
        require(filter.conditionCount <= Planner.maximumFilters, "'\(show(input))' planned past the filter limit")
        require(filter.depth <= Planner.maximumFilterDepth, "'\(show(input))' planned past the depth limit")
        _ = predicate
    } catch {
        require(!error.message.isEmpty, "a refusal without a message")
    }
}
