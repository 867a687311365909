import RestableHTTP

/// A small CRM served by every dialect, for the tests of the vendors' reads: 60 companies with
/// names, cities (some null, some differing only in case, one with a `%`) and revenues (some
/// null), and tickets that belong to some of them (cascade).
enum VendorReadFixture {
    struct Company: Sendable {
        let id: Int64
        let name: String
        let city: String?
        let revenue: Int64?
    }

    static let cities: [String?] = ["Berlin", "Boston", nil, "berlin", "Bern%", "Bonn"]

    static let companies: [Company] = (1...60).map { index in
        Company(
            id: Int64(index), name: "Company \(index < 10 ? "0" : "")\(index)", city: cities[index % cities.count],
            revenue: index % 7 == 0 ? nil : Int64(index * 10))
    }

    /// Tickets 1 to 9: company 2 has three, company 3 two, companies 4 to 7 one each.
    static let tickets: [(id: Int64, company: Int64)] = [(1, 2), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 5), (8, 6), (9, 7)]

    static var yaml: String {
        var text = """
            database: "sqlite::memory:"
            resources:
              company:
                key: id
                columns: { id: integer generated, name: text required, city: text, revenue: integer }
              ticket:
                key: id
                columns: { id: integer generated, company_id: integer required, title: text }
            relationships:
              - { parent: company, child: ticket, columns: [company_id], onDelete: cascade }
            mounts:
              - { path: /api, dialect: native }
              - { path: /atservicesrest/v1.0, dialect: autotask, names: { Companies: company, Tickets: ticket } }
              - { path: /rest/default/crm/v1, dialect: liveapi, names: { "crm:company": company, "crm:ticket": ticket } }
              - { path: /rest, dialect: buzz }
            seed:
              company:

            """
        for company in companies {
            let city = company.city.map { "\"\($0)\"" } ?? "null"
            let revenue = company.revenue.map(String.init) ?? "null"
            text += "      - { id: \(company.id), name: \"\(company.name)\", city: \(city), revenue: \(revenue) }\n"
        }
        text += "  ticket:\n"
        for ticket in tickets { text += "      - { id: \(ticket.id), company_id: \(ticket.company), title: \"T\(ticket.id)\" }\n" }
        return text
    }

    /// The ids of the companies `predicate` holds for, in id order.
    static func ids(_ predicate: (Company) -> Bool) -> [Int64] {
        companies.filter(predicate).map(\.id)
    }

    /// The integer ids of a JSON array of rows.
    static func ids(_ items: JSON?, field: String = "id") -> [Int64] {
        (items?.arrayValue ?? []).compactMap { $0[field]?.integerValue }
    }
}
