import Catalogue
import Foundation
import Measure

/// The JSON text a serving result row keeps (the record exactly as `ServingFile` writes it), its indexed columns,
/// and the conversion of campaign tasks' `parity.serving/1` documents into typed rows.
enum ServingDocument {
    static func text(_ measurement: ServingMeasurement) -> String {
        String(decoding: ServingFile.line(measurement), as: UTF8.self)
    }

    static func measurement(_ text: String, id: String) throws(StoreError) -> ServingMeasurement {
        do {
            guard let measurement = try ServingFile.decode(Data(text.utf8), path: "stored serving result \(id)").first
            else { throw StoreError.invalid("stored serving result \(id) is empty") }
            return measurement
        } catch let error as StoreError {
            throw error
        } catch {
            throw .invalid("stored serving result \(id) cannot be read: \(error)")
        }
    }

    /// The fields of one `serving_results` row, in `INSERT` order.
    struct Row: Sendable {
        var id: String
        var chip: String
        var chips: Int
        var model: String
        var scenario: String?
        var engine: String
        var engineVersion: String?
        var outputThroughput: Double
        var measuredAt: String
        var document: String

        init(_ measurement: ServingMeasurement) {
            id = measurement.id
            chip = measurement.chip
            chips = measurement.chips
            model = measurement.scenario.model
            scenario = measurement.scenario.name
            engine = measurement.engine.name
            engineVersion = measurement.engine.version
            outputThroughput = measurement.metrics.outputTokensPerSecond
            measuredAt = Timestamp.text(measurement.time)
            document = ServingDocument.text(measurement)
        }

        /// The values of `ServingDocument.insertColumns`.
        func values(submission: String?, campaign: String?, storedAt: String) -> [SQLValue] {
            let values: [any SQLBindable] = [
                id, chip, chips, model, scenario, engine, engineVersion, outputThroughput, measuredAt, submission,
                campaign, document, storedAt,
            ]
            return values.map(\.sqlValue)
        }

        /// The serving rows of a submission, IDs prefixed with the submitting vendor's namespace like results.
        static func rows(_ new: NewSubmission) -> [Row] {
            new.serving.map { measurement in
                var row = Row(measurement)
                if let namespace = new.namespace { row.id = "\(namespace):\(row.id)" }
                return row
            }
        }
    }

    static let insertColumns = [
        "id", "chip", "chips", "model", "scenario", "engine", "engine_version", "output_throughput", "measured_at",
        "submission_id", "campaign", "document", "stored_at",
    ]

    static let columns =
        "r.document, r.submission_id, s.status, s.vendor, r.campaign, r.stored_at, r.id, r.measured_at"

    /// A row of `columns`. The measurement's time is the row's `measured_at`, which keeps the milliseconds the
    /// document's ISO 8601 text drops: the list is ordered by that column, so a keyset cursor made from a row's time
    /// must be that column's value, or rows within one second would come back on every page.
    static func stored(_ row: SQLRow) throws(StoreError) -> StoredServingResult {
        let id = try row.text(6)
        var measurement = try measurement(try row.text(0), id: id)
        measurement.time = try Timestamp.date(try row.text(7))
        return StoredServingResult(
            id: id,
            measurement: measurement,
            submissionID: try row.optionalText(1),
            status: try row.optionalText(2).flatMap(Submission.Status.init(rawValue:)),
            vendor: try row.optionalText(3),
            campaign: try row.optionalText(4),
            storedAt: try Timestamp.date(try row.text(5))
        )
    }

    // MARK: - Campaign documents

    /// What a campaign's `parity.serving/1` document cannot say and the campaign plan does not give: recorded as
    /// one chip, engine `unknown` and BF16 weights, and the provenance says so, so that no reader takes them for
    /// measured facts. A document that embeds its typed record (`parity.measurement`) needs none of this.
    static let campaignFallback = ServingFile.Context(chips: 1, engine: "unknown", weightPrecision: .bf16)

    /// The typed records of one campaign task's serving document: IDs `<campaign>.<task>.serve` (sweep points
    /// `.1`, `.2`, …). `nil` when the document cannot be converted (no completed request, not a bench-serve file);
    /// the document itself stays with the task.
    static func campaignMeasurements(campaign: String, task: String, document: Data) -> [ServingMeasurement]? {
        var context = campaignFallback
        context.id = "\(campaign).\(task).serve"
        context.provenance =
            "parity campaign \(campaign), task \(task) (parity.serving/1; chip count, engine and weight precision "
            + "not recorded by the campaign: 1 chip, engine 'unknown', bf16 written in their place)"
        guard
            let measurements = try? ServingFile.decode(
                document,
                path: "campaign \(campaign) task \(task)",
                context: context
            )
        else { return nil }
        return measurements.map { measurement in
            var copy = measurement
            // An embedded typed record keeps its own fields; only its ID becomes the campaign's stable one.
            if !copy.id.hasPrefix("\(campaign).\(task).serve") { copy.id = "\(campaign).\(task).serve" }
            return copy
        }
    }
}

extension ServingResultFilter {
    /// `WHERE` clauses (with `?` placeholders) and their values.
    func clauses() -> (sql: [String], values: [String]) {
        RowClauses.make(
            equal: [
                ("r.chip", chip), ("r.model", model), ("r.scenario", scenario), ("r.engine", engine),
                ("r.campaign", campaign),
            ],
            since: since,
            until: until,
            visibleTo: visibleTo,
            evidenceOnly: evidenceOnly,
            after: after
        )
    }
}
