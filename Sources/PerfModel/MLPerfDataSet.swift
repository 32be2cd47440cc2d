/// An MLPerf Inference data set's size and mean input length (see `Validation.mlperfMeanInputTokens`).
public struct MLPerfDataSet: Sendable, Hashable {
    public var name: String
    public var samples: Int
    public var meanInputTokens: Int

    public init(name: String, samples: Int, meanInputTokens: Int) {
        self.name = name
        self.samples = samples
        self.meanInputTokens = meanInputTokens
    }
}
