/// Why a campaign step cannot go on. Messages name the plan, task or command and say what to do.
public enum CampaignError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)
    /// A directive in force forbids the testing; `--override-reason` records why it runs anyway.
    case refused(directives: [String], message: String)
    case scheduler(String)
    case taskFailed(String)

    public var description: String {
        switch self {
        case .invalid(let message), .scheduler(let message), .taskFailed(let message): message
        case .refused(_, let message): message
        }
    }
}
