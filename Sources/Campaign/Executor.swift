import Catalogue
import Foundation
public import Store

/// What a scheduler says about a task.
public enum SchedulerState: String, Sendable, Hashable, Codable {
    case pending, running, completed, failed, cancelled, timeout
}

/// Runs a campaign's tasks somewhere: here (`local`), on a Slurm cluster (`slurm`), or on Kubernetes
/// (`kubernetes`, which writes manifests for the user's `kubectl`).
public protocol CampaignExecutor: Sendable {
    var name: String { get }
    /// Submits (or runs) the tasks at `indices`; returns the scheduler's job id if there is one, and a message.
    func submit(
        _ indices: [Int],
        plan: CampaignPlan,
        planPath: String,
        store: (any ResultStore)?
    ) async throws -> (job: String?, message: String)
    /// The scheduler's view of the tasks of earlier submissions (by task index); empty when it has none.
    func states(
        _ submissions: [CampaignLayout.Submission]
    ) async throws -> [Int: (state: SchedulerState, reason: String?)]
}

/// Runs every task here, one after another, and stores its results.
public struct LocalExecutor: CampaignExecutor {
    public var name: String { "local" }
    let progress: @Sendable (String) -> Void

    public init(progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.progress = progress
    }

    public func submit(
        _ indices: [Int],
        plan: CampaignPlan,
        planPath: String,
        store: (any ResultStore)?
    ) async throws -> (job: String?, message: String) {
        let runner = TaskRunner(plan: plan)
        var failed: [String] = []
        for (position, index) in indices.enumerated() {
            try Task.checkCancellation()
            let task = try runner.task(index)
            progress("[\(position + 1)/\(indices.count)] \(task.key)")
            do {
                _ = try await runner.run(index, store: store, progress: progress)
            } catch {
                failed.append("\(error)")
            }
        }
        let message = "ran \(indices.count) task(s) here" + (failed.isEmpty ? "" : "; \(failed.count) failed")
        return (nil, message)
    }

    public func states(
        _ submissions: [CampaignLayout.Submission]
    ) async throws -> [Int: (
        state: SchedulerState, reason: String?
    )] { [:] }
}

/// Runs a command and returns its exit status and output.
enum Command {
    static func run(
        _ executable: String,
        _ arguments: [String]
    ) throws(CampaignError) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw .scheduler("cannot run \(executable): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
