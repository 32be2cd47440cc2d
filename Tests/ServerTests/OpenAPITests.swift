import Foundation
import ParityTesting
import Reporting
import Server
import Store
import Testing
import Yams

/// `docs/openapi.yaml` documents exactly the routes the server registers, and what the server answers matches
/// the statuses and required fields the document promises.
@Suite struct OpenAPITests {
    static var documentURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")
    }

    static func document() throws -> [String: Any] {
        let text = try String(contentsOf: documentURL, encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    /// `(METHOD, path)` pairs in the document.
    static func operations(_ document: [String: Any]) throws -> [String: [String: Any]] {
        let paths = try #require(document["paths"] as? [String: Any])
        var operations: [String: [String: Any]] = [:]
        for (path, item) in paths {
            let methods = try #require(item as? [String: Any])
            for (method, operation) in methods where ["get", "post", "put", "delete", "patch"].contains(method) {
                operations["\(method.uppercased()) \(path)"] = try #require(operation as? [String: Any])
            }
        }
        return operations
    }

    @Test func documentListsExactlyTheServersRoutes() async throws {
        let document = try Self.document()
        #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
        let documented = Set(try Self.operations(document).keys)
        let served = try await Harness.withServer(.sqlite) { harness in Set(harness.server.endpoints.map(\.description))
        }
        #expect(
            documented == served,
            "only documented: \(documented.subtracting(served)); only served: \(served.subtracting(documented))"
        )
    }

    @Test func everyOperationDocumentsItsErrors() throws {
        for (name, operation) in try Self.operations(try Self.document()) {
            let responses = try #require(operation["responses"] as? [String: Any], "\(name) has no responses")
            #expect(!responses.isEmpty)
            let path = String(name.split(separator: " ")[1])
            if path.hasPrefix("/v1/") {
                #expect(responses["401"] != nil, "\(name) must document 401")
            }
            if name.hasPrefix("POST /v1/submissions") && !path.contains("{id}") {
                for status in ["200", "201", "400", "401", "403", "409", "413"] {
                    #expect(responses[status] != nil, "\(name) must document \(status)")
                }
            }
        }
    }

    /// What the document promises for one GET: its statuses and, for 200 JSON, the required fields.
    struct Promise: Sendable {
        var name: String
        var statuses: Set<Int>
        var required: [String]
        var isArray: Bool
    }

    static func promises(_ document: [String: Any]) throws -> [Promise] {
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        var promises: [Promise] = []
        for (name, operation) in try operations(document) where name.hasPrefix("GET ") {
            let responses = try #require(operation["responses"] as? [String: Any])
            var promise = Promise(
                name: name,
                statuses: Set(responses.keys.compactMap { Int($0) }),
                required: [],
                isArray: false
            )
            if let ok = responses["200"] as? [String: Any],
                let content = ok["content"] as? [String: Any],
                let json = content["application/json"] as? [String: Any],
                let schema = json["schema"] as? [String: Any]
            {
                var resolved = try resolve(schema, schemas)
                if resolved["type"] as? String == "array", let items = resolved["items"] as? [String: Any] {
                    promise.isArray = true
                    resolved = try resolve(items, schemas)
                }
                promise.required = resolved["required"] as? [String] ?? []
            }
            promises.append(promise)
        }
        return promises
    }

    /// Calls every GET the document lists and checks the status is documented and the documented required
    /// properties are present.
    @Test func responsesMatchTheDocument() async throws {
        let promises = try Self.promises(try Self.document())
        #expect(promises.count >= 12)
        try await Harness.withServer(.sqlite) { harness in
            let bundle = try SignedBundle.sign(
                [StoreFixture.result("doc-1", chip: "ascend-910b")],
                serving: [StoreFixture.serving("doc-s1", chip: "ascend-910b")],
                with: harness.key(for: "ascend-910b")
            )
            let created = try await harness.submit(bundle, as: "huawei", key: "doc")
            let submission = try #require(try created.json()["id"] as? String)
            for promise in promises {
                var path = String(promise.name.dropFirst(4))
                if path.hasPrefix("/v1/submissions/") {
                    path = path.replacingOccurrences(of: "{id}", with: submission)
                } else if path.hasPrefix("/v1/results/") {
                    path = path.replacingOccurrences(of: "{id}", with: "doc-1")
                } else if path.hasPrefix("/v1/serving-results/") {
                    path = path.replacingOccurrences(of: "{id}", with: "huawei:doc-s1")
                } else {
                    path = path.replacingOccurrences(of: "{id}", with: "h20")
                }
                let reply = try await harness.request(.GET, path, token: "reviewer")
                #expect(
                    promise.statuses.contains(reply.status),
                    "\(promise.name) answered \(reply.status), not documented"
                )
                guard reply.status == 200, !promise.required.isEmpty else { continue }
                let value = try JSONSerialization.jsonObject(with: reply.body)
                let objects =
                    promise.isArray
                    ? try #require(value as? [[String: Any]], "\(promise.name): expected an array")
                    : [try #require(value as? [String: Any], "\(promise.name): expected an object")]
                #expect(
                    !objects.isEmpty || promise.name.contains("assessments"),
                    "\(promise.name) returned nothing to check"
                )
                for object in objects {
                    for field in promise.required {
                        #expect(object[field] != nil, "\(promise.name): response lacks required '\(field)'")
                    }
                }
            }
        }
    }

    static func resolve(_ schema: [String: Any], _ schemas: [String: Any]) throws -> [String: Any] {
        guard let reference = schema["$ref"] as? String else { return schema }
        let name = String(reference.split(separator: "/").last ?? "")
        return try #require(schemas[name] as? [String: Any], "unknown schema \(reference)")
    }
}
