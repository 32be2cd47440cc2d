public import Assessment
import Crypto
public import Foundation
public import Measure

/// Why a key or a bundle is refused. Every case says what was wrong, never only "invalid".
public enum SigningError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableKey(path: String, reason: String)
    case malformedKey(path: String, reason: String)
    case notCanonical
    case malformedBundle(String)
    case unsupported(String)
    case keyIDMismatch
    case untrustedKey(expected: String, found: String)
    case badSignature
    case badPayload(String)
    case weakKey(String)

    public var description: String {
        switch self {
        case .unreadableKey(let path, let reason): "\(path): cannot read key: \(reason)"
        case .malformedKey(let path, let reason): "\(path): not a Parity key: \(reason)"
        case .notCanonical:
            "bundle rejected: its bytes are not the canonical encoding (the file was altered after signing)"
        case .malformedBundle(let reason): "bundle rejected: \(reason)"
        case .unsupported(let what): "bundle rejected: unsupported \(what)"
        case .keyIDMismatch: "bundle rejected: the key ID does not match the public key"
        case .untrustedKey(let expected, let found):
            "bundle rejected: signed by key \(found), not by the trusted key \(expected)"
        case .badSignature: "bundle rejected: the signature does not match the content"
        case .badPayload(let reason): "bundle rejected: payload: \(reason)"
        case .weakKey(let reason): "key rejected: \(reason)"
        }
    }
}

/// An Ed25519 key pair for signing assessments.
public struct SigningKey: Sendable {
    static let privateHeader = "parity-ed25519-private-key"
    static let publicHeader = "parity-ed25519-public-key"

    let key: Curve25519.Signing.PrivateKey

    public static func generate() -> SigningKey {
        SigningKey(key: Curve25519.Signing.PrivateKey())
    }

    public var publicKey: Data { key.publicKey.rawRepresentation }

    /// First 16 hex digits of SHA-256 over the raw public key.
    public var keyID: String { Self.keyID(of: publicKey) }

    public static func keyID(of publicKey: Data) -> String {
        SHA256.hash(data: publicKey).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The private key file's text.
    public var privateKeyText: String { "\(Self.privateHeader)\n\(key.rawRepresentation.base64EncodedString())\n" }

    /// The public key file's text, for reviewers.
    public var publicKeyText: String { Self.publicKeyText(publicKey) }

    static func publicKeyText(_ raw: Data) -> String { "\(publicHeader)\n\(raw.base64EncodedString())\n" }

    /// The encodings of Ed25519's points of small order (orders 1, 2, 4 and 8), compared with the sign bit cleared.
    /// With such a key one signature (R = identity, S = 0) verifies for every message. The list is libsodium's
    /// `ge25519_has_small_order` blocklist; each entry was checked to satisfy 8·P = identity when it was added.
    static let smallOrderEncodings: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [1] + [UInt8](repeating: 0, count: 31),
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
            0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
        ],
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
            0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
        ],
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
    ]

    /// Refuses public keys that prove nothing: not 32 bytes, a non-canonical encoding (y ≥ p = 2²⁵⁵ − 19), or a
    /// point of small order (for which signatures can be made without any private key).
    public static func checkPublicKey(_ raw: Data) throws(SigningError) {
        let bytes = [UInt8](raw)
        guard bytes.count == 32 else { throw .weakKey("an Ed25519 public key has 32 bytes, not \(bytes.count)") }
        var y = bytes
        y[31] &= 0x7f
        // y ≥ p ⇔ the 255-bit value is p + k for k in 0…18: bytes 1…30 all 0xff, byte 31 0x7f, byte 0 ≥ 0xed.
        if y[31] == 0x7f, y[1...30].allSatisfy({ $0 == 0xff }), y[0] >= 0xed {
            throw .weakKey("the public key is not canonically encoded (y ≥ 2^255 − 19)")
        }
        if smallOrderEncodings.contains(y) {
            throw .weakKey("the public key is a point of small order, for which signatures prove nothing")
        }
    }

    /// Writes the private key file, mode 0600 from its first byte: `open(O_CREAT | O_EXCL | O_NOFOLLOW, 0600)`,
    /// so that it is never readable by others, not even for an instant, and an existing file or a symlink planted
    /// at `path` is refused rather than followed or overwritten.
    public func writePrivateKey(to path: String) throws(SigningError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "the file exists" : String(cString: strerror(errno))
            throw .unreadableKey(path: path, reason: "cannot create the key file: \(reason)")
        }
        defer { close(descriptor) }
        let data = Data(privateKeyText.utf8)
        let written = data.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress, buffer.count) }
        guard written == data.count else {
            throw .unreadableKey(path: path, reason: "cannot write the key file: \(String(cString: strerror(errno)))")
        }
    }

    public static func load(path: String) throws(SigningError) -> SigningKey {
        let raw = try readKey(path: path, header: privateHeader)
        do {
            return SigningKey(key: try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        } catch {
            throw .malformedKey(path: path, reason: "not a 32-byte Ed25519 private key")
        }
    }

    /// Reads a public key file (or a private key file, whose public half is taken).
    public static func loadPublicKey(path: String) throws(SigningError) -> Data {
        if let raw = try? readKey(path: path, header: publicHeader) {
            guard raw.count == 32 else { throw .malformedKey(path: path, reason: "not a 32-byte Ed25519 public key") }
            return raw
        }
        return try load(path: path).publicKey
    }

    static func readKey(path: String, header: String) throws(SigningError) -> Data {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableKey(path: path, reason: error.localizedDescription)
        }
        return try parseKeyText(text, header: header, path: path)
    }

    /// A public key given as a `.pub` file's text or as the raw 32 bytes in base64.
    public static func parsePublicKey(_ text: String) throws(SigningError) -> Data {
        let raw: Data
        if text.hasPrefix(publicHeader) {
            raw = try parseKeyText(text, header: publicHeader, path: "publicKey")
        } else {
            raw = try SignedBundle.strictBase64(
                text.trimmingCharacters(in: .whitespacesAndNewlines),
                field: "publicKey"
            )
        }
        guard raw.count == 32 else { throw .weakKey("an Ed25519 public key has 32 bytes, not \(raw.count)") }
        return raw
    }

    static func parseKeyText(_ text: String, header: String, path: String) throws(SigningError) -> Data {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard lines.count == 2, lines[0] == header else {
            throw .malformedKey(path: path, reason: "expected a '\(header)' line followed by base64")
        }
        guard let raw = Data(base64Encoded: lines[1]) else {
            throw .malformedKey(path: path, reason: "the key is not base64")
        }
        return raw
    }

    func sign(_ message: Data) throws -> Data {
        try key.signature(for: message)
    }
}

/// A signed assessment, as a vendor submits it and a reviewer verifies it (`parity verify`).
///
/// The file is one canonical JSON object of strings. The signature covers
/// `"parity.bundle/1\n" + payloadType + "\n" + payload bytes`, where the payload is the canonical JSON of the
/// assessment, carried as base64 so that its bytes are exactly the bytes signed. Verification also requires
/// the file itself to be canonical, so that no byte of it can change unnoticed.
public struct SignedBundle: Sendable, Hashable, Codable {
    public static let currentSchema = "parity.bundle/1"
    static let fields: Set<String> = [
        "schema", "algorithm", "keyID", "publicKey", "payloadType", "payload", "signature",
    ]

    public var schema: String
    public var algorithm: String
    public var keyID: String
    public var publicKey: String
    public var payloadType: String
    public var payload: String
    public var signature: String

    /// What a successful verification establishes.
    public struct Verified: Sendable {
        public var keyID: String
        public var assessment: Assessment
        /// `true` when the signer matched a trusted key given to `verify`.
        public var trusted: Bool
    }

    static func message(payloadType: String, payload: Data) -> Data {
        var message = Data("\(currentSchema)\n\(payloadType)\n".utf8)
        message.append(payload)
        return message
    }

    /// Signs an assessment and returns the bundle file's bytes.
    public static func sign(_ assessment: Assessment, with key: SigningKey) throws -> Data {
        try sign(payload: try CanonicalJSON.encode(assessment), payloadType: Assessment.currentSchema, with: key)
    }

    /// Signs measurements and serving results (`parity.results/2`), as a vendor submits them to `parity server`.
    public static func sign(
        _ results: [BenchmarkResult],
        serving: [ServingMeasurement] = [],
        with key: SigningKey
    ) throws -> Data {
        try sign(
            payload: try CanonicalJSON.encode(ResultsPayload(results: results, serving: serving)),
            payloadType: ResultsPayload.currentSchema,
            with: key
        )
    }

    /// Signs canonical payload bytes of a given type and returns the bundle file's bytes.
    public static func sign(payload: Data, payloadType: String, with key: SigningKey) throws -> Data {
        let signature = try key.sign(message(payloadType: payloadType, payload: payload))
        let bundle = SignedBundle(
            schema: currentSchema,
            algorithm: "ed25519",
            keyID: key.keyID,
            publicKey: key.publicKey.base64EncodedString(),
            payloadType: payloadType,
            payload: payload.base64EncodedString(),
            signature: signature.base64EncodedString()
        )
        var data = try CanonicalJSON.encode(bundle)
        data.append(0x0A)
        return data
    }

    /// A bundle whose envelope and signature hold, before its payload is read.
    public struct Opened: Sendable {
        public var keyID: String
        public var publicKey: Data
        public var payloadType: String
        public var payload: Data
    }

    /// Checks the envelope (canonical bytes, schema, algorithm, payload type among `payloadTypes`, key ID,
    /// signature) and returns the signed payload bytes.
    public static func open(
        _ data: Data,
        trustedKey: Data? = nil,
        payloadTypes: Set<String>
    ) throws(SigningError) -> Opened {
        // One decoding pass into string fields (a non-object, or a non-string value, fails here).
        guard let object = try? CanonicalJSON.decode([String: String].self, from: data) else {
            if (try? CanonicalJSON.decode([String: JSONScalar].self, from: data)) != nil {
                throw .malformedBundle("expected exactly the string fields \(fields.sorted().joined(separator: ", "))")
            }
            throw .malformedBundle("not a JSON object")
        }
        guard Set(object.keys) == fields else {
            throw .malformedBundle("expected exactly the string fields \(fields.sorted().joined(separator: ", "))")
        }
        let bundle = SignedBundle(
            schema: object["schema"] ?? "",
            algorithm: object["algorithm"] ?? "",
            keyID: object["keyID"] ?? "",
            publicKey: object["publicKey"] ?? "",
            payloadType: object["payloadType"] ?? "",
            payload: object["payload"] ?? "",
            signature: object["signature"] ?? ""
        )
        guard let canonical = bundle.canonicalBytes() else { throw .malformedBundle("cannot re-encode") }
        guard canonical == data else { throw .notCanonical }
        guard bundle.schema == currentSchema else { throw .unsupported("schema '\(bundle.schema)'") }
        guard bundle.algorithm == "ed25519" else { throw .unsupported("algorithm '\(bundle.algorithm)'") }
        guard payloadTypes.contains(bundle.payloadType) else {
            throw .unsupported("payload type '\(bundle.payloadType)'")
        }
        let publicKey = try strictBase64(bundle.publicKey, field: "publicKey")
        let signature = try strictBase64(bundle.signature, field: "signature")
        let payload = try strictBase64(bundle.payload, field: "payload")
        guard SigningKey.keyID(of: publicKey) == bundle.keyID else { throw .keyIDMismatch }
        if let trustedKey, trustedKey != publicKey {
            throw .untrustedKey(expected: SigningKey.keyID(of: trustedKey), found: bundle.keyID)
        }
        try SigningKey.checkPublicKey(publicKey)
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            throw .malformedBundle("publicKey is not an Ed25519 public key")
        }
        guard key.isValidSignature(signature, for: message(payloadType: bundle.payloadType, payload: payload)) else {
            throw .badSignature
        }
        return Opened(keyID: bundle.keyID, publicKey: publicKey, payloadType: bundle.payloadType, payload: payload)
    }

    /// Verifies a bundle file's bytes; `trustedKey` (raw public key) pins the signer.
    public static func verify(_ data: Data, trustedKey: Data? = nil) throws(SigningError) -> Verified {
        let opened = try open(data, trustedKey: trustedKey, payloadTypes: [Assessment.currentSchema])
        let assessment: Assessment
        do {
            assessment = try CanonicalJSON.decode(Assessment.self, from: opened.payload)
        } catch {
            throw .badPayload("\(error)")
        }
        guard assessment.schema == Assessment.currentSchema else {
            throw .badPayload("schema '\(assessment.schema)'")
        }
        return Verified(keyID: opened.keyID, assessment: assessment, trusted: trustedKey != nil)
    }

    /// A verified results bundle: its signer and what it carries.
    public struct VerifiedResults: Sendable {
        public var keyID: String
        public var publicKey: Data
        /// `parity.results/1` or `parity.results/2`.
        public var payloadType: String
        public var results: [BenchmarkResult]
        public var serving: [ServingMeasurement]
    }

    /// Verifies a signed results bundle (`parity.results/1` or `/2`) and returns its measurements and serving
    /// results, each checked as `ResultFile` and `ServingFile` check them.
    public static func verifyResultsBundle(
        _ data: Data,
        trustedKey: Data? = nil
    ) throws(SigningError) -> VerifiedResults {
        let opened = try open(data, trustedKey: trustedKey, payloadTypes: ResultsPayload.readableSchemas)
        // No store keeps NUL in text (PostgreSQL refuses it), and no measurement needs it.
        if opened.payload.contains(0) || opened.payload.range(of: Data(#"\u0000"#.utf8)) != nil {
            throw .badPayload("contains a NUL character")
        }
        let contents = try ResultsPayload.contents(from: opened.payload, payloadType: opened.payloadType)
        return VerifiedResults(
            keyID: opened.keyID,
            publicKey: opened.publicKey,
            payloadType: opened.payloadType,
            results: contents.results,
            serving: contents.serving
        )
    }

    /// Verifies a signed results bundle and returns its measurements (serving results are in
    /// `verifyResultsBundle`).
    public static func verifyResults(
        _ data: Data,
        trustedKey: Data? = nil
    ) throws(SigningError) -> (keyID: String, publicKey: Data, results: [BenchmarkResult]) {
        let verified = try verifyResultsBundle(data, trustedKey: trustedKey)
        return (verified.keyID, verified.publicKey, verified.results)
    }

    /// The bundle file's canonical bytes (`CanonicalJSON` plus a newline). When every field is plain printable
    /// ASCII — always, for bundles Parity writes — they are assembled directly, which is what `CanonicalJSON`
    /// produces for such strings (keys sorted, nothing escaped); otherwise the encoder itself is used.
    func canonicalBytes() -> Data? {
        let pairs = [
            ("algorithm", algorithm), ("keyID", keyID), ("payload", payload), ("payloadType", payloadType),
            ("publicKey", publicKey), ("schema", schema), ("signature", signature),
        ]
        let plain = pairs.allSatisfy { pair in
            pair.1.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        }
        guard plain else {
            guard var data = try? CanonicalJSON.encode(self) else { return nil }
            data.append(0x0A)
            return data
        }
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(pairs.reduce(16) { $0 + $1.0.utf8.count + $1.1.utf8.count + 6 })
        for (index, pair) in pairs.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            bytes += pair.0.utf8
            bytes += [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "\"")]
            bytes += pair.1.utf8
            bytes.append(UInt8(ascii: "\""))
        }
        bytes += [UInt8(ascii: "}"), 0x0A]
        return Data(bytes)
    }

    /// Base64 that decodes and re-encodes to the same text (no alternative spellings of the same bytes).
    static func strictBase64(_ text: String, field: String) throws(SigningError) -> Data {
        guard let data = Data(base64Encoded: text), data.base64EncodedString() == text else {
            throw .malformedBundle("\(field) is not canonical base64")
        }
        return data
    }
}

/// Any JSON value, to tell "an object with a non-string field" from "not an object" in messages.
struct JSONScalar: Decodable {
    init(from decoder: any Decoder) throws {}
}
