/// Bus bandwidth of collectives, as nccl-tests defines it: algorithm bandwidth (bytes ÷ time) scaled by the
/// fraction of data each rank must move, so that the figure is comparable to link speed whatever the rank count.
public enum Collective: String, Sendable, Hashable, Codable, CaseIterable {
    case allReduce = "all-reduce"
    case allGather = "all-gather"
    case reduceScatter = "reduce-scatter"
    case allToAll = "all-to-all"
    case broadcast

    /// nccl-tests' correction factor for `ranks` participants.
    public func busFactor(ranks: Int) -> Double {
        let n = Double(max(1, ranks))
        switch self {
        case .allReduce: return 2 * (n - 1) / n
        case .allGather, .reduceScatter, .allToAll: return (n - 1) / n
        case .broadcast: return 1
        }
    }

    /// Algorithm bandwidth in bytes per second: the message size over the time.
    public static func algorithmBandwidth(bytes: Double, seconds: Double) -> Double {
        seconds > 0 ? bytes / seconds : 0
    }

    /// Bus bandwidth in bytes per second.
    public func busBandwidth(bytes: Double, seconds: Double, ranks: Int) -> Double {
        Self.algorithmBandwidth(bytes: bytes, seconds: seconds) * busFactor(ranks: ranks)
    }
}
