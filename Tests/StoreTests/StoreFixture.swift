import Catalogue
import Foundation
import Logging
import Measure
import PostgresNIO
import Testing

@testable import Store

/// The two databases every store test runs against. PostgreSQL runs when `PARITY_TEST_POSTGRES_URL` names a
/// server (scripts/test starts one on 127.0.0.1 and sets it, with `PARITY_REQUIRE_POSTGRES=1`).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static let postgresURL = ProcessInfo.processInfo.environment["PARITY_TEST_POSTGRES_URL"]
    static let postgresRequired = ProcessInfo.processInfo.environment["PARITY_REQUIRE_POSTGRES"] == "1"

    /// The kinds this run can test.
    static var available: [StoreKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

enum StoreFixture {
    /// Runs `body` with a fresh, migrated store of `kind`: a new SQLite file, or a new PostgreSQL database that is
    /// dropped afterwards.
    static func withStore<T: Sendable>(
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
            let admin = try #require(StoreKind.postgresURL)
            let name = "parity_t_\(UInt32.random(in: .min ... .max))_\(UInt32.random(in: .min ... .max))"
            try await adminQuery(admin, PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            do {
                let value = try await StoreLocation.postgres(url: url(admin, database: name)).withStore(body)
                try await adminQuery(admin, PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"))
                return value
            } catch {
                try? await adminQuery(admin, PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"))
                throw error
            }
        }
    }

    static func url(_ admin: String, database: String) throws -> String {
        var components = try #require(URLComponents(string: admin))
        components.path = "/\(database)"
        return try #require(components.string)
    }

    static func adminQuery(_ url: String, _ query: PostgresQuery) async throws {
        let store = try PostgresStore(url: url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await store.client.query(query)
        }
    }

    static func result(
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

    static func submission(
        _ id: String,
        key: String,
        submitter: String = "tok-a",
        vendor: String? = "huawei",
        status: Submission.Status = .submitted,
        results: [BenchmarkResult],
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
                resultCount: results.count,
                createdAt: Date(timeIntervalSince1970: 1_790_000_100)
            ),
            bundle: Data((bundle ?? "bundle of \(results.map(\.id).joined(separator: ","))").utf8),
            results: results
        )
    }
}
