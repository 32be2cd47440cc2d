public import Foundation

/// A stored result with its document as the JSON text the row holds (`ResultFile`'s encoding of one measurement),
/// unparsed: for lists that only pass documents on, such as the API's pages, where parsing each document and encoding
/// it again would be most of the work. `StoredResult` is the same row parsed.
public struct StoredResultText: Sendable, Equatable {
    public var id: String
    /// The `parity.measurement/1` JSON object as stored.
    public var document: String
    public var submissionID: String?
    public var status: Submission.Status?
    public var vendor: String?
    public var storedAt: Date
    /// The measurement's time, which orders the list (its keyset cursor).
    public var measuredAt: Date

    public init(
        id: String,
        document: String,
        submissionID: String?,
        status: Submission.Status?,
        vendor: String?,
        storedAt: Date,
        measuredAt: Date
    ) {
        self.id = id
        self.document = document
        self.submissionID = submissionID
        self.status = status
        self.vendor = vendor
        self.storedAt = storedAt
        self.measuredAt = measuredAt
    }
}
