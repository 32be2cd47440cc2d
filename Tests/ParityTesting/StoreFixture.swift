import Catalogue
public import Foundation
public import Measure
public import Store

/// The two databases every store test runs against. PostgreSQL runs when `PARITY_TEST_POSTGRES_URL` names a
/// server (scripts/test starts one on 127.0.0.1 and sets it, with `PARITY_REQUIRE_POSTGRES=1`).
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    public static let postgresURL = ProcessInfo.processInfo.environment["PARITY_TEST_POSTGRES_URL"]
    public static let postgresRequired = ProcessInfo.processInfo.environment["PARITY_REQUIRE_POSTGRES"] == "1"

    /// The kinds this run can test.
    public static var available: [StoreKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

public enum StoreFixture {
    /// Runs `body` with a fresh, migrated store of `kind`: a new SQLite file, or a new PostgreSQL database that is
    /// dropped afterwards.
    public static func withStore<T: Sendable>(
        _ kind: StoreKind,
        _ body: (any ResultStore) async throws -> T
    ) async throws -> T {
        switch kind {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parity-store-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await StoreLocation.sqlite(path: directory.appendingPathComponent("test.sqlite").path)
                .withStore(body)
        case .postgres:
            guard let admin = StoreKind.postgresURL else {
                throw StoreError.invalid("PARITY_TEST_POSTGRES_URL is not set")
            }
            let name = "parity_t_\(UInt32.random(in: .min ... .max))_\(UInt32.random(in: .min ... .max))"
            try await adminExecute(admin, "CREATE DATABASE \(name)")
            do {
                let value = try await StoreLocation.postgres(url: url(admin, database: name)).withStore(body)
                try await adminExecute(admin, "DROP DATABASE \(name) WITH (FORCE)")
                return value
            } catch {
                try? await adminExecute(admin, "DROP DATABASE \(name) WITH (FORCE)")
                throw error
            }
        }
    }

    /// Runs `body` with the location of a fresh, empty database of `kind` (nothing opened or migrated), removed
    /// afterwards: for tests that build an older schema first.
    public static func withEmptyDatabase<T: Sendable>(
        _ kind: StoreKind,
        _ body: (StoreLocation) async throws -> T
    ) async throws -> T {
        switch kind {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parity-store-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body(.sqlite(path: directory.appendingPathComponent("test.sqlite").path))
        case .postgres:
            guard let admin = StoreKind.postgresURL else {
                throw StoreError.invalid("PARITY_TEST_POSTGRES_URL is not set")
            }
            let name = "parity_t_\(UInt32.random(in: .min ... .max))_\(UInt32.random(in: .min ... .max))"
            try await adminExecute(admin, "CREATE DATABASE \(name)")
            do {
                let value = try await body(.postgres(url: url(admin, database: name)))
                try await adminExecute(admin, "DROP DATABASE \(name) WITH (FORCE)")
                return value
            } catch {
                try? await adminExecute(admin, "DROP DATABASE \(name) WITH (FORCE)")
                throw error
            }
        }
    }

    static func url(_ admin: String, database: String) throws -> String {
        guard var components = URLComponents(string: admin) else { throw StoreError.invalid("bad URL \(admin)") }
        components.path = "/\(database)"
        return components.string ?? admin
    }

    /// Runs one statement (CREATE/DROP DATABASE) on the admin connection.
    static func adminExecute(_ url: String, _ sql: String) async throws {
        let store = try PostgresStore(url: url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await store.execute(unsafeSQL: sql)
        }
    }

    public static func result(
        _ id: String,
        chip: String = "h20",
        benchmark: BenchmarkResult.Benchmark = .gemm,
        time: Date = Date(timeIntervalSince1970: 1_790_000_000),
        value: Double = 1.5e14
    ) -> BenchmarkResult {
        BenchmarkResult(
            id: id,
            chip: chip,
            benchmark: benchmark,
            precision: benchmark == .gemm ? .bf16 : nil,
            unit: benchmark == .gemm ? "FLOP/s" : "B/s",
            samples: [value, value * 1.01, value * 0.99],
            warmups: 2,
            sizes: ["m": 8192],
            backend: "test",
            device: .init(name: "test device"),
            host: "test-host",
            time: time,
            check: .passed
        )
    }

    /// A serving result: 8 chips at TP 8, 1024/128 tokens at concurrency 64, 2,000 output tokens/s.
    public static func serving(
        _ id: String,
        chip: String = "h20",
        model: String = "llama-3.1-70b",
        scenario: String? = "chat-70b",
        engine: String = "vllm",
        time: Date = Date(timeIntervalSince1970: 1_790_000_000),
        outputTokensPerSecond: Double = 2000
    ) -> ServingMeasurement {
        ServingMeasurement(
            id: id,
            chip: chip,
            chips: 8,
            deployment: .init(tensorParallel: 8),
            scenario: .init(
                model: model,
                weightPrecision: .bf16,
                input: .fixed(1024),
                output: .fixed(128),
                load: .init(maxConcurrency: 64),
                limits: .init(tpotMilliseconds: 50),
                dataset: "random",
                name: scenario
            ),
            engine: .init(name: engine, version: "0.11.0"),
            host: "test-host",
            time: time,
            metrics: .init(
                durationSeconds: 64,
                completed: 1000,
                failed: 0,
                requestsPerSecond: 15.625,
                outputTokensPerSecond: outputTokensPerSecond,
                totalTokensPerSecond: outputTokensPerSecond * 9,
                ttft: .init(meanMilliseconds: 180, medianMilliseconds: 170, p90Milliseconds: 250, p99Milliseconds: 400),
                tpot: .init(meanMilliseconds: 31, medianMilliseconds: 30.5, p99Milliseconds: 44)
            ),
            provenance: "test"
        )
    }

    public static func submission(
        _ id: String,
        key: String,
        submitter: String = "tok-a",
        vendor: String? = "huawei",
        status: Submission.Status = .submitted,
        results: [BenchmarkResult],
        serving: [ServingMeasurement] = [],
        bundle: String? = nil
    ) -> NewSubmission {
        NewSubmission(
            submission: Submission(
                id: id,
                submitter: submitter,
                vendor: vendor,
                idempotencyKey: key,
                status: status,
                keyID: "0123456789abcdef",
                payloadType: "parity.results/1",
                resultCount: results.count + serving.count,
                createdAt: Date(timeIntervalSince1970: 1_790_000_100)
            ),
            bundle: Data(
                (bundle ?? "bundle of \((results.map(\.id) + serving.map(\.id)).joined(separator: ","))").utf8
            ),
            results: results,
            serving: serving
        )
    }
}
