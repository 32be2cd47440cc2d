/// An MLPerf Inference data set's size, mean input length and output-length spread (see
/// `Validation.mlperfDataSets`).
public struct MLPerfDataSet: Sendable, Hashable {
    public var name: String
    public var samples: Int
    public var meanInputTokens: Int
    /// Squared coefficient of variation of the data set's reference output lengths (`outputLengthCV2` of
    /// `PerformanceModel.predict`); 0 where the references are not the model's own or generation is capped.
    public var outputCV2: Double

    public init(name: String, samples: Int, meanInputTokens: Int, outputCV2: Double = 0) {
        self.name = name
        self.samples = samples
        self.meanInputTokens = meanInputTokens
        self.outputCV2 = outputCV2
    }
}
