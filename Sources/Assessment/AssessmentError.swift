/// Why an assessment cannot run.
public enum AssessmentError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptySuite
    case noCandidates
    case noReferences
    case unknownWorkload(String, available: [String])
    case invalidWorkload(String, String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .emptySuite:
            "the workload suite is empty; name at least one workload (see `parity assess --list-workloads`)"
        case .noCandidates:
            "no candidate chips to assess"
        case .noReferences:
            "no reference chips to compare against"
        case .unknownWorkload(let id, let available):
            "unknown workload '\(id)'; available: \(available.joined(separator: ", "))"
        case .invalidWorkload(let id, let reason):
            "workload '\(id)': \(reason)"
        case .invalidOption(let message):
            message
        }
    }
}
