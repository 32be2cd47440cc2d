public import Foundation

/// One measured run of a serving benchmark: what the client saw, its metrics, and its JSON result (vLLM's keys plus
/// the `parity` object, with the typed record when the configuration asked for one).
public struct ServeRun: Sendable {
    /// The point of a sweep (0 without one).
    public var point: Int
    /// 1 … `numRuns`.
    public var run: Int
    public var shape: LoadShape
    public var outcome: RunOutcome
    public var metrics: ServingMetrics
    public var result: JSONValue
    /// Why no typed record was embedded although the configuration asked for one (nothing completed, …).
    public var typedRecordProblem: String?
}

/// One point of a benchmark (the only one without a sweep): its runs, and with several runs the statistics over
/// them.
public struct ServePoint: Sendable {
    public var shape: LoadShape
    public var runs: [ServeRun]
    public var repeated: RepeatedRuns?
    /// The point's JSON result: its run's, or with several runs the first run's with `parity.num_runs`.
    public var result: JSONValue
}

/// What `ServeBenchmark.run` produced.
public struct ServeReport: Sendable {
    /// The model the requests named.
    public var model: String
    public var points: [ServePoint]
    /// The whole JSON result: the one point's, or `{"sweep": [...]}`.
    public var document: JSONValue
    /// `document` as written (sorted keys, slashes unescaped).
    public var data: Data
    /// Where the result was written, if anywhere.
    public var resultPath: String?
    /// Stopped early (cancelled): the runs hold the requests that finished.
    public var interrupted: Bool
}
