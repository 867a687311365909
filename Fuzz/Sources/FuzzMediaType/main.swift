import HTTPTypes
@testable import RestableHTTP

/// `Content-Type`: never traps; an accepted media type has lower-case token type and subtype,
/// and written back (parameter values quoted where needed) parses to the same media type;
/// requireJSON decides without trapping, and accepts only application/json-like types.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let input = text(data, size) else { return 0 }
    let headers: HTTPFields = [.contentType: input]
    let isJSON = (try? MediaType.requireJSON(headers)) != nil
    guard let media = MediaType.parse(input) else {
        // requireJSON reads the field as HTTPFields holds it (which may differ from the raw input).
        if let stored = headers[.contentType], MediaType.parse(stored) == nil {
            require(!isJSON, "requireJSON accepted a malformed Content-Type '\(show(stored))'")
        }
        return 0
    }
    for part in [media.type, media.subtype] {
        require(!part.isEmpty && part.utf8.allSatisfy(HeaderScanner.isTokenByte) && part == part.lowercased(), "bad part \(show(part))")
    }
    if isJSON, headers[.contentType] == input {
        require(media.type == "application", "requireJSON accepted \(media.type)/\(media.subtype)")
    }
    var written = media.type + "/" + media.subtype
    for (name, value) in media.parameters {
        require(name == name.lowercased() && name.utf8.allSatisfy(HeaderScanner.isTokenByte), "bad parameter name \(show(name))")
        written += "; " + name + "=" + word(value)
    }
    let again = MediaType.parse(written)
    require(again == media, "'\(show(input))' written as '\(show(written))' parses differently")
    return 0
}

func word(_ value: String) -> String {
    if !value.isEmpty, value.utf8.allSatisfy(HeaderScanner.isTokenByte) { return value }
    var quoted = "\""
    for scalar in value.unicodeScalars {
        if scalar == "\"" || scalar == "\\" { quoted.append("\\") }
        quoted.unicodeScalars.append(scalar)
    }
    return quoted + "\""
}
