import Foundation
public import Measure
public import Store

/// What an assessment (or a fleet plan) is offered beyond the catalogue and the published set: micro-benchmark
/// measurements and serving runs, each run with the tier it earns. Files and stores are read here, so that
/// `parity assess`, `fleet` and `campaign report` share one workflow.
public struct OfferedEvidence: Sendable {
    public var measurements: [BenchmarkResult]
    public var serving: [ServingInput]
    /// The stored groups the measurements were drawn from (`add(from:)`), cited by the report instead of every row.
    public var groups: [MeasurementGroup]

    public init(
        measurements: [BenchmarkResult] = [],
        serving: [ServingInput] = [],
        groups: [MeasurementGroup] = []
    ) {
        self.measurements = measurements
        self.serving = serving
        self.groups = groups
    }

    /// Result files: `parity.measurement/1` files and serving files (`parity.serving/2` records or `parity bench
    /// serve` results), told apart by their content. Runs from files are tier "measured".
    public static func load(files: [String]) throws -> OfferedEvidence {
        var evidence = OfferedEvidence()
        for path in files {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ServingFileError.unreadable(path: path, reason: error.localizedDescription)
            }
            if ServingFile.isServing(data) {
                evidence.serving += try ServingFile.decode(data, path: path).map { ServingInput(measurement: $0) }
            } else {
                evidence.measurements += try ResultFile.decode(data, path: path)
            }
        }
        return evidence
    }

    /// Adds what a store may cite (local imports, campaign tasks, accepted submissions), skipping IDs already
    /// offered. Local and campaign runs are tier "measured"; accepted vendor submissions "submitted", cited with
    /// their submission.
    ///
    /// Measurements come as the store's summaries (`ResultStore.measurementSummaries`): per chip × benchmark ×
    /// precision, only the best passing row, which is the only row of its group the assessment can pick
    /// (`Evaluator.measured` and the fleet calibration take the highest median among passing rows, ties to the
    /// smallest ID), so the verdicts equal those from every row while the store need not send every row. The
    /// groups are kept in `groups` for the report. Serving runs are read whole but without their per-request
    /// records, which the assessment does not use.
    public mutating func add(from store: any ResultStore) async throws {
        let given = Set(measurements.map(\.id))
        for summary in try await store.measurementSummaries(ResultFilter(evidenceOnly: true)) {
            groups.append(MeasurementGroup(summary))
            if let best = summary.best?.result, !given.contains(best.id) { measurements.append(best) }
        }
        let runs = Set(serving.map(\.measurement.id))
        for row in try await store.servingResults(ServingResultFilter(evidenceOnly: true))
        where !runs.contains(row.measurement.id) {
            var measurement = row.measurement
            measurement.requests = nil
            if row.isMeasuredHere {
                serving.append(ServingInput(measurement: measurement, tier: .measured, reference: row.id))
            } else {
                serving.append(
                    ServingInput(
                        measurement: measurement,
                        tier: .submitted,
                        reference: "\(row.id) (submission \(row.submissionID ?? "?"))"
                    )
                )
            }
        }
    }

    /// IDs of everything offered, for the assessment's record.
    public var ids: [String] { measurements.map(\.id) + serving.map(\.reference) }
}
