import Catalogue
import Foundation
import Measure
import ParityTesting
import Reporting
import Store
import Testing

/// Generated malformed submission bodies: never a 5xx, nothing stored, and the server stays up.
@Suite struct ServerFuzzTests {
    static let cases = 10_000

    @Test func tenThousandMalformedBodiesAreRefusedCleanly() async throws {
        try await Harness.withServer(.sqlite, maxBodyBytes: 64 * 1024) { harness in
            let valid = try harness.bundle([StoreFixture.result("fuzz-0", chip: "ascend-910b")])
            var generator = SeededGenerator(seed: 2026)
            var bodies: [Data] = []
            bodies.reserveCapacity(Self.cases)
            for index in 0..<Self.cases {
                bodies.append(
                    try Self.malformed(index, valid: valid, key: harness.key(for: "ascend-910b"), using: &generator)
                )
            }
            let statuses = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
                let workers = 16
                for worker in 0..<workers {
                    let mine = stride(from: worker, to: bodies.count, by: workers).map { bodies[$0] }
                    group.addTask {
                        var counts: [Int: Int] = [:]
                        for (index, body) in mine.enumerated() {
                            let reply = try await harness.submit(body, as: "huawei", key: "fuzz-\(worker)-\(index)")
                            counts[reply.status, default: 0] += 1
                            if reply.status >= 500 { Issue.record("\(reply.status) for body \(body.prefix(200))") }
                        }
                        return counts
                    }
                }
                var total: [Int: Int] = [:]
                for try await counts in group { total.merge(counts, uniquingKeysWith: +) }
                return total
            }
            #expect(statuses.values.reduce(0, +) == Self.cases)
            #expect(statuses.keys.allSatisfy { (400..<500).contains($0) }, "\(statuses.sorted { $0.key < $1.key })")
            #expect(try await harness.store.results(ResultFilter()).isEmpty)
            #expect(try await harness.request(.GET, "/healthz").status == 200)
            #expect(try await harness.submit(valid, as: "huawei", key: "after-fuzz").status == 201)
        }
    }

    /// One malformed body; the index picks the family so that every family is well covered.
    static func malformed(
        _ index: Int,
        valid: Data,
        key: SigningKey,
        using generator: inout SeededGenerator
    ) throws -> Data {
        var bytes = [UInt8](valid)
        switch index % 10 {
        case 0:  // flip 1–4 bytes
            for _ in 0...Int.random(in: 0...3, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[at] ^= UInt8.random(in: 1...255, using: &generator)
            }
        case 1:  // truncate
            bytes = Array(bytes.prefix(Int.random(in: 0..<(bytes.count - 1), using: &generator)))
        case 2:  // insert random bytes
            let at = Int.random(in: 0...bytes.count, using: &generator)
            let junk = (0..<Int.random(in: 1...32, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            bytes.insert(contentsOf: junk, at: at)
        case 3:  // random bytes, including invalid UTF-8
            bytes = (0..<Int.random(in: 0...512, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
        case 4:  // JSON of the wrong shape
            let shapes = [
                "null", "[]", "{}", "42", "\"bundle\"", "true", "{\"schema\":1}", "[{\"schema\":\"parity.bundle/1\"}]",
                String(repeating: "[", count: 5000), String(repeating: "{\"a\":", count: 3000),
                "{\"schema\":\"parity.bundle/1\",\"payload\":null}", "1e999999", "-0", "\"\\ud800\"",
            ]
            bytes = Array(shapes[Int.random(in: 0..<shapes.count, using: &generator)].utf8)
        case 5:  // one field of the envelope replaced by another type or value
            var object = try #require(try JSONSerialization.jsonObject(with: valid) as? [String: Any])
            let field = ["schema", "algorithm", "keyID", "publicKey", "payloadType", "payload", "signature"][
                Int.random(in: 0..<7, using: &generator)
            ]
            let values: [Any] = [42, NSNull(), ["x"], ["k": "v"], "", "!!!not base64!!!", true, 1.5e308]
            object[field] = values[Int.random(in: 0..<values.count, using: &generator)]
            bytes = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        case 6:  // a field dropped or an unknown field added
            var object = try #require(try JSONSerialization.jsonObject(with: valid) as? [String: Any])
            if Bool.random(using: &generator) {
                object.removeValue(forKey: Array(object.keys)[Int.random(in: 0..<object.count, using: &generator)])
            } else {
                object["extra"] = "field"
            }
            bytes = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        default:  // correctly signed, but the payload itself is invalid
            let payloads = [
                #"{"results":[],"schema":"parity.results/1"}"#,
                #"{"schema":"parity.results/1"}"#,
                #"{"results":"all","schema":"parity.results/1"}"#,
                #"{"results":[{"schema":"parity.measurement/9"}],"schema":"parity.results/1"}"#,
                #"{"results":[{"schema":"parity.measurement/1","id":"x"}],"schema":"parity.results/1"}"#,
                #"{"results":[1,2,3],"schema":"parity.results/1"}"#,
                "not json at all",
                String(repeating: "[", count: 2000),
            ]
            var payload = Data(payloads[Int.random(in: 0..<payloads.count, using: &generator)].utf8)
            if Int.random(in: 0..<3, using: &generator) == 0 {
                // A measurement that decodes but breaks a rule: negative samples, unknown chip, or a duplicate ID.
                let broken = [
                    StoreFixture.result("neg-\(index)", chip: "ascend-910b", value: -1),
                    StoreFixture.result("unknown-\(index)", chip: "chip-\(index)"),
                ]
                let pick = Int.random(in: 0..<3, using: &generator)
                let results =
                    pick < 2
                    ? [broken[pick]]
                    : [
                        StoreFixture.result("dup-\(index)", chip: "ascend-910b"),
                        StoreFixture.result("dup-\(index)", chip: "ascend-910b"),
                    ]
                payload = try CanonicalJSON.encode(ResultsPayload(results: results))
            }
            bytes = Array(try SignedBundle.sign(payload: payload, payloadType: ResultsPayload.currentSchema, with: key))
        }
        if bytes == Array(valid) { bytes.append(0x7B) }
        return Data(bytes)
    }
}
