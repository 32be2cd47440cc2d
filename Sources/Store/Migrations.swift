/// The schema, as an append-only list of migrations that both databases apply in order (`SQLStore.migrate`). Each
/// migration is SQL that SQLite and PostgreSQL read alike (TEXT times in fixed-width ISO 8601, DOUBLE PRECISION, CHECK and
/// foreign-key constraints). Never edit a published migration; append a new one.
public enum Migrations {
    public struct Migration: Sendable {
        public var id: String
        public var statements: [String]
        /// Run after the statements, in the same transaction, written once over the SQL layer.
        public var dataSteps: [DataStep] = []
    }

    /// A migration's data step: rows rewritten from what they already hold.
    public enum DataStep: Sendable {
        /// Every campaign task's stored serving document (`parity.serving/1`) becomes typed `serving_results` rows
        /// (`ServingDocument.campaignMeasurements`).
        case convertCampaignDocuments
        /// Every result whose document says its correctness check failed gets `passing = 0` (the column's default
        /// is 1); read from the documents themselves, so the column agrees with what `ResultDocument` decodes.
        case recordFailedChecks
        /// `result_groups` filled from every stored result (`StoreSQL.summarizeResultGroups`).
        case summarizeResultGroups
    }

    public static let all: [Migration] = [
        Migration(
            id: "001-initial",
            statements: [
                """
                CREATE TABLE submissions (
                    id TEXT PRIMARY KEY,
                    submitter TEXT NOT NULL,
                    vendor TEXT,
                    idempotency_key TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'rejected')),
                    reason TEXT,
                    reviewer TEXT,
                    key_id TEXT NOT NULL,
                    payload_type TEXT NOT NULL,
                    result_count INTEGER NOT NULL CHECK (result_count >= 0),
                    bundle TEXT NOT NULL,
                    bundle_sha256 TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    reviewed_at TEXT,
                    UNIQUE (submitter, idempotency_key)
                )
                """,
                """
                CREATE TABLE results (
                    id TEXT PRIMARY KEY,
                    chip TEXT NOT NULL,
                    benchmark TEXT NOT NULL,
                    precision TEXT,
                    backend TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    median DOUBLE PRECISION NOT NULL,
                    measured_at TEXT NOT NULL,
                    submission_id TEXT REFERENCES submissions (id),
                    document TEXT NOT NULL,
                    stored_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX results_chip_benchmark ON results (chip, benchmark, measured_at)",
                "CREATE INDEX results_submission ON results (submission_id)",
                "CREATE INDEX submissions_vendor ON submissions (vendor, status)",
                """
                CREATE TABLE chips (
                    id TEXT PRIMARY KEY,
                    vendor TEXT NOT NULL,
                    document TEXT NOT NULL,
                    added_by TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE assessments (
                    id TEXT PRIMARY KEY,
                    title TEXT NOT NULL,
                    document TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE tokens (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    revoked_at TEXT
                )
                """,
            ]
        ),
        Migration(
            id: "002-campaigns",
            statements: [
                """
                CREATE TABLE campaigns (
                    name TEXT PRIMARY KEY,
                    plan TEXT NOT NULL,
                    override_reason TEXT,
                    created_at TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE campaign_tasks (
                    campaign TEXT NOT NULL REFERENCES campaigns (name),
                    task TEXT NOT NULL,
                    task_index INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('done', 'failed', 'cancelled', 'timeout')),
                    attempts INTEGER NOT NULL,
                    cause TEXT,
                    result_count INTEGER NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (campaign, task)
                )
                """,
                "ALTER TABLE results ADD COLUMN campaign TEXT REFERENCES campaigns (name)",
                "CREATE INDEX results_campaign ON results (campaign)",
            ]
        ),
        Migration(
            id: "003-campaign-task-documents",
            statements: [
                // A serving task's parity.serving/1 result, stored once with the task.
                "ALTER TABLE campaign_tasks ADD COLUMN document TEXT"
            ]
        ),
        Migration(
            id: "004-vendor-keys",
            statements: [
                // Ed25519 keys admins register per vendor; a submission must be signed by an active one.
                """
                CREATE TABLE vendor_keys (
                    id TEXT PRIMARY KEY,
                    vendor TEXT NOT NULL,
                    name TEXT NOT NULL,
                    public_key TEXT NOT NULL UNIQUE,
                    registered_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    revoked_at TEXT
                )
                """,
                "CREATE INDEX vendor_keys_vendor ON vendor_keys (vendor)",
                "CREATE INDEX chips_vendor ON chips (vendor)",
            ]
        ),
        Migration(
            id: "005-serving-results",
            statements: [
                // Typed serving results (parity.serving/2): the record as its document, plus the columns the
                // assessment and the API query by. A row comes from a local import, a campaign task or a submission.
                """
                CREATE TABLE serving_results (
                    id TEXT PRIMARY KEY,
                    chip TEXT NOT NULL,
                    chips INTEGER NOT NULL CHECK (chips >= 1),
                    model TEXT NOT NULL,
                    scenario TEXT,
                    engine TEXT NOT NULL,
                    engine_version TEXT,
                    output_throughput DOUBLE PRECISION NOT NULL,
                    measured_at TEXT NOT NULL,
                    submission_id TEXT REFERENCES submissions (id),
                    campaign TEXT REFERENCES campaigns (name),
                    document TEXT NOT NULL,
                    stored_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX serving_results_chip_model ON serving_results (chip, model, measured_at)",
                "CREATE INDEX serving_results_model ON serving_results (model, measured_at)",
                "CREATE INDEX serving_results_scenario ON serving_results (scenario)",
                "CREATE INDEX serving_results_engine ON serving_results (engine)",
                "CREATE INDEX serving_results_measured ON serving_results (measured_at, id)",
                "CREATE INDEX serving_results_submission ON serving_results (submission_id)",
                "CREATE INDEX serving_results_campaign ON serving_results (campaign)",
            ],
            dataSteps: [.convertCampaignDocuments]
        ),
        Migration(
            id: "006-list-indexes-and-summaries",
            statements: [
                // Whether the result's check did not fail: the best row of a group (`MeasurementSummary`) is chosen
                // in the database among passing rows, highest median first.
                "ALTER TABLE results ADD COLUMN passing INTEGER NOT NULL DEFAULT 1 CHECK (passing IN (0, 1))",
                // Every list is ordered by (measured_at, id) and paged by keyset on it: one index per filter with
                // the order as its tail, so that a filtered page of 50 reads 50 index entries, not the table.
                "CREATE INDEX results_measured ON results (measured_at, id)",
                "CREATE INDEX results_chip_measured ON results (chip, measured_at, id)",
                "CREATE INDEX results_benchmark_measured ON results (benchmark, measured_at, id)",
                "CREATE INDEX results_chip_benchmark_measured ON results (chip, benchmark, measured_at, id)",
                "DROP INDEX results_chip_benchmark",
                // The summary aggregation: groups read in order from this index alone (precision as '' when it
                // has none, so that a group's best row is found by equality on every key), and each group's best
                // row found by one seek on (chip, benchmark, precision, passing, median).
                """
                CREATE INDEX results_summary ON results (chip, benchmark, (COALESCE(precision, '')), passing, median, \
                id, submission_id, measured_at, precision)
                """,
                "CREATE INDEX serving_results_chip_measured ON serving_results (chip, measured_at, id)",
                "CREATE INDEX serving_results_chip_model_measured ON serving_results (chip, model, measured_at, id)",
                "CREATE INDEX serving_results_model_measured ON serving_results (model, measured_at, id)",
                "CREATE INDEX serving_results_scenario_measured ON serving_results (scenario, measured_at, id)",
                "CREATE INDEX serving_results_engine_measured ON serving_results (engine, measured_at, id)",
                "CREATE INDEX serving_results_campaign_measured ON serving_results (campaign, measured_at, id)",
                "DROP INDEX serving_results_chip_model",
                "DROP INDEX serving_results_model",
                "DROP INDEX serving_results_scenario",
                "DROP INDEX serving_results_engine",
                "DROP INDEX serving_results_campaign",
                // Submissions and assessments are listed newest first (ties by ID), by vendor and status or not at
                // all.
                "CREATE INDEX submissions_created ON submissions (created_at DESC, id)",
                "CREATE INDEX submissions_vendor_created ON submissions (vendor, created_at DESC, id)",
                "CREATE INDEX submissions_status_created ON submissions (status, created_at DESC, id)",
                "CREATE INDEX assessments_created ON assessments (created_at DESC, id)",
                // Tokens and vendor keys are listed oldest first, in pages.
                "CREATE INDEX tokens_created ON tokens (created_at, id)",
                "CREATE INDEX vendor_keys_vendor_created ON vendor_keys (vendor, created_at, id)",
                "CREATE INDEX vendor_keys_created ON vendor_keys (created_at, id)",
            ],
            dataSteps: [.recordFailedChecks]
        ),
        Migration(
            id: "007-result-groups",
            statements: [
                // The evidence summary per chip × benchmark × precision (precision '' when it has none) and origin
                // (the submission ID, '' for local imports and campaigns), kept as results are stored
                // (`StoreSQL.addToResultGroups`): the rows counted, the passing ones, the highest passing median
                // and the smallest ID among the rows that have it (code-point order). An assessment reads these few
                // rows instead of aggregating every result; origins let the reader admit only local and accepted
                // rows, whatever happens to a submission later.
                """
                CREATE TABLE result_groups (
                    chip TEXT NOT NULL,
                    benchmark TEXT NOT NULL,
                    precision TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    total BIGINT NOT NULL,
                    passed BIGINT NOT NULL,
                    best DOUBLE PRECISION,
                    best_id TEXT,
                    PRIMARY KEY (chip, benchmark, precision, origin)
                )
                """
            ],
            dataSteps: [.summarizeResultGroups]
        ),
    ]
}
