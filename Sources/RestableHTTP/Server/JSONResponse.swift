public import Hummingbird
import NIOCore

/// Builds responses whose body is JSON.
public enum JSONResponse {
    public static func make(
        _ status: HTTPResponse.Status, _ body: JSON, contentType: String = "application/json", headers: HTTPFields = [:]
    ) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }
}
