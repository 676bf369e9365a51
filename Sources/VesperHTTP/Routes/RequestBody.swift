import Foundation
import Hummingbird
import NIOCore
import VesperCore

/// Reads JSON request bodies with the API's checks: content type, size, UTF-8, syntax.
enum RequestBody {
    static func bytes(_ request: Request, maxBytes: Int) async throws -> [UInt8] {
        guard let contentType = request.headers[.contentType], isJSON(contentType) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type", message: "send the body as JSON with Content-Type: application/json")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "request body is \(length) bytes, more than the limit of \(maxBytes)")
        }
        var request = request
        var buffer = try await request.collectBody(upTo: maxBytes)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// `application/json`, in any case, with or without parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    static func jsonObject(_ request: Request, maxBytes: Int) async throws -> [(key: String, value: JSONObjectScanner.Value)] {
        try parse(try await bytes(request, maxBytes: maxBytes)) { try JSONObjectScanner.members(of: $0) }
    }

    private static func parse<T>(_ bytes: [UInt8], _ body: ([UInt8]) throws -> T) throws -> T {
        // ASCII (nearly every body) is valid UTF-8; anything else is checked by decoding it.
        guard bytes.allSatisfy({ $0 < 0x80 }) || String(validating: bytes, as: UTF8.self) != nil else {
            throw APIError(.badRequest, code: "malformed_json", message: "request body is not valid UTF-8")
        }
        do {
            return try body(bytes)
        } catch let error as JSONObjectScanner.SyntaxError {
            throw APIError(.badRequest, code: "malformed_json", message: error.description)
        }
    }
}
