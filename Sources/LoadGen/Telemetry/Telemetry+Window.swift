extension Telemetry {
    /// Where a run's energy is counted: its steady-state window (`SteadyState.rule`) with the output tokens
    /// streamed inside it, or without one the whole run with every output token.
    public static func energyWindow(
        _ records: [RequestRecord],
        duration: Double
    ) -> (start: Double, end: Double, outputTokens: Int, rule: String) {
        if let steady = TimeWindows.steadyState(records, percentiles: [50], goodput: nil) {
            let tokens = steady.metrics.outputThroughput * (steady.end - steady.start)
            return (steady.start, steady.end, Int(tokens.rounded()), "steady state: " + SteadyState.rule)
        }
        let tokens = records.filter(\.success).reduce(0) { $0 + $1.outputTokens }
        return (0, duration, tokens, "whole run (no steady-state window)")
    }
}
