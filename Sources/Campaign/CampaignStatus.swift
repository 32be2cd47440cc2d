import Catalogue
import Foundation
public import Store

/// Where each task of a campaign stands, from the store (done is final), the scheduler, and the tasks' own
/// markers on shared storage. Failures the scheduler reports (cancelled, timed out, failed) and tasks that died
/// without a word are recorded in the store with their cause.
public struct CampaignStatus: Sendable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case done, pending, running, failed, cancelled, timeout
        /// Never submitted, or lost without trace.
        case missing
    }

    public struct Entry: Sendable, Codable {
        public var index: Int
        public var task: String
        public var state: State
        public var cause: String?
        /// Submitted more than once (retried by `run --resume`) or attempted more than once.
        public var retried: Bool
        public var results: Int
    }

    public var campaign: String
    public var entries: [Entry]

    public func count(_ state: State) -> Int { entries.filter { $0.state == state }.count }
    public var retried: Int { entries.filter(\.retried).count }

    /// Tasks a resumed run must submit again: not done and not queued or running.
    public var resubmittable: [Int] {
        entries.filter { ![.done, .pending, .running].contains($0.state) }.map(\.index)
    }

    /// Reconciles the three sources and records newly seen failures in the store.
    public static func gather(
        plan: CampaignPlan,
        store: (any ResultStore)?,
        executor: (any CampaignExecutor)?
    ) async throws -> CampaignStatus {
        let layout = CampaignLayout(plan: plan)
        let submissions = layout.submissions()
        let scheduler = try await executor?.states(submissions) ?? [:]
        let records = try await store?.campaignTasks(campaign: plan.name) ?? []
        let byTask = Dictionary(records.map { ($0.task, $0) }, uniquingKeysWith: { $1 })
        var submittedCount: [Int: Int] = [:]
        for submission in submissions {
            for index in submission.indices { submittedCount[index, default: 0] += 1 }
        }
        var entries: [Entry] = []
        for task in plan.tasks {
            let record = byTask[task.key]
            let retried = (submittedCount[task.index] ?? 0) > 1 || (record?.attempts ?? 0) > 1
            var entry = Entry(
                index: task.index,
                task: task.key,
                state: .missing,
                cause: nil,
                retried: retried,
                results: record?.resultCount ?? 0
            )
            if record?.state == .done {
                entry.state = .done
                entries.append(entry)
                continue
            }
            let marker = layout.readMarker(task.index)
            if let (state, reason) = scheduler[task.index] {
                switch state {
                case .pending: entry.state = .pending
                case .running: entry.state = .running
                case .cancelled:
                    (entry.state, entry.cause) = (
                        .cancelled, "cancelled in the scheduler" + (reason.map { " (\($0))" } ?? "")
                    )
                case .timeout:
                    (entry.state, entry.cause) = (.timeout, "exceeded the time limit of \(plan.timeLimitSeconds) s")
                case .failed:
                    (entry.state, entry.cause) = (
                        .failed, marker?.cause ?? "failed in the scheduler" + (reason.map { " (\($0))" } ?? "")
                    )
                case .completed:
                    (entry.state, entry.cause) = (.failed, marker?.cause ?? "finished without storing results")
                }
            } else if let record {
                entry.state = State(rawValue: record.state.rawValue) ?? .failed
                entry.cause = record.cause
            } else if let marker {
                switch marker.state {
                case .failed: (entry.state, entry.cause) = (.failed, marker.cause)
                case .done:
                    (entry.state, entry.cause) = (.failed, "results in files only; run `parity campaign collect`")
                case .running:
                    if submissions.contains(where: { $0.executor == "slurm" && $0.indices.contains(task.index) }) {
                        (entry.state, entry.cause) = (.failed, "started on \(marker.host) and died without reporting")
                    } else {
                        entry.state = .running
                    }
                }
            }
            if let store, let cause = entry.cause,
                let recorded = CampaignTaskRecord.State(rawValue: entry.state.rawValue),
                record?.state != recorded || record?.cause != cause
            {
                try await store.recordCampaignTask(
                    campaign: plan.name,
                    task: task.key,
                    index: task.index,
                    state: recorded,
                    cause: cause,
                    at: Date()
                )
            }
            entries.append(entry)
        }
        return CampaignStatus(campaign: plan.name, entries: entries)
    }
}
