import ArgumentParser
import Catalogue
import Foundation
import Measure
import Reporting
import Store

struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Store, list, export and sign measurements (parity.measurement/1).",
        subcommands: [Import.self, List.self, Export.self, Sign.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store measurement files (from parity bench micro, parity-probe or a probe) in the result store.",
            discussion: """
                All files are read and checked first; then every result is written in one transaction. A result \
                already stored with the same content is skipped; with different content the import fails and \
                nothing is written.
                """
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: ArgumentHelp("Measurement files: JSON, a JSON array, or JSON lines.", valueName: "file"))
        var files: [String]

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let results = try ResultFile.load(paths: files)
                let summary = try await store.location.withStore { store in
                    try await store.importResults(results)
                }
                if json { return try printJSON(summary) }
                print(
                    "Stored \(summary.inserted) result(s) in \(store.location)"
                        + (summary.unchanged > 0 ? "; \(summary.unchanged) already stored, skipped." : ".")
                )
            }
        }
    }

    struct Filters: ParsableArguments {
        @Option(help: "Only this chip id.")
        var chip: String?

        @Option(help: "Only this benchmark (gemm, stream-triad, d2d, all-reduce, …).")
        var benchmark: String?

        @Option(help: ArgumentHelp("Measured on or after this date (ISO 8601).", valueName: "date"))
        var since: String?

        @Option(help: ArgumentHelp("Measured before this date (ISO 8601).", valueName: "date"))
        var until: String?

        @Flag(help: "Only evidence an assessment may use: local imports and accepted submissions.")
        var evidence = false

        @Option(help: "At most this many results.")
        var limit: Int?

        func filter() throws -> ResultFilter {
            var filter = ResultFilter(chip: chip, evidenceOnly: evidence, limit: limit)
            if let benchmark {
                guard let value = BenchmarkResult.Benchmark(rawValue: benchmark) else {
                    throw ValidationError(
                        "unknown benchmark '\(benchmark)'; use one of "
                            + BenchmarkResult.Benchmark.allCases.map(\.rawValue).joined(separator: ", ")
                    )
                }
                filter.benchmark = value
            }
            filter.since = try since.map { try Self.date($0, "--since") }
            filter.until = try until.map { try Self.date($0, "--until") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            return filter
        }

        static func date(_ text: String, _ name: String) throws -> Date {
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            if let date = try? Date.ISO8601FormatStyle().year().month().day().parse(text) { return date }
            throw ValidationError("\(name) takes an ISO 8601 date, e.g. 2026-11-29 or 2026-11-29T12:00:00Z")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored measurements.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filters: Filters

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func validate() throws { _ = try filters.filter() }

        func run() async throws {
            try await reportingFailures {
                let filter = try filters.filter()
                let stored = try await store.location.withStore { store in try await store.results(filter) }
                if json { return try printJSON(stored) }
                var table = TextTable(
                    headers: ["ID", "CHIP", "BENCHMARK", "PRECISION", "MEDIAN", "REPS", "MEASURED", "SOURCE"],
                    rightAligned: [4, 5]
                )
                for entry in stored {
                    let result = entry.result
                    let median =
                        result.unit == "B/s"
                        ? "\(Quantity.trimmed(result.median / 1e9, digits: 1)) GB/s"
                        : "\(Quantity.trimmed(result.median / 1e9, digits: 1)) G\(result.unit)"
                    let source = entry.submissionID.map { "\($0) (\(entry.status?.rawValue ?? "?"))" } ?? "import"
                    table.append([
                        result.id, result.chip, result.benchmark.rawValue, result.precision?.rawValue ?? "", median,
                        String(result.repetitions), result.time.formatted(.iso8601), source,
                    ])
                }
                print(table.render())
                print("\n\(stored.count) result(s) in \(store.location)")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Write stored measurements as JSON lines (parity.measurement/1), for assess --results or another store."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var filters: Filters

        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
        var out: String?

        func validate() throws { _ = try filters.filter() }

        func run() async throws {
            try await reportingFailures {
                let filter = try filters.filter()
                let stored = try await store.location.withStore { store in try await store.results(filter) }
                let data = ResultFile.encode(stored.map(\.result))
                if let out {
                    try data.write(to: URL(fileURLWithPath: out), options: .atomic)
                    Terminal.note("Wrote \(stored.count) result(s) to \(out)")
                } else {
                    FileHandle.standardOutput.write(data)
                }
            }
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign measurement files as a results bundle (parity.results/1) to submit to `parity server`.",
            discussion: """
                Submit the bundle with: curl -X POST -H "Authorization: Bearer $TOKEN" \
                -H "Idempotency-Key: $(uuidgen)" --data-binary @bundle.json http://HOST:PORT/v1/submissions
                With --per-bundle N, the results are split into bundles of N, written one per line.
                """
        )

        @Option(help: ArgumentHelp("Private key (see `parity keys generate`).", valueName: "key"))
        var key: String

        @Argument(help: ArgumentHelp("Measurement files.", valueName: "file"))
        var files: [String]

        @Option(help: "Results per bundle (default: all in one).")
        var perBundle: Int?

        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
        var out: String?

        func validate() throws {
            if let perBundle, perBundle < 1 { throw ValidationError("--per-bundle must be at least 1") }
        }

        func run() throws {
            try reportingErrors {
                let results = try ResultFile.load(paths: files)
                let signingKey = try SigningKey.load(path: key)
                let size = perBundle ?? results.count
                var data = Data()
                for start in stride(from: 0, to: results.count, by: size) {
                    data.append(
                        try SignedBundle.sign(
                            Array(results[start..<min(results.count, start + size)]),
                            with: signingKey
                        )
                    )
                }
                if let out {
                    try data.write(to: URL(fileURLWithPath: out), options: .atomic)
                    Terminal.note("Signed \(results.count) result(s) with key \(signingKey.keyID) into \(out)")
                } else {
                    FileHandle.standardOutput.write(data)
                }
            }
        }
    }
}
