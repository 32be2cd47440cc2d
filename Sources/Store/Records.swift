public import Foundation
public import Measure

/// A measurement as stored: the result itself, and where it came from.
public struct StoredResult: Sendable, Equatable, Codable {
    /// The ID the store knows it by: the result's own ID for local imports and campaigns, `VENDOR:ID` for a
    /// vendor's submission, so that no vendor can block or probe another's IDs.
    public var id: String
    public var result: BenchmarkResult
    /// The submission that carried it; `nil` for a local `parity results import`.
    public var submissionID: String?
    /// The carrying submission's status; `nil` for local imports.
    public var status: Submission.Status?
    /// The vendor whose token submitted it; `nil` for local imports.
    public var vendor: String?
    public var storedAt: Date

    public init(
        id: String? = nil,
        result: BenchmarkResult,
        submissionID: String? = nil,
        status: Submission.Status? = nil,
        vendor: String? = nil,
        storedAt: Date
    ) {
        self.id = id ?? result.id
        self.result = result
        self.submissionID = submissionID
        self.status = status
        self.vendor = vendor
        self.storedAt = storedAt
    }

    /// Local imports and accepted submissions: what an assessment may cite.
    public var isEvidence: Bool { submissionID == nil || status == .accepted }
}

/// Which results to list. `nil` fields do not filter.
public struct ResultFilter: Sendable, Equatable {
    public var chip: String?
    public var benchmark: BenchmarkResult.Benchmark?
    /// Measured at or after.
    public var since: Date?
    /// Measured before.
    public var until: Date?
    /// Only results a vendor may see: its own, local imports and accepted submissions of others.
    public var visibleTo: String?
    /// Only local imports and accepted submissions.
    public var evidenceOnly: Bool
    public var limit: Int?
    /// Keyset pagination: only results after this one in the list order (measured time, then stored ID).
    public var after: ResultCursor?

    public init(
        chip: String? = nil,
        benchmark: BenchmarkResult.Benchmark? = nil,
        since: Date? = nil,
        until: Date? = nil,
        visibleTo: String? = nil,
        evidenceOnly: Bool = false,
        limit: Int? = nil
    ) {
        self.chip = chip
        self.benchmark = benchmark
        self.since = since
        self.until = until
        self.visibleTo = visibleTo
        self.evidenceOnly = evidenceOnly
        self.limit = limit
    }
}

/// A position in the results list: the last result of a page, by measured time and stored ID.
public struct ResultCursor: Sendable, Equatable {
    public var measuredAt: Date
    public var id: String

    public init(measuredAt: Date, id: String) {
        self.measuredAt = measuredAt
        self.id = id
    }
}

/// A position in the submissions list (newest first): the last submission of a page.
public struct SubmissionCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: String

    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }
}

/// A position in a list ordered by creation time, then ID (assessments newest first; tokens and vendor keys oldest
/// first): the last item of a page.
public struct CreationCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: String

    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }
}

/// What an import did.
public struct ImportSummary: Sendable, Equatable, Codable {
    public var inserted: Int
    /// Results whose ID was already stored with the same content: skipped, not doubled.
    public var unchanged: Int
}

/// A signed bundle submitted through the API, with its review state.
public struct Submission: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Visible to its vendor (and reviewers) only; not yet up for review.
        case draft
        case submitted
        case accepted
        case rejected
    }

    public var id: String
    /// The name of the token that submitted it.
    public var submitter: String
    public var vendor: String?
    public var idempotencyKey: String
    public var status: Status
    public var reason: String?
    public var reviewer: String?
    /// Key ID of the Ed25519 key that signed the bundle.
    public var keyID: String
    public var payloadType: String
    /// Records the bundle carried: measurements and serving results together.
    public var resultCount: Int
    public var createdAt: Date
    public var reviewedAt: Date?

    public init(
        id: String,
        submitter: String,
        vendor: String?,
        idempotencyKey: String,
        status: Status,
        reason: String? = nil,
        reviewer: String? = nil,
        keyID: String,
        payloadType: String,
        resultCount: Int,
        createdAt: Date,
        reviewedAt: Date? = nil
    ) {
        self.id = id
        self.submitter = submitter
        self.vendor = vendor
        self.idempotencyKey = idempotencyKey
        self.status = status
        self.reason = reason
        self.reviewer = reviewer
        self.keyID = keyID
        self.payloadType = payloadType
        self.resultCount = resultCount
        self.createdAt = createdAt
        self.reviewedAt = reviewedAt
    }
}

/// A verified submission to store in one transaction with its results.
public struct NewSubmission: Sendable {
    public var submission: Submission
    /// The bundle bytes as received (kept for re-verification).
    public var bundle: Data
    public var results: [BenchmarkResult]
    /// Serving results the bundle carries (`parity.results/2`).
    public var serving: [ServingMeasurement]
    /// Stores the results as `NAMESPACE:ID` (the submitting vendor), so that IDs are unique per vendor only.
    public var namespace: String?

    public init(
        submission: Submission,
        bundle: Data,
        results: [BenchmarkResult],
        serving: [ServingMeasurement] = [],
        namespace: String? = nil
    ) {
        self.submission = submission
        self.bundle = bundle
        self.results = results
        self.serving = serving
        self.namespace = namespace
    }
}

/// What `submit` did: stored it, or found the same idempotency key already stored (a retry; nothing written).
public enum SubmitOutcome: Sendable, Equatable {
    case created(Submission)
    case replayed(Submission)

    public var submission: Submission {
        switch self {
        case .created(let submission), .replayed(let submission): submission
        }
    }
}

/// Which submissions to list.
public struct SubmissionFilter: Sendable, Equatable {
    /// Only this vendor's.
    public var vendor: String?
    public var status: Submission.Status?
    /// Leave out drafts (what the public dashboard shows).
    public var excludingDrafts: Bool
    public var limit: Int?
    /// Keyset pagination: only submissions after this one in the list order (newest first).
    public var after: SubmissionCursor?

    public init(
        vendor: String? = nil,
        status: Submission.Status? = nil,
        excludingDrafts: Bool = false,
        limit: Int? = nil
    ) {
        self.vendor = vendor
        self.status = status
        self.excludingDrafts = excludingDrafts
        self.limit = limit
    }
}

/// A chip definition added by a user (catalogue YAML text), alongside the built-in catalogue.
public struct StoredChip: Sendable, Equatable, Codable {
    public var id: String
    public var vendor: String
    /// The chip file's text, in the catalogue format.
    public var document: String
    public var addedBy: String
    public var createdAt: Date

    public init(id: String, vendor: String, document: String, addedBy: String, createdAt: Date) {
        self.id = id
        self.vendor = vendor
        self.document = document
        self.addedBy = addedBy
        self.createdAt = createdAt
    }
}

/// An assessment document (`parity.assessment/1` JSON), stored as the bytes `assess` wrote.
public struct StoredAssessment: Sendable, Equatable, Codable {
    public var id: String
    public var title: String
    public var document: Data
    public var createdAt: Date

    public init(id: String, title: String, document: Data, createdAt: Date) {
        self.id = id
        self.title = title
        self.document = document
        self.createdAt = createdAt
    }
}

/// A bearer token as stored: only the SHA-256 of the secret, never the secret.
public struct AccessToken: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var role: Role
    public var hash: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, role: Role, hash: String, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.hash = hash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// An Ed25519 public key an admin registered for a vendor: submissions from that vendor's tokens must be signed by
/// one of its active keys. A revoked key signs nothing new; what it signed before revocation stays valid.
public struct VendorKey: Sendable, Equatable, Codable {
    /// The key ID bundles carry (the first 8 bytes of the SHA-256 of the raw key, in hex).
    public var id: String
    public var vendor: String
    public var name: String
    /// The raw 32-byte key, base64.
    public var publicKey: String
    /// The admin token that registered it.
    public var registeredBy: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(
        id: String,
        vendor: String,
        name: String,
        publicKey: String,
        registeredBy: String,
        createdAt: Date,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.vendor = vendor
        self.name = name
        self.publicKey = publicKey
        self.registeredBy = registeredBy
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Whether the key was active at `time` (registered, not yet revoked).
    public func isActive(at time: Date) -> Bool {
        createdAt <= time && (revokedAt.map { time < $0 } ?? true)
    }
}

/// A campaign as registered when it first runs: its plan text and, when a directive was overridden, why.
public struct StoredCampaign: Sendable, Equatable, Codable {
    public var name: String
    public var plan: String
    public var overrideReason: String?
    public var createdAt: Date

    public init(name: String, plan: String, overrideReason: String?, createdAt: Date) {
        self.name = name
        self.plan = plan
        self.overrideReason = overrideReason
        self.createdAt = createdAt
    }
}

/// The last known outcome of one campaign task. `done` is final: its results are stored exactly once.
public struct CampaignTaskRecord: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case done, failed, cancelled, timeout
    }

    public var campaign: String
    public var task: String
    public var index: Int
    public var state: State
    /// Outcomes recorded for this task (1 for a first-time success).
    public var attempts: Int
    public var cause: String?
    public var resultCount: Int
    public var updatedAt: Date

    public init(
        campaign: String,
        task: String,
        index: Int,
        state: State,
        attempts: Int,
        cause: String?,
        resultCount: Int,
        updatedAt: Date
    ) {
        self.campaign = campaign
        self.task = task
        self.index = index
        self.state = state
        self.attempts = attempts
        self.cause = cause
        self.resultCount = resultCount
        self.updatedAt = updatedAt
    }
}

/// What completing a campaign task did.
public enum TaskCompletion: Sendable, Equatable {
    /// The results were stored and the task marked done.
    case stored(Int)
    /// The task was already done; nothing was written (a retry, a resumed run, or `collect` of a stored file).
    case alreadyDone
}
