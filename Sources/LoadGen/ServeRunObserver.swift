/// Something that follows each measured run of a serving benchmark: a telemetry recorder started before the run
/// and stopped after it, whose findings become keys of the run's `parity` object.
public protocol ServeRunObserver: Sendable {
    /// A measured run (1-based) of a point (0-based) is about to start (its warm-up, if any, comes first).
    func runStarting(point: Int, run: Int) async
    /// The run has ended; the returned keys are added to its `parity` object (later observers win a clash).
    func runFinished(_ outcome: RunOutcome) async -> [String: JSONValue]
}
