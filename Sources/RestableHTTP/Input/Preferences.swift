public import HTTPTypes
public import RestableCore

/// One preference of an RFC 7240 `Prefer` header: `name[=value]` and its `;` parameters.
public struct Preference: Sendable, Hashable {
    /// The name, lower-cased (preference names are case-insensitive).
    public var name: String
    public var value: String?
    /// The `;` parameters in order, each a lower-cased name and its value (unquoted), if any.
    public var parameters: [Parameter]

    /// One `name[=value]` parameter of a preference.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String?

        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }

        /// `name` or `name=value`, as a message shows it.
        public var description: String { value.map { "\(name)=\($0)" } ?? name }
    }

    /// Parses every `Prefer` field of a request. Fails with `invalidHeader` naming the text that
    /// breaks the grammar `token [BWS "=" BWS word] *(OWS ";" [OWS parameter])`.
    public static func parse(_ fields: [String]) throws(RestableError) -> [Preference] {
        var preferences: [Preference] = []
        for field in fields {
            var scanner = HeaderScanner(field)
            _ = scanner.skipListSeparators()
            while !scanner.atEnd {
                guard let name = scanner.token() else { throw malformed(field) }
                var preference = Preference(name: name.lowercased(), value: nil, parameters: [])
                scanner.skipWhitespace()
                if scanner.take(UInt8(ascii: "=")) {
                    scanner.skipWhitespace()
                    guard let value = scanner.word() else { throw malformed(field) }
                    preference.value = value
                    scanner.skipWhitespace()
                }
                while scanner.take(UInt8(ascii: ";")) {
                    scanner.skipWhitespace()
                    guard let parameter = scanner.token() else {
                        if scanner.atEnd || scanner.peek == UInt8(ascii: ",") || scanner.peek == UInt8(ascii: ";") { continue }
                        throw malformed(field)
                    }
                    var found = Parameter(name: parameter.lowercased())
                    scanner.skipWhitespace()
                    if scanner.take(UInt8(ascii: "=")) {
                        scanner.skipWhitespace()
                        guard let value = scanner.word() else { throw malformed(field) }
                        found.value = value
                        scanner.skipWhitespace()
                    }
                    preference.parameters.append(found)
                }
                preferences.append(preference)
                guard scanner.skipListSeparators() else { throw malformed(field) }
            }
        }
        return preferences
    }

    private static func malformed(_ field: String) -> RestableError {
        RestableError(.invalidHeader, "the Prefer header '\(field)' is malformed (RFC 7240: name=value, separated by commas)")
    }
}

/// The preferences Restable acts on, read strictly from a request's `Prefer` header: a
/// preference that a route does not support, an unknown value, a parameter, or two different
/// values of one preference are `invalidHeader` naming it, so that none is ignored.
public struct Preferences: Sendable {
    /// The preferences a route can act on.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `return=minimal` or `return=representation`.
        case `return`
        /// `handling=strict` or `handling=lenient`.
        case handling
        /// `tx=commit` or `tx=rollback`.
        case tx
        /// `max-affected=N`.
        case maxAffected = "max-affected"
        /// `count=exact`: a read also counts every row it matches (`Content-Range`).
        case count
        /// `respond-async`: run the request as a job and answer `202 Accepted` at once.
        case respondAsync = "respond-async"
    }

    public var returnMinimal = false
    public var handling: FailureHandling?
    public var rollback = false
    public var maxAffected: Int?
    /// `count=exact`: count every matching row.
    public var countExact = false
    /// `respond-async`: run as a job.
    public var respondAsync = false
    /// Every preference acted on, for `Preference-Applied`.
    public private(set) var applied: [String] = []

    public init() {}

    public init(_ headers: HTTPFields, supported: Set<Kind>) throws(RestableError) {
        var seen: [String: String?] = [:]
        for preference in try Preference.parse(headers[values: .prefer]) {
            guard let kind = Kind(rawValue: preference.name), supported.contains(kind) else {
                let offered = supported.isEmpty ? "none" : supported.map(\.rawValue).sorted().joined(separator: ", ")
                throw RestableError(
                    .invalidHeader, "Prefer: '\(preference.name)' is not supported here (supported: \(offered))")
            }
            guard preference.parameters.isEmpty else {
                throw RestableError(.invalidHeader, "Prefer: '\(preference.name)' takes no parameters, got '\(preference.parameters[0].description)'")
            }
            if let earlier = seen[preference.name] {
                guard earlier?.lowercased() == preference.value?.lowercased() else {
                    throw RestableError(.invalidHeader, "Prefer: '\(preference.name)' is given twice with different values")
                }
                continue
            }
            seen[preference.name] = preference.value
            let value = preference.value ?? ""
            func refuse(_ expected: String) -> RestableError {
                RestableError(.invalidHeader, "Prefer: \(preference.name) must be \(expected), got '\(value)'")
            }
            switch kind {
            case .return:
                switch value.lowercased() {
                case "minimal": returnMinimal = true
                case "representation": returnMinimal = false
                default: throw refuse("minimal or representation")
                }
            case .handling:
                guard let handling = FailureHandling(rawValue: value.lowercased()) else { throw refuse("strict or lenient") }
                self.handling = handling
            case .tx:
                switch value.lowercased() {
                case "rollback": rollback = true
                case "commit": rollback = false
                default: throw refuse("commit or rollback")
                }
            case .maxAffected:
                guard let max = StrictValue.count(value) else { throw refuse("a whole number, zero or more") }
                maxAffected = max
            case .count:
                // PostgREST's planned and estimated counts read the planner's statistics, which
                // Restable does not consult: only an exact count is offered.
                guard value.lowercased() == "exact" else { throw refuse("exact (planned and estimated counts are not offered)") }
                countExact = true
            case .respondAsync:
                guard preference.value == nil else { throw refuse("given without a value") }
                respondAsync = true
                applied.append(kind.rawValue)
                continue
            }
            applied.append(kind.rawValue + "=" + value.lowercased())
        }
    }

    /// The `Preference-Applied` field, when any preference was acted on.
    public var appliedField: String? {
        applied.isEmpty ? nil : applied.joined(separator: ", ")
    }
}

extension HTTPField.Name {
    static var prefer: Self { .init("Prefer")! }
    static var preferenceApplied: Self { .init("Preference-Applied")! }
}
