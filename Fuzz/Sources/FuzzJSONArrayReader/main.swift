@testable import RestableHTTP

/// JSONArrayReader against JSONParser: reading a text element by element must accept exactly
/// the texts that JSONParser accepts as an array, with the same elements.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let whole: JSON?
    do { whole = try JSONParser.parse(input) } catch { whole = nil }

    var streamed: [JSON]? = []
    do {
        var reader = try JSONArrayReader(input)
        while let element = try reader.next() {
            streamed!.append(element)
            require(reader.elementsRead == streamed!.count, "elementsRead \(reader.elementsRead) after \(streamed!.count) elements")
        }
        // After the end, the reader stays finished.
        let extra = try reader.next()
        require(extra == nil, "a finished reader returned another element")
    } catch {
        require(error.offset >= 0 && error.offset <= input.count, "failure offset \(error.offset) outside \(input.count) bytes")
        streamed = nil
    }

    switch (whole, streamed) {
    case (.array(let elements)?, let streamed?):
        require(elements == streamed, "the reader and the parser read different elements")
    case (.array?, nil):
        require(false, "the reader refused an array that the parser accepts")
    case (_?, _?), (nil, _?):
        require(false, "the reader accepted a text that the parser does not read as an array")
    case (_?, nil), (nil, nil):
        break
    }
    return 0
}
