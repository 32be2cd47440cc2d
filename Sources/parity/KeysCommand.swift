import ArgumentParser
import Assessment
import Foundation
import Reporting

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage Ed25519 signing keys for assessment bundles.",
        subcommands: [Generate.self]
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
                guard
                    manager.createFile(
                        atPath: privatePath,
                        contents: Data(key.privateKeyText.utf8),
                        attributes: [.posixPermissions: 0o600]
                    )
                else { throw KeyFileExists(path: privatePath, unwritable: true) }
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
