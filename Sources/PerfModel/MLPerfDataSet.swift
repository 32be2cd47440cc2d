/// An MLPerf Inference data set's size, mean input length and output-length spread (see
/// `Validation.mlperfMeanInputTokens`).
public struct MLPerfDataSet: Sendable, Hashable {
    public var name: String
    public var samples: Int
    public var meanInputTokens: Int
    /// Squared coefficient of variation of the data set's reference output lengths (`PerformanceModel
    /// .outputLengthCV2`); 0 where generation is capped so that nearly every request emits the cap.
    public var outputCV2: Double

    public init(name: String, samples: Int, meanInputTokens: Int, outputCV2: Double = 0) {
        self.name = name
        self.samples = samples
        self.meanInputTokens = meanInputTokens
        self.outputCV2 = outputCV2
    }
}
