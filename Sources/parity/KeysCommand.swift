import ArgumentParser
import Assessment
import Foundation
import Reporting
import Store

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Ed25519 signing keys: generate a pair; register, list and revoke vendors' public keys in a store.",
        discussion: """
            A vendor signs its result bundles with its private key; an admin registers the vendor's public key \
            (parity keys register --vendor huawei huawei.pub). The server accepts a submission only when it is \
            signed by an active registered key of the submitting token's vendor.
            """,
        subcommands: [Generate.self, Register.self, List.self, Revoke.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a key pair: NAME.key (private, mode 0600) and NAME.pub (give this to reviewers)."
        )

        @Option(help: ArgumentHelp("Path prefix of the key files.", valueName: "name"))
        var out: String = "parity-signing"

        @Flag(help: "Overwrite existing key files.")
        var force = false

        @Flag(help: "Print the key ID and paths as JSON.")
        var json = false

        func run() throws {
            try reportingErrors {
                let privatePath = out + ".key"
                let publicPath = out + ".pub"
                let manager = FileManager.default
                if !force, manager.fileExists(atPath: privatePath) || manager.fileExists(atPath: publicPath) {
                    throw KeyFileExists(path: manager.fileExists(atPath: privatePath) ? privatePath : publicPath)
                }
                let key = SigningKey.generate()
                if force { try? manager.removeItem(atPath: privatePath) }
                try key.writePrivateKey(to: privatePath)
                try Data(key.publicKeyText.utf8).write(to: URL(fileURLWithPath: publicPath))
                if json {
                    try printJSON(["keyID": key.keyID, "private": privatePath, "public": publicPath])
                } else {
                    print("Key \(key.keyID): private \(privatePath) (keep it secret), public \(publicPath)")
                }
            }
        }
    }
}

extension KeysCommand {
    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a vendor's public key (.pub) in the store, so that the server accepts its signatures."
        )

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("The vendor, as in its tokens' role vendor:NAME.", valueName: "name"))
        var vendor: String

        @Option(help: "A name to recognise the key by (default: the file name).")
        var name: String?

        @Argument(help: "The vendor's public key file (from parity keys generate).")
        var publicKey: String

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            guard Role("vendor:\(vendor)") != nil else {
                throw ValidationError("--vendor takes a lower-case vendor name such as huawei, not '\(vendor)'")
            }
            if let name,
                name.utf8.count > 100
                    || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            {
                throw ValidationError("--name takes at most 100 bytes without control characters")
            }
        }

        func run() async throws {
            try await reportingFailures {
                let raw = try SigningKey.loadPublicKey(path: publicKey)
                try SigningKey.checkPublicKey(raw)
                let key = VendorKey(
                    id: SigningKey.keyID(of: raw),
                    vendor: vendor,
                    name: name ?? URL(fileURLWithPath: publicKey).lastPathComponent,
                    publicKey: raw.base64EncodedString(),
                    registeredBy: "cli",
                    createdAt: Date()
                )
                try await store.location.withStore { store in try await store.registerVendorKey(key) }
                if json { return try printJSON(key) }
                print("registered key \(key.id) for vendor:\(vendor) in \(store.location)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered vendor keys.")

        @OptionGroup var store: StoreOptions

        @Option(help: "Only this vendor's keys.")
        var vendor: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let keys = try await store.location.withStore { store in try await store.vendorKeys(vendor: vendor) }
                if json { return try printJSON(keys) }
                var table = TextTable(headers: ["KEY", "VENDOR", "NAME", "REGISTERED", "REVOKED"])
                for key in keys {
                    table.append([
                        key.id, key.vendor, key.name, key.createdAt.formatted(.iso8601),
                        key.revokedAt?.formatted(.iso8601) ?? "",
                    ])
                }
                print(table.render())
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a vendor key: it signs nothing new; submissions it signed before stay valid."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "Key ID (16 hex digits).")
        var id: String

        func run() async throws {
            try await reportingFailures {
                let key = try await store.location.withStore { store in
                    try await store.revokeVendorKey(id: id, at: Date())
                }
                print("revoked key \(key.id) of vendor:\(key.vendor)")
            }
        }
    }
}

struct KeyFileExists: Error, CustomStringConvertible {
    var path: String
    var unwritable = false
    var description: String {
        unwritable ? "cannot write \(path)" : "\(path) exists; use --force to replace it or --out for another name"
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a signed assessment bundle (bundle.json from `parity assess --sign`).",
        discussion: """
            Checks that the file is byte-for-byte the canonical encoding, that the Ed25519 signature covers its \
            payload, and, with --key, that the signer is the key you trust. Exit codes: 0 valid; 1 rejected (the \
            message says why).
            """
    )

    @Argument(help: "The bundle file.")
    var bundle: String

    @Option(
        help: ArgumentHelp(
            "The signer's public key file (.pub); without it any valid signer is accepted.",
            valueName: "pub"
        )
    )
    var key: String?

    @Flag(help: "Print the verified assessment as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: bundle))
            } catch {
                throw SigningError.malformedBundle("cannot read \(bundle): \(error.localizedDescription)")
            }
            let trusted = try key.map { try SigningKey.loadPublicKey(path: $0) }
            let verified = try SignedBundle.verify(data, trustedKey: trusted)
            if json {
                try printJSON(verified.assessment)
                return
            }
            let a = verified.assessment
            print(
                "valid: signed by key \(verified.keyID)\(verified.trusted ? " (the trusted key)" : " (not checked against a trusted key; pass --key)")"
            )
            print(
                "assessment generated \(ISO8601DateFormatter().string(from: a.generatedAt)): \(a.comparisons.count) comparisons, \(a.suite.count) workloads, \(a.chips.count) chips"
            )
        }
    }
}
