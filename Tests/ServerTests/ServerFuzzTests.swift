import Catalogue
import Foundation
import Measure
import ParityTesting
import Reporting
import Store
import Synchronization
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

/// Generated malformed chip documents (the YAML the server composes) and query strings: every answer 4xx, nothing
/// stored, and `/healthz` answers throughout with p99 < 100 ms. Its 20,000 requests run in `scripts/test`'s timed
/// step, alone (`PARITY_TIMED_CHECKS=1`), so that neither they nor the latency bound disturb the timing tests of
/// the parallel main run.
@Suite(.enabled(if: TimedChecks.enabled)) struct ServerYAMLAndQueryFuzzTests {
    static let chipCases = 5_000
    static let queryCases = 5_000

    static let validChip = """
        id: huawei-fuzz
        vendor: Huawei
        name: Fuzz
        market: global
        sources: {s1: "https://example.com/datasheet"}
        memory:
          capacity: {value: "64 GB", source: s1}
          bandwidth: {value: "1.6 TB/s", source: s1}
        dense: {fp16: {value: "300 TFLOPS", source: s1}}

        """

    @Test(arguments: StoreKind.available)
    func malformedChipDocumentsAndQueryStringsAreRefusedCleanly(kind: StoreKind) async throws {
        try await Harness.withServer(kind) { harness in
            // The unmutated document is accepted, so every refusal below is the mutation's doing.
            var generator = SeededGenerator(seed: 15)
            let documents = (0..<Self.chipCases).map { Self.malformedChip($0, using: &generator) }
            let queries = (0..<Self.queryCases).map { Self.malformedQuery($0, using: &generator) }
            let stop = ManagedAtomicFlag()
            async let health = Self.pingHealth(harness, until: stop)
            let statuses = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
                let workers = 12
                for worker in 0..<workers {
                    group.addTask {
                        var counts: [Int: Int] = [:]
                        for index in stride(from: worker, to: documents.count, by: workers) {
                            let reply = try await harness.request(
                                .POST,
                                "/v1/chips",
                                token: "huawei",
                                body: documents[index]
                            )
                            counts[reply.status, default: 0] += 1
                            if !(400..<500).contains(reply.status) {
                                Issue.record("\(reply.status) for document \(index): \(documents[index].prefix(160))")
                            }
                        }
                        for index in stride(from: worker, to: queries.count, by: workers) {
                            let reply = try await harness.request(.GET, queries[index], token: "reviewer")
                            counts[reply.status, default: 0] += 1
                            if !(400..<500).contains(reply.status) {
                                Issue.record("\(reply.status) for \(queries[index])")
                            }
                        }
                        return counts
                    }
                }
                var total: [Int: Int] = [:]
                for try await counts in group { total.merge(counts, uniquingKeysWith: +) }
                return total
            }
            stop.set()
            let latencies = try await health.sorted()
            #expect(statuses.values.reduce(0, +) == Self.chipCases + Self.queryCases)
            #expect(statuses.keys.allSatisfy { (400..<500).contains($0) }, "\(statuses.sorted { $0.key < $1.key })")
            #expect(try await harness.store.chips().isEmpty)
            #expect(latencies.count >= 10)
            let p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
            #expect(p99 < .milliseconds(100), "healthz p99 \(p99) over \(latencies.count)")
            let valid = try await harness.request(.POST, "/v1/chips", token: "huawei", body: Data(Self.validChip.utf8))
            #expect(valid.status == 201, "\(valid.text)")
        }
    }

    /// `/healthz` every 20 ms until `stop`: each must answer 200; returns the latencies.
    static func pingHealth(_ harness: Harness, until stop: ManagedAtomicFlag) async throws -> [Duration] {
        var latencies: [Duration] = []
        while !stop.isSet {
            let start = ContinuousClock.now
            let reply = try await harness.request(.GET, "/healthz")
            latencies.append(ContinuousClock.now - start)
            #expect(reply.status == 200)
            try await Task.sleep(for: .milliseconds(20))
        }
        return latencies
    }

    /// One chip document that must be refused; the index picks the family.
    static func malformedChip(_ index: Int, using generator: inout SeededGenerator) -> Data {
        var text = validChip.replacingOccurrences(of: "huawei-fuzz", with: "huawei-fuzz-\(index)")
        switch index % 9 {
        case 0:  // an alias where a value goes, or an anchor on one
            let fields = ["capacity", "bandwidth", "name", "market", "dense"]
            let field = fields[Int.random(in: 0..<fields.count, using: &generator)]
            text = text.replacingOccurrences(
                of: "\(field):",
                with: "\(field): \(Bool.random(using: &generator) ? "*a" : "&a")"
            )
        case 1:  // an alias bomb of random depth, used as a key or a value
            let levels = Int.random(in: 2...9, using: &generator)
            var bomb = "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n"
            for level in 1..<levels {
                bomb +=
                    "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ",")
                    + "]\n"
            }
            text = bomb + (Bool.random(using: &generator) ? "? *a\(levels - 1)\n: x\n" : "z: *a\(levels - 1)\n") + text
        case 2:  // deep nesting in flow or block style
            let depth = Int.random(in: 17...6_000, using: &generator)
            text +=
                Bool.random(using: &generator)
                ? "note: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
                : (0..<min(depth, 400)).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
                    + " x\n"
        case 3:  // a scalar beyond the 64 KiB document limit
            text = text.replacingOccurrences(
                of: "name: Fuzz",
                with: "name: " + String(repeating: "N", count: Int.random(in: 66_000...200_000, using: &generator))
            )
        case 4:  // odd keys: unknown, duplicated, non-scalar, explicit
            let odd = [
                "unknown_field_\(index): 1\n", "id: again\n", "? [a, b]\n: c\n", "{[k]: v}: 1\n", "<<: {a: 1}\n",
                "\u{7F}\u{1}key: v\n", "\"\": empty\n",
            ]
            text += odd[Int.random(in: 0..<odd.count, using: &generator)]
        case 5:  // a NUL byte
            var bytes = Array(text.utf8)
            bytes.insert(0, at: Int.random(in: 0...bytes.count, using: &generator))
            return Data(bytes)
        case 6:  // invalid UTF-8
            var bytes = Array(text.utf8)
            let junk: [[UInt8]] = [
                [0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xF0, 0x28, 0x8C, 0x28], [0xED, 0xA0, 0x80],
            ]
            bytes.insert(
                contentsOf: junk[Int.random(in: 0..<junk.count, using: &generator)],
                at: Int.random(in: 0...bytes.count, using: &generator)
            )
            return Data(bytes)
        case 7:  // cut before the required `dense` field
            let bytes = Array(text.utf8)
            let cut = text.utf8.count - "dense: {fp16: {value: \"300 TFLOPS\", source: s1}}\n\n".utf8.count
            return Data(bytes.prefix(Int.random(in: 0..<cut, using: &generator)))
        default:  // an ID that is not an ASCII slug, or a tab where YAML allows only spaces
            let ids = [
                "Huawei-Fuzz-\(index)", "һ100-\(index)", "fuzz \(index)", "-fuzz\(index)",
                String(repeating: "a", count: 65),
            ]
            text =
                Bool.random(using: &generator)
                ? text.replacingOccurrences(
                    of: "huawei-fuzz-\(index)",
                    with: ids[Int.random(in: 0..<ids.count, using: &generator)]
                )
                : text.replacingOccurrences(of: "  capacity", with: "\tcapacity")
        }
        return Data(text.utf8)
    }

    /// One list query whose parameters cannot be valid.
    static func malformedQuery(_ index: Int, using generator: inout SeededGenerator) -> String {
        func junk(_ alphabet: String, _ length: ClosedRange<Int>) -> String {
            let characters = Array(alphabet)
            return String(
                (0..<Int.random(in: length, using: &generator)).map { _ in
                    characters[Int.random(in: 0..<characters.count, using: &generator)]
                }
            )
        }
        func encoded(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        }
        let routes = ["/v1/results", "/v1/submissions", "/v1/chips", "/v1/keys", "/v1/assessments", "/v1/tokens"]
        let route = routes[index % routes.count]
        let letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.~!$'()*+,;:@/?é\u{0}\u{1B}"
        switch Int.random(in: 0..<6, using: &generator) {
        case 0:
            let limits = ["0", "-1", "1001", "99999999999999999999", "1e3", "", "ten", "%00", "1.5", " 5"]
            return "\(route)?limit=\(encoded(limits[Int.random(in: 0..<limits.count, using: &generator)]))"
        case 1 where route == "/v1/results":
            return "\(route)?since=\(encoded(junk(letters, 1...40)))"
        case 2 where route == "/v1/results" || route == "/v1/submissions":
            // Random bytes without a newline never decode to "time\nID".
            let bytes = (0..<Int.random(in: 1...64, using: &generator)).map { _ in
                UInt8.random(in: 11...255, using: &generator)
            }
            return "\(route)?after=\(encoded(Data(bytes).base64EncodedString()))"
        case 3 where route == "/v1/results":
            return "\(route)?benchmark=x-\(encoded(junk(letters, 1...30)))"
        case 4 where route == "/v1/submissions":
            return "\(route)?status=x-\(encoded(junk(letters, 1...30)))"
        default:
            return "\(route)?limit=\(encoded("x" + junk(letters, 0...30)))"
        }
    }
}

/// A flag one task sets and another polls.
final class ManagedAtomicFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
