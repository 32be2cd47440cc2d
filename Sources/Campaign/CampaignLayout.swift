import Catalogue
public import Foundation

/// Where a campaign keeps its files on shared storage, under `results.directory/<campaign>/`:
/// `results/<task>.jsonl` (each task's measurements), `tasks/<index>.json` (markers the tasks write),
/// `logs/`, `slurm/`, `kubernetes/` (generated job files) and `submissions.json` (what was submitted where).
public struct CampaignLayout: Sendable {
    public let root: URL

    public init(plan: CampaignPlan) {
        root = URL(fileURLWithPath: plan.results.directory, isDirectory: true)
            .appendingPathComponent(plan.name, isDirectory: true)
    }

    public var results: URL { root.appendingPathComponent("results", isDirectory: true) }
    public var markers: URL { root.appendingPathComponent("tasks", isDirectory: true) }
    public var logs: URL { root.appendingPathComponent("logs", isDirectory: true) }
    public var slurm: URL { root.appendingPathComponent("slurm", isDirectory: true) }
    public var kubernetes: URL { root.appendingPathComponent("kubernetes", isDirectory: true) }
    public var submissionsFile: URL { root.appendingPathComponent("submissions.json") }

    public func resultFile(_ task: CampaignTask) -> URL { results.appendingPathComponent("\(task.key).jsonl") }
    /// A serving task's parity.serving/1 result.
    public func servingFile(_ task: CampaignTask) -> URL {
        results.appendingPathComponent("\(task.key).serving.json")
    }
    public func marker(_ index: Int) -> URL { markers.appendingPathComponent("\(index).json") }

    public func prepare() throws {
        for folder in [results, markers, logs, slurm, kubernetes] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
    }

    /// What a task last said about itself.
    public struct Marker: Sendable, Codable, Equatable {
        public enum State: String, Sendable, Codable {
            case running, done, failed
        }

        public var state: State
        public var cause: String?
        public var host: String
        public var time: Date
    }

    public func writeMarker(_ marker: Marker, index: Int) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        if let data = try? encoder.encode(marker) { try? data.write(to: self.marker(index), options: .atomic) }
    }

    public func readMarker(_ index: Int) -> Marker? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = try? Data(contentsOf: marker(index)) else { return nil }
        return try? decoder.decode(Marker.self, from: data)
    }

    /// One submission to a scheduler: which task indices, under which job.
    public struct Submission: Sendable, Codable, Equatable {
        public var executor: String
        public var job: String?
        public var indices: [Int]
        public var time: Date

        public init(executor: String, job: String?, indices: [Int], time: Date) {
            self.executor = executor
            self.job = job
            self.indices = indices
            self.time = time
        }
    }

    public func submissions() -> [Submission] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = try? Data(contentsOf: submissionsFile) else { return [] }
        return (try? decoder.decode([Submission].self, from: data)) ?? []
    }

    public func append(_ submission: Submission) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(submissions() + [submission]).write(to: submissionsFile, options: .atomic)
    }
}
