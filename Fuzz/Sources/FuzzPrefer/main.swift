import HTTPTypes
@testable import RestableHTTP

/// RFC 7240 `Prefer`: the input is one or more fields separated by newlines. Invariants: the
/// parser never traps; every accepted list, written back in canonical form, parses to the same
/// preferences; Preferences (with every kind supported) accepts or refuses without trapping, and
/// what it applied (`Preference-Applied`) parses back to the same settings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let input = text(data, size) else { return 0 }
    let fields = input.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let parsed = try? Preference.parse(fields) {
        for preference in parsed {
            require(preference.name == preference.name.lowercased(), "name not lower-cased: \(show(preference.name))")
            require(!preference.name.isEmpty && preference.name.utf8.allSatisfy(HeaderScanner.isTokenByte), "name not a token")
        }
        let canonical = parsed.map(write).joined(separator: ", ")
        do {
            let again = try Preference.parse([canonical])
            require(again == parsed, "'\(show(input))' written as '\(show(canonical))' parses differently")
        } catch {
            require(false, "'\(show(input))' written as '\(show(canonical))' does not parse: \(error)")
        }
    }

    var headers = HTTPFields()
    for field in fields { headers.append(HTTPField(name: .prefer, value: field)) }
    if let preferences = try? Preferences(headers, supported: Set(Preferences.Kind.allCases)) {
        guard let applied = preferences.appliedField else { return 0 }
        do {
            let again = try Preferences([.prefer: applied], supported: Set(Preferences.Kind.allCases))
            require(
                again.returnMinimal == preferences.returnMinimal && again.handling == preferences.handling
                    && again.rollback == preferences.rollback && again.maxAffected == preferences.maxAffected
                    && again.applied == preferences.applied,
                "Preference-Applied '\(applied)' reads back differently")
        } catch {
            require(false, "Preference-Applied '\(show(applied))' does not parse: \(error)")
        }
    }
    return 0
}

/// `token / quoted-string`, quoting (with `\` before `"` and `\`) whatever is not a token.
func word(_ value: String) -> String {
    if !value.isEmpty, value.utf8.allSatisfy(HeaderScanner.isTokenByte) { return value }
    var quoted = "\""
    for scalar in value.unicodeScalars {
        if scalar == "\"" || scalar == "\\" { quoted.append("\\") }
        quoted.unicodeScalars.append(scalar)
    }
    return quoted + "\""
}

func write(_ preference: Preference) -> String {
    var text = preference.name
    if let value = preference.value { text += "=" + word(value) }
    for parameter in preference.parameters {
        text += "; " + parameter.name
        if let value = parameter.value { text += "=" + word(value) }
    }
    return text
}
