public import Foundation
public import Measure

/// A serving result as stored: the typed record, and where it came from — a local import, a campaign's serve task,
/// or a vendor's submission (with its review status). The assessment ranks local and campaign rows as tier
/// "measured" and accepted submissions as tier "submitted".
public struct StoredServingResult: Sendable, Equatable, Codable {
    /// Where a stored serving result came from.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// `parity results import` (a bench-serve file, a typed record, or another tool's file converted).
        case local
        /// A campaign's serve task.
        case campaign
        /// A vendor's signed submission.
        case submission
    }

    /// The ID the store knows it by: the record's own ID for local imports and campaigns, `VENDOR:ID` for a vendor's
    /// submission.
    public var id: String
    public var measurement: ServingMeasurement
    /// The submission that carried it; `nil` unless `origin` is `submission`.
    public var submissionID: String?
    /// The carrying submission's status.
    public var status: Submission.Status?
    /// The vendor whose token submitted it.
    public var vendor: String?
    /// The campaign whose task stored it.
    public var campaign: String?
    public var storedAt: Date

    public init(
        id: String? = nil,
        measurement: ServingMeasurement,
        submissionID: String? = nil,
        status: Submission.Status? = nil,
        vendor: String? = nil,
        campaign: String? = nil,
        storedAt: Date
    ) {
        self.id = id ?? measurement.id
        self.measurement = measurement
        self.submissionID = submissionID
        self.status = status
        self.vendor = vendor
        self.campaign = campaign
        self.storedAt = storedAt
    }

    public var origin: Origin {
        if submissionID != nil { return .submission }
        return campaign == nil ? .local : .campaign
    }

    /// Local imports, campaign runs and accepted submissions: what an assessment may cite.
    public var isEvidence: Bool { submissionID == nil || status == .accepted }

    /// A local or campaign measurement (tier "measured"), as opposed to a vendor's accepted submission (tier
    /// "submitted").
    public var isMeasuredHere: Bool { submissionID == nil }
}

/// Which serving results to list. `nil` fields do not filter.
public struct ServingResultFilter: Sendable, Equatable {
    public var chip: String?
    /// Catalogue model ID.
    public var model: String?
    /// Scenario name (a workload ID).
    public var scenario: String?
    /// Engine name (`vllm`, `sglang`, …).
    public var engine: String?
    /// Only this campaign's.
    public var campaign: String?
    /// Measured at or after.
    public var since: Date?
    /// Measured before.
    public var until: Date?
    /// Only results a vendor may see: its own, local and campaign results, and accepted submissions of others.
    public var visibleTo: String?
    /// Only local, campaign and accepted submitted results.
    public var evidenceOnly: Bool
    public var limit: Int?
    /// Keyset pagination: only results after this one in the list order (measured time, then stored ID).
    public var after: ResultCursor?

    public init(
        chip: String? = nil,
        model: String? = nil,
        scenario: String? = nil,
        engine: String? = nil,
        campaign: String? = nil,
        since: Date? = nil,
        until: Date? = nil,
        visibleTo: String? = nil,
        evidenceOnly: Bool = false,
        limit: Int? = nil,
        after: ResultCursor? = nil
    ) {
        self.chip = chip
        self.model = model
        self.scenario = scenario
        self.engine = engine
        self.campaign = campaign
        self.since = since
        self.until = until
        self.visibleTo = visibleTo
        self.evidenceOnly = evidenceOnly
        self.limit = limit
        self.after = after
    }
}
