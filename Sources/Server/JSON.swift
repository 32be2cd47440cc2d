import Catalogue
import Foundation
import Hummingbird
import NIOCore
import Store

/// The server's one JSON encoding: sorted keys, ISO 8601 dates, unescaped slashes.
enum JSON {
    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // The server encodes only its own value types, which cannot fail to encode.
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }

    static func response<T: Encodable>(
        _ value: T,
        status: HTTPResponse.Status = .ok,
        headers: HTTPFields = [:]
    )
        -> Response
    {
        var data = encode(value)
        data.append(0x0A)
        return response(data: data, status: status, headers: headers)
    }

    /// A page of results, byte for byte what `response([StoredResult])` writes for the same rows, with each stored
    /// document copied in as it is instead of parsed and encoded again (most of a page's cost): keys in sorted order
    /// (`id`, `result`, `status`, `storedAt`, `submissionID`, `vendor`), absent ones left out, dates as ISO 8601
    /// to the second. Stored documents are `ResultFile`'s encoding, which is this encoder's.
    static func resultPage(_ rows: [StoredResultText]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rows.reduce(16) { $0 + $1.document.utf8.count + $1.id.utf8.count + 96 })
        bytes.append(UInt8(ascii: "["))
        for (index, row) in rows.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"id":"#.utf8)
            JSONText.appendQuoted(row.id, to: &bytes)
            bytes.append(contentsOf: #","result":"#.utf8)
            bytes.append(contentsOf: row.document.utf8)
            if let status = row.status {
                bytes.append(contentsOf: #","status":"#.utf8)
                JSONText.appendQuoted(status.rawValue, to: &bytes)
            }
            bytes.append(contentsOf: #","storedAt":"#.utf8)
            JSONText.appendQuoted(row.storedAt.formatted(.iso8601), to: &bytes)
            if let submissionID = row.submissionID {
                bytes.append(contentsOf: #","submissionID":"#.utf8)
                JSONText.appendQuoted(submissionID, to: &bytes)
            }
            if let vendor = row.vendor {
                bytes.append(contentsOf: #","vendor":"#.utf8)
                JSONText.appendQuoted(vendor, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(contentsOf: "]\n".utf8)
        return Data(bytes)
    }

    static func response(data: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
