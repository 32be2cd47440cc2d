import Assessment
import Catalogue
import Foundation
import Measure
import Testing

@testable import Reporting

@Suite struct SigningTests {
    @Test func signedBundleVerifies() throws {
        let key = SigningKey.generate()
        let assessment = try Fixture.assessment()
        let bundle = try SignedBundle.sign(assessment, with: key)
        let verified = try SignedBundle.verify(bundle)
        #expect(verified.keyID == key.keyID)
        #expect(verified.assessment == assessment)
        #expect(!verified.trusted)
        #expect(try SignedBundle.verify(bundle, trustedKey: key.publicKey).trusted)
    }

    /// The fast canonical form equals the encoder's, for plain fields and for fields that need escaping.
    @Test func canonicalBytesMatchTheEncoder() throws {
        let plain = SignedBundle(
            schema: "parity.bundle/1",
            algorithm: "ed25519",
            keyID: "0123456789abcdef",
            publicKey: "AAAA+/==",
            payloadType: "parity.results/1",
            payload: "eyJ4IjoxfQ==",
            signature: "c2ln"
        )
        var tricky = plain
        tricky.payloadType = "quote \" back\\slash\ttab é"
        for bundle in [plain, tricky] {
            var expected = try CanonicalJSON.encode(bundle)
            expected.append(0x0A)
            #expect(bundle.canonicalBytes() == expected)
        }
    }

    @Test func anotherSignerIsNotTrusted() throws {
        let bundle = try SignedBundle.sign(Fixture.assessment(), with: SigningKey.generate())
        let other = SigningKey.generate()
        #expect(throws: SigningError.self) { try SignedBundle.verify(bundle, trustedKey: other.publicKey) }
    }

    @Test func keyFilesRoundTrip() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parity-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = SigningKey.generate()
        let privatePath = folder.appendingPathComponent("k.key").path
        let publicPath = folder.appendingPathComponent("k.pub").path
        try key.privateKeyText.write(toFile: privatePath, atomically: true, encoding: .utf8)
        try key.publicKeyText.write(toFile: publicPath, atomically: true, encoding: .utf8)
        #expect(try SigningKey.load(path: privatePath).keyID == key.keyID)
        #expect(try SigningKey.loadPublicKey(path: publicPath) == key.publicKey)
        #expect(throws: SigningError.self) { try SigningKey.load(path: publicPath) }
        try "garbage".write(toFile: privatePath, atomically: true, encoding: .utf8)
        #expect(throws: SigningError.self) { try SigningKey.load(path: privatePath) }
    }

    /// Every single-byte change of a signed bundle is rejected.
    @Test func everySingleByteMutationIsRejected() throws {
        let bundle = try SignedBundle.sign(Fixture.assessment(), with: SigningKey.generate())
        var generator = SeededGenerator(seed: 2026)
        var rejected = 0
        let trials = 1500
        for _ in 0..<trials {
            var mutated = bundle
            let position = generator.index(below: mutated.count)
            var byte = UInt8(truncatingIfNeeded: generator.next())
            if byte == mutated[position] { byte ^= 0x01 }
            mutated[position] = byte
            do {
                _ = try SignedBundle.verify(mutated)
            } catch {
                rejected += 1
            }
        }
        #expect(rejected == trials)
    }

    /// Edits that keep the file well-formed JSON — changed report values, swapped keys, altered metadata — are
    /// rejected too.
    @Test func fieldMutationsAreRejected() throws {
        let key = SigningKey.generate()
        let other = SigningKey.generate()
        let bundle = try SignedBundle.sign(Fixture.assessment(), with: key)
        let envelope = try #require(try JSONSerialization.jsonObject(with: bundle) as? [String: String])
        let payload = try #require(Data(base64Encoded: envelope["payload"]!))
        let report = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        var generator = SeededGenerator(seed: 11)
        var trials = 0
        var rejected = 0
        func attempt(_ fields: [String: String]) throws {
            var data = try JSONSerialization.data(
                withJSONObject: fields,
                options: [.sortedKeys, .withoutEscapingSlashes]
            )
            data.append(0x0A)
            trials += 1
            do {
                _ = try SignedBundle.verify(data)
            } catch {
                rejected += 1
            }
        }
        // The canonical re-serialisation of the untouched envelope still verifies (the harness is sound).
        var untouched = try JSONSerialization.data(
            withJSONObject: envelope,
            options: [.sortedKeys, .withoutEscapingSlashes]
        )
        untouched.append(0x0A)
        #expect(untouched == bundle)
        #expect(throws: Never.self) { try SignedBundle.verify(untouched) }

        for _ in 0..<300 {
            var mutatedReport = report
            mutateRandomLeaf(&mutatedReport, using: &generator)
            let mutatedPayload = try JSONSerialization.data(withJSONObject: mutatedReport, options: [.sortedKeys])
            var fields = envelope
            fields["payload"] = mutatedPayload.base64EncodedString()
            try attempt(fields)
        }
        for field in envelope.keys.sorted() {
            var fields = envelope
            fields[field] = (fields[field] ?? "") + "A"
            try attempt(fields)
            fields[field] = String(envelope[field]!.dropLast())
            try attempt(fields)
        }
        var swapped = envelope
        swapped["publicKey"] = other.publicKey.base64EncodedString()
        try attempt(swapped)
        swapped["keyID"] = other.keyID
        try attempt(swapped)
        var extra = envelope
        extra["comment"] = "hello"
        try attempt(extra)
        #expect(trials > 300)
        #expect(rejected == trials)
    }

    /// Changes one leaf (number, string or boolean) somewhere in a JSON object.
    func mutateRandomLeaf(_ object: inout [String: Any], using generator: inout SeededGenerator) {
        let keys = object.keys.sorted()
        let key = keys[generator.index(below: keys.count)]
        switch object[key] {
        case var nested as [String: Any] where !nested.isEmpty:
            mutateRandomLeaf(&nested, using: &generator)
            object[key] = nested
        case var array as [Any] where !array.isEmpty:
            let index = generator.index(below: array.count)
            if var nested = array[index] as? [String: Any], !nested.isEmpty {
                mutateRandomLeaf(&nested, using: &generator)
                array[index] = nested
            } else {
                array[index] = "tampered"
            }
            object[key] = array
        case let number as NSNumber:
            object[key] = NSNumber(value: number.doubleValue + 1)
        case let text as String:
            object[key] = text + "!"
        default:
            object[key] = "tampered"
        }
    }
}

@Suite struct ResultsPayloadTests {
    static let measurement = BenchmarkResult(
        id: "m-1",
        chip: "h20",
        benchmark: .gemm,
        precision: .bf16,
        unit: "FLOP/s",
        samples: [1.2e14, 1.3e14],
        warmups: 1,
        sizes: ["m": 8192],
        backend: "test",
        device: .init(name: "test device"),
        host: "h",
        time: Date(timeIntervalSince1970: 1_790_000_000),
        check: .passed
    )

    static let serving = ServingMeasurement(
        id: "s-1",
        chip: "h20",
        chips: 1,
        deployment: .init(),
        scenario: .init(
            model: "llama-3.1-8b",
            weightPrecision: .bf16,
            input: .fixed(1024),
            output: .fixed(128),
            load: .init(maxConcurrency: 8)
        ),
        engine: .init(name: "vllm", version: "0.11.0"),
        time: Date(timeIntervalSince1970: 1_790_000_000),
        metrics: .init(
            durationSeconds: 10,
            completed: 80,
            failed: 0,
            requestsPerSecond: 8,
            outputTokensPerSecond: 1024,
            totalTokensPerSecond: 9216,
            ttft: .init(meanMilliseconds: 50),
            tpot: .init(meanMilliseconds: 7)
        ),
        provenance: "test"
    )

    @Test func version2BundlesCarryMeasurementsAndServingResults() throws {
        let key = SigningKey.generate()
        let bundle = try SignedBundle.sign([Self.measurement], serving: [Self.serving], with: key)
        let verified = try SignedBundle.verifyResultsBundle(bundle)
        #expect(verified.payloadType == "parity.results/2")
        #expect(verified.results == [Self.measurement] && verified.serving == [Self.serving])
        let servingOnly = try SignedBundle.verifyResultsBundle(
            try SignedBundle.sign([], serving: [Self.serving], with: key)
        )
        #expect(servingOnly.results.isEmpty && servingOnly.serving == [Self.serving])
    }

    @Test func version1BundlesStayReadable() throws {
        struct Version1: Encodable {
            var schema = "parity.results/1"
            var results: [BenchmarkResult]
        }
        let payload = try CanonicalJSON.encode(Version1(results: [Self.measurement]))
        let bundle = try SignedBundle.sign(
            payload: payload,
            payloadType: "parity.results/1",
            with: SigningKey.generate()
        )
        let verified = try SignedBundle.verifyResultsBundle(bundle)
        #expect(verified.payloadType == "parity.results/1")
        #expect(verified.results == [Self.measurement] && verified.serving.isEmpty)
    }

    @Test func payloadsThatDisagreeOrBreakARuleAreRefused() throws {
        let key = SigningKey.generate()
        // A version 1 payload signed as version 2: the schema must be the signed type.
        let mismatched = try SignedBundle.sign(
            payload: Data(#"{"results":[],"schema":"parity.results/1"}"#.utf8),
            payloadType: "parity.results/2",
            with: key
        )
        #expect(throws: SigningError.badPayload("schema 'parity.results/1'; expected parity.results/2")) {
            try SignedBundle.verifyResultsBundle(mismatched)
        }
        let empty = try SignedBundle.sign([], serving: [], with: key)
        #expect(
            throws: SigningError.badPayload(
                "'results' and 'serving' are both empty: a bundle carries at least one record"
            )
        ) {
            try SignedBundle.verifyResultsBundle(empty)
        }
        var broken = Self.serving
        broken.metrics.completed = 0
        #expect(throws: SigningError.badPayload("serving: record 1 (s-1): no request completed")) {
            try SignedBundle.verifyResultsBundle(try SignedBundle.sign([], serving: [broken], with: key))
        }
    }
}
