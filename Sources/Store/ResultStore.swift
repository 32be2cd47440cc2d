public import Foundation
public import Measure

/// The one storage interface, implemented once (`SQLStore`) over a thin SQL layer for SQLite (GRDB, the embedded
/// default) and PostgreSQL (postgres-nio). Both apply the same versioned migrations (`Migrations`) and pass the same
/// conformance tests. Every write is one transaction.
public protocol ResultStore: Sendable {
    /// `sqlite` or `postgres`.
    var kind: String { get }
    /// Serves background work (the PostgreSQL connection pool) until cancelled or shut down gracefully.
    func run() async throws
    /// The migrations applied, oldest first.
    func appliedMigrations() async throws(StoreError) -> [String]
    /// Cheap liveness check (`/healthz`).
    func ping() async throws(StoreError)

    /// Stores local measurements (no submission). A result whose ID is stored with the same content is skipped;
    /// with different content it is a conflict and nothing of the call is written.
    func importResults(_ results: [BenchmarkResult]) async throws(StoreError) -> ImportSummary
    func results(_ filter: ResultFilter) async throws(StoreError) -> [StoredResult]
    func result(id: String) async throws(StoreError) -> StoredResult?
    /// The rows of `results(_:)`, in the same order, with each document unparsed (`StoredResultText`).
    func resultTexts(_ filter: ResultFilter) async throws(StoreError) -> [StoredResultText]
    /// Per chip × benchmark × precision, the group's size and its best passing row (`MeasurementSummary`), over the
    /// rows `filter` admits; `limit` and `after` are ignored. Both stores answer with one aggregation in the database
    /// (`StoreSQL.summaries`); the protocol's default reads every row.
    func measurementSummaries(_ filter: ResultFilter) async throws(StoreError) -> [MeasurementSummary]

    /// Stores local serving results (no submission). A record whose ID is stored with the same content is skipped;
    /// with different content it is a conflict and nothing of the call is written.
    func importServingResults(_ measurements: [ServingMeasurement]) async throws(StoreError) -> ImportSummary
    /// Serving results in list order (measured time, then stored ID), each saying where it came from.
    func servingResults(_ filter: ServingResultFilter) async throws(StoreError) -> [StoredServingResult]
    func servingResult(id: String) async throws(StoreError) -> StoredServingResult?

    /// Stores a submission and its results in one transaction. The same submitter and idempotency key with the
    /// same bundle is a replay (nothing written); with a different bundle it is a conflict.
    func submit(_ new: NewSubmission) async throws(StoreError) -> SubmitOutcome
    func submissions(_ filter: SubmissionFilter) async throws(StoreError) -> [Submission]
    func submission(id: String) async throws(StoreError) -> Submission?
    /// Moves a submission to `status` (draft → submitted by its vendor; submitted → accepted/rejected by a
    /// reviewer, with a reason). Other transitions are invalid.
    func updateSubmission(
        id: String,
        to status: Submission.Status,
        reason: String?,
        reviewer: String?,
        at time: Date
    ) async throws(StoreError) -> Submission

    func addChip(_ chip: StoredChip) async throws(StoreError)
    func chips() async throws(StoreError) -> [StoredChip]

    func saveAssessment(_ assessment: StoredAssessment) async throws(StoreError)
    /// Newest first (ties by ID); `after` (keyset) continues after a page's last assessment.
    func assessments(limit: Int?, after: CreationCursor?) async throws(StoreError) -> [StoredAssessment]
    func assessment(id: String) async throws(StoreError) -> StoredAssessment?

    func createToken(_ token: AccessToken) async throws(StoreError)
    func token(hash: String) async throws(StoreError) -> AccessToken?
    /// Oldest first (ties by ID); `after` (keyset) continues after a page's last token.
    func tokens(limit: Int?, after: CreationCursor?) async throws(StoreError) -> [AccessToken]
    func revokeToken(id: String, at time: Date) async throws(StoreError) -> AccessToken

    /// Registers a vendor's signing key; a key (by ID or bytes) already registered is a conflict.
    func registerVendorKey(_ key: VendorKey) async throws(StoreError)
    /// Registered keys, oldest first (ties by ID); `vendor` filters; `after` (keyset) continues after a page's last
    /// key.
    func vendorKeys(vendor: String?, limit: Int?, after: CreationCursor?) async throws(StoreError) -> [VendorKey]
    func vendorKey(id: String) async throws(StoreError) -> VendorKey?
    /// Revokes a key (idempotent: the first revocation time is kept).
    func revokeVendorKey(id: String, at time: Date) async throws(StoreError) -> VendorKey

    /// Registers a campaign on its first run; later calls keep the first registration (and its override reason)
    /// and return it.
    func registerCampaign(_ campaign: StoredCampaign) async throws(StoreError) -> StoredCampaign
    func campaign(name: String) async throws(StoreError) -> StoredCampaign?
    /// Stores a task's results (and, for a serving task, its result document and the typed serving results
    /// converted from it, IDs `<campaign>.<task>.serve`) and marks it done, in one transaction; a task already done
    /// writes nothing.
    func completeCampaignTask(
        campaign: String,
        task: String,
        index: Int,
        results: [BenchmarkResult],
        document: Data?,
        at time: Date
    ) async throws(StoreError) -> TaskCompletion
    /// The documents (serving results) of a campaign's done tasks, by task.
    func campaignDocuments(campaign: String) async throws(StoreError) -> [String: Data]
    /// Records a failed, cancelled or timed-out attempt (never overwrites `done`).
    func recordCampaignTask(
        campaign: String,
        task: String,
        index: Int,
        state: CampaignTaskRecord.State,
        cause: String,
        at time: Date
    ) async throws(StoreError)
    func campaignTasks(campaign: String) async throws(StoreError) -> [CampaignTaskRecord]
    /// Results stored by a campaign's tasks.
    func campaignResults(campaign: String) async throws(StoreError) -> [BenchmarkResult]

    /// Refreshes the query planner's statistics after a bulk write (`parity results import` calls it when it stored
    /// rows): PostgreSQL plans a filtered page with a sequential scan until its statistics know the new rows.
    func refreshStatistics() async throws(StoreError)

    /// Releases connections; the store is unusable afterwards.
    func close() async
}

extension ResultStore {
    /// The newest `limit` assessments (all when `nil`).
    public func assessments(limit: Int?) async throws(StoreError) -> [StoredAssessment] {
        try await assessments(limit: limit, after: nil)
    }

    /// Every token, oldest first.
    public func tokens() async throws(StoreError) -> [AccessToken] {
        try await tokens(limit: nil, after: nil)
    }

    /// Every registered key (of `vendor`, when given), oldest first.
    public func vendorKeys(vendor: String?) async throws(StoreError) -> [VendorKey] {
        try await vendorKeys(vendor: vendor, limit: nil, after: nil)
    }
}

extension Submission.Status {
    /// The transitions `updateSubmission` allows.
    public func canMove(to next: Submission.Status) -> Bool {
        switch (self, next) {
        case (.draft, .submitted), (.submitted, .accepted), (.submitted, .rejected): true
        default: false
        }
    }
}
