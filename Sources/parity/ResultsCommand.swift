import ArgumentParser
import Catalogue
import Foundation
import Measure
import Reporting
import Store

struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract:
            "Store, list, export and sign measurements (parity.measurement/1) and serving results (parity.serving/2).",
        subcommands: [Import.self, List.self, Export.self, Sign.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store measurement and serving result files in the result store.",
            discussion: """
                Measurement files come from parity bench micro, parity-probe or a probe. Serving files are \
                parity.serving/2 records or `parity bench serve` results (recognised by their content); a bench-serve \
                file without its typed record needs --chip, --chips, --engine and --weight-precision (and --tp, \
                --pp, … as they apply): what a file lacks is never guessed. --from reads another tool's result \
                file (vllm, sglang, aiperf, guidellm, mlperf) the same way.
                Files are read as a stream, with memory that does not grow with the file: records are decoded and \
                stored in batches of --batch-size (default 5000), each batch one transaction. A record already \
                stored with the same content is skipped; with different content the import stops with an error and \
                nothing of that batch is written. When a file fails part way (a malformed record, a conflict, a lost \
                connection), the batches before the failure stay stored and the error names the record and the byte \
                where it starts; running the same import again skips the stored records as unchanged and continues. \
                On a terminal, a progress line is shown on standard error (--quiet hides it).
                """
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: ArgumentHelp("Result files: JSON, a JSON array, or JSON lines.", valueName: "file"))
        var files: [String]

        @Option(
            help: "Read another tool's result file: \(ImportedTool.allCases.map(\.rawValue).joined(separator: ", "))."
        )
        var from: ImportedTool?

        @Option(help: "The version of the --from tool that wrote the file, when the file does not say.")
        var toolVersion: String?

        @Option(help: "Catalogue chip ID of the accelerators that served (serving files that do not say).")
        var chip: String?

        @Option(help: "Catalogue model ID (default: the model name in the file).")
        var model: String?

        @Option(help: "Scenario name (a workload ID) to record.")
        var scenario: String?

        @Option(help: "Record ID (default: scenario, chip and time).")
        var id: String?

        @OptionGroup(title: "Serving deployment (what the file does not say)")
        var serving: ServingOptions

        @Option(help: "Records per transaction.")
        var batchSize = ResultStream.defaultBatchSize

        @Flag(help: "No progress line on the terminal.")
        var quiet = false

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func validate() throws {
            if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        }

        struct Counts: Encodable {
            var inserted = 0
            var unchanged = 0
        }

        /// What one import stored, in all and per kind, and how long it took.
        struct Summary: Encodable {
            var inserted = 0
            var unchanged = 0
            var records = 0
            var measurements = Counts()
            var serving = Counts()
            var seconds = 0.0

            mutating func add(_ summary: ImportSummary, serving isServing: Bool) {
                inserted += summary.inserted
                unchanged += summary.unchanged
                records += summary.inserted + summary.unchanged
                if isServing {
                    serving.inserted += summary.inserted
                    serving.unchanged += summary.unchanged
                } else {
                    measurements.inserted += summary.inserted
                    measurements.unchanged += summary.unchanged
                }
            }
        }

        func run() async throws {
            try await reportingFailures {
                let context = try serving.context(chip: chip, model: model, scenario: scenario, id: id)
                let started = ContinuousClock.now
                let progress = ImportProgress(enabled: !quiet && isatty(STDERR_FILENO) == 1)
                var summary = try await store.location.withStore { store in
                    var summary = Summary()
                    for file in files {
                        if let from {
                            let measurements = try from.read(path: file, context: context, toolVersion: toolVersion)
                            summary.add(try await store.importServingResults(measurements), serving: true)
                            continue
                        }
                        var stream = try ResultStream(path: file, context: context, batchSize: batchSize)
                        while let batch = try stream.next() {
                            switch batch {
                            case .measurements(let results):
                                summary.add(try await store.importResults(results), serving: false)
                            case .serving(let measurements):
                                summary.add(try await store.importServingResults(measurements), serving: true)
                            }
                            progress.show(
                                file: file,
                                records: stream.records,
                                bytes: stream.bytesRead,
                                of: stream.fileSize
                            )
                        }
                        progress.end()
                    }
                    if summary.measurements.inserted + summary.serving.inserted > 0 {
                        try await store.refreshStatistics()
                    }
                    return summary
                }
                let elapsed = ContinuousClock.now - started
                summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                if json { return try printJSON(summary) }
                print(
                    "Stored \(summary.measurements.inserted) measurement(s) and \(summary.serving.inserted) serving "
                        + "result(s) in \(store.location)"
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

        @Flag(help: "Serving results (parity.serving/2) instead of measurements.")
        var serving = false

        @Option(help: "Serving results: only this catalogue model ID.")
        var model: String?

        @Option(help: "Serving results: only this scenario name.")
        var scenario: String?

        @Option(help: "Serving results: only this engine.")
        var engine: String?

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
            if !serving, model != nil || scenario != nil || engine != nil {
                throw ValidationError("--model, --scenario and --engine filter serving results: add --serving")
            }
            if serving, benchmark != nil { throw ValidationError("--benchmark filters measurements, not --serving") }
            return filter
        }

        func servingFilter() throws -> ServingResultFilter {
            let base = try filter()
            return ServingResultFilter(
                chip: chip,
                model: model,
                scenario: scenario,
                engine: engine,
                since: base.since,
                until: base.until,
                evidenceOnly: evidence,
                limit: limit
            )
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
                if filters.serving { return try await listServing() }
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

        func listServing() async throws {
            let filter = try filters.servingFilter()
            let stored = try await store.location.withStore { store in try await store.servingResults(filter) }
            if json { return try printJSON(stored) }
            var table = TextTable(
                headers: [
                    "ID", "CHIP", "CHIPS", "MODEL", "SCENARIO", "ENGINE", "OUT TOK/S/CHIP", "MEDIAN TPOT ms",
                    "MEASURED",
                    "SOURCE",
                ],
                rightAligned: [2, 6, 7]
            )
            for entry in stored {
                let record = entry.measurement
                let engine = record.engine.name + (record.engine.version.map { " \($0)" } ?? "")
                let source: String =
                    switch entry.origin {
                    case .local: "import"
                    case .campaign: "campaign \(entry.campaign ?? "?")"
                    case .submission: "\(entry.submissionID ?? "?") (\(entry.status?.rawValue ?? "?"))"
                    }
                table.append([
                    entry.id, record.chip, String(record.chips), record.scenario.model, record.scenario.name ?? "",
                    engine, Quantity.trimmed(record.outputTokensPerSecondPerChip, digits: 1),
                    record.metrics.tpot.medianMilliseconds.map { Quantity.trimmed($0, digits: 2) } ?? "",
                    record.time.formatted(.iso8601), source,
                ])
            }
            print(table.render())
            print("\n\(stored.count) serving result(s) in \(store.location)")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Write stored measurements (parity.measurement/1) or, with --serving, serving results (parity.serving/2) "
                + "as JSON lines, for assess --results or another store."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var filters: Filters

        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
        var out: String?

        func validate() throws { _ = try filters.filter() }

        func run() async throws {
            try await reportingFailures {
                let data: Data
                let count: Int
                if filters.serving {
                    let filter = try filters.servingFilter()
                    let stored = try await store.location.withStore { store in try await store.servingResults(filter) }
                    data = ServingFile.encode(stored.map(\.measurement))
                    count = stored.count
                } else {
                    let filter = try filters.filter()
                    let stored = try await store.location.withStore { store in try await store.results(filter) }
                    data = ResultFile.encode(stored.map(\.result))
                    count = stored.count
                }
                if let out {
                    try data.write(to: URL(fileURLWithPath: out), options: .atomic)
                    Terminal.note("Wrote \(count) record(s) to \(out)")
                } else {
                    FileHandle.standardOutput.write(data)
                }
            }
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Sign measurement and serving result files as a results bundle (parity.results/2) for `parity server`.",
            discussion: """
                Submit the bundle with: curl -X POST -H "Authorization: Bearer $TOKEN" \
                -H "Idempotency-Key: $(uuidgen)" --data-binary @bundle.json http://HOST:PORT/v1/submissions
                Serving files are read as `results import` reads them (a bench-serve file without its typed record \
                needs --chip, --chips, --engine and --weight-precision).
                With --per-bundle N, the records are split into bundles of N, written one per line.
                """
        )

        @Option(help: ArgumentHelp("Private key (see `parity keys generate`).", valueName: "key"))
        var key: String

        @Argument(help: ArgumentHelp("Measurement and serving result files.", valueName: "file"))
        var files: [String]

        @Option(help: "Records per bundle (default: all in one).")
        var perBundle: Int?

        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
        var out: String?

        @Option(help: "Catalogue chip ID of the accelerators that served (serving files that do not say).")
        var chip: String?

        @Option(help: "Catalogue model ID (default: the model name in the file).")
        var model: String?

        @Option(help: "Scenario name (a workload ID) to record.")
        var scenario: String?

        @OptionGroup(title: "Serving deployment (what the file does not say)")
        var serving: ServingOptions

        func validate() throws {
            if let perBundle, perBundle < 1 { throw ValidationError("--per-bundle must be at least 1") }
        }

        enum Record {
            case measurement(BenchmarkResult)
            case serving(ServingMeasurement)
        }

        func run() throws {
            try reportingErrors {
                let context = try serving.context(chip: chip, model: model, scenario: scenario)
                var records: [Record] = []
                for file in files {
                    let data: Data
                    do {
                        data = try Data(contentsOf: URL(fileURLWithPath: file))
                    } catch {
                        throw ResultFileError.unreadable(path: file, reason: error.localizedDescription)
                    }
                    if ServingFile.isServing(data) {
                        records += try ServingFile.decode(data, path: file, context: context).map(Record.serving)
                    } else {
                        records += try ResultFile.decode(data, path: file).map(Record.measurement)
                    }
                }
                let signingKey = try SigningKey.load(path: key)
                let size = max(perBundle ?? records.count, 1)
                var data = Data()
                for start in stride(from: 0, to: records.count, by: size) {
                    var results: [BenchmarkResult] = []
                    var measurements: [ServingMeasurement] = []
                    for record in records[start..<min(records.count, start + size)] {
                        switch record {
                        case .measurement(let result): results.append(result)
                        case .serving(let measurement): measurements.append(measurement)
                        }
                    }
                    data.append(try SignedBundle.sign(results, serving: measurements, with: signingKey))
                }
                if let out {
                    try data.write(to: URL(fileURLWithPath: out), options: .atomic)
                    Terminal.note("Signed \(records.count) record(s) with key \(signingKey.keyID) into \(out)")
                } else {
                    FileHandle.standardOutput.write(data)
                }
            }
        }
    }
}
