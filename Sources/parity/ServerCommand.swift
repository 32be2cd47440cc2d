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
            Create a first admin token with `parity tokens create --role admin --db …`. The API is described in \
            docs/openapi.yaml. Stops gracefully on Ctrl-C or SIGTERM.
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

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
        guard maxBody >= 1024 else { throw ValidationError("--max-body must be at least 1024 bytes") }
    }

    func run() async throws {
        try await reportingFailures {
            let chips = try catalogue.loadChips()
            let location = store.location
            var logger = Logger(label: "parity-server")
            logger.logLevel = .notice
            let configuration = ServerConfiguration(host: host, port: port, maxBodyBytes: maxBody)
            try await location.withStore { opened in
                let server = ParityServer(store: opened, catalogue: chips, configuration: configuration)
                try await server.run(handleSignals: true, logger: logger) { port in
                    Terminal.note("parity server on http://\(host):\(port)/ (store: \(location))")
                }
            }
        }
    }
}
