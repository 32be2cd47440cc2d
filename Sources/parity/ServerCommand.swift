import ArgumentParser
import Foundation
import Logging
import Server
import Store

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Serve the result store: REST API under /v1, dashboard at /, /healthz and /metrics.",
        discussion: """
            Create a first admin token with `parity tokens create --role admin --db …` and register each vendor's \
            public key with `parity keys register --vendor NAME KEY.pub --db …`: submissions must be signed by a \
            registered key of the submitting vendor. The API is described in docs/openapi.yaml, the threat model in \
            docs/security.md. Stops gracefully on Ctrl-C or SIGTERM.
            """
    )

    @OptionGroup var catalogue: CatalogueOptions
    @OptionGroup var store: StoreOptions

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "Largest request body in bytes; larger ones get 413.")
    var maxBody: Int = 1 << 20

    @Option(help: ArgumentHelp("Close connections idle for this many seconds.", valueName: "seconds"))
    var idleTimeout: Int = 30

    @Option(help: ArgumentHelp("A request body must arrive within this many seconds (408).", valueName: "seconds"))
    var bodyTimeout: Double = 10

    @Option(help: "Most chips one vendor may add.")
    var maxChipsPerVendor: Int = 100

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
        guard maxBody >= 1024 else { throw ValidationError("--max-body must be at least 1024 bytes") }
        guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be at least 1 second") }
        guard bodyTimeout > 0 else { throw ValidationError("--body-timeout must be positive") }
        guard maxChipsPerVendor >= 0 else { throw ValidationError("--max-chips-per-vendor must not be negative") }
    }

    func run() async throws {
        try await reportingFailures {
            let chips = try catalogue.loadChips()
            let location = store.location
            var logger = Logger(label: "parity-server")
            logger.logLevel = .notice
            let configuration = ServerConfiguration(
                host: host,
                port: port,
                maxBodyBytes: maxBody,
                idleTimeoutSeconds: idleTimeout,
                bodyTimeoutSeconds: bodyTimeout,
                maxChipsPerVendor: maxChipsPerVendor
            )
            try await location.withStore { opened in
                let server = ParityServer(store: opened, catalogue: chips, configuration: configuration)
                try await server.run(handleSignals: true, logger: logger) { port in
                    Terminal.note("parity server on http://\(host):\(port)/ (store: \(location))")
                }
            }
        }
    }
}
