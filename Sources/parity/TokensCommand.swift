import ArgumentParser
import Foundation
import Store

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Manage the server's bearer tokens (stored as SHA-256 hashes only).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print its secret once.",
            discussion: """
                Roles: vendor:NAME submits results for its own chips (NAME is the vendor as `parity chips list` \
                shows it, lower case with '-' for spaces: huawei, cambricon, moore-threads) and sees its own \
                drafts; reviewer reads everything and accepts or rejects submissions; admin also manages tokens.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("vendor:NAME, reviewer or admin.", valueName: "role"))
        var role: String

        @Option(help: "A name to recognise the token by.")
        var name: String?

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            guard Role(role) != nil else {
                throw ValidationError(
                    "--role takes vendor:NAME (lower case), reviewer or admin, not '\(Terminal.printable(role))'"
                )
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
                guard let parsed = Role(role) else { return }
                let secret = TokenSecret.generate()
                let token = AccessToken(
                    id: TokenSecret.identifier(prefix: "tok"),
                    name: name ?? role,
                    role: parsed,
                    hash: TokenSecret.hash(secret),
                    createdAt: Date()
                )
                try await store.location.withStore { store in try await store.createToken(token) }
                if json {
                    struct Created: Encodable {
                        var id, name, role, token: String
                    }
                    return try printJSON(Created(id: token.id, name: token.name, role: role, token: secret))
                }
                print(secret)
                Terminal.note("token \(token.id) (\(role)) created in \(store.location); the secret is shown only once")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let tokens = try await store.location.withStore { store in try await store.tokens() }
                if json {
                    struct View: Encodable {
                        var id, name, role: String
                        var createdAt: Date
                        var revokedAt: Date?
                    }
                    return try printJSON(
                        tokens.map {
                            View(
                                id: $0.id,
                                name: $0.name,
                                role: $0.role.description,
                                createdAt: $0.createdAt,
                                revokedAt: $0.revokedAt
                            )
                        }
                    )
                }
                var table = TextTable(headers: ["ID", "NAME", "ROLE", "CREATED", "REVOKED"])
                for token in tokens {
                    table.append([
                        token.id, token.name, token.role.description, token.createdAt.formatted(.iso8601),
                        token.revokedAt?.formatted(.iso8601) ?? "",
                    ])
                }
                print(table.render())
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token (running servers refuse its writes at once and its reads within 1 s)."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "Token id (tok-…).")
        var id: String

        func run() async throws {
            try await reportingFailures {
                let token = try await store.location.withStore { store in
                    try await store.revokeToken(id: id, at: Date())
                }
                print("revoked \(token.id) (\(token.role))")
            }
        }
    }
}
