import Catalogue
import Foundation
import Synchronization

/// Counts of a multi-turn run, shared by its conversations.
final class ConversationTally: Sendable {
    private struct Counts {
        var done = 0
        var failed = 0
        var inFlight = 0
        var peak = 0
    }

    private let counts = Mutex(Counts())
    let total: Int
    let start: ContinuousClock.Instant

    init(total: Int, start: ContinuousClock.Instant) {
        self.total = total
        self.start = start
    }

    func sending() {
        counts.withLock {
            $0.inFlight += 1
            $0.peak = max($0.peak, $0.inFlight)
        }
    }

    func finished(success: Bool) -> Progress {
        let (done, failed) = counts.withLock { counts -> (Int, Int) in
            counts.inFlight -= 1
            counts.done += 1
            if !success { counts.failed += 1 }
            return (counts.done, counts.failed)
        }
        return Progress(done: done, failed: failed, total: total, elapsed: (ContinuousClock.now - start).inSeconds)
    }

    var peakInFlight: Int { counts.withLock { $0.peak } }
}

extension BenchmarkRunner {
    /// Runs multi-turn conversations: conversations start on the load shape's schedule (request rate) with at most
    /// `maxConcurrency` of them open at once; the turns of one conversation go one after another, each carrying the
    /// history (the user's turns and the assistant's replies as received), `thinkTime` after the previous reply.
    /// A failed turn ends its conversation (the later turns would lack their history); the note says how many.
    /// Each conversation is a child task; timing is stamped on the event loop as for single requests.
    public func run(
        _ conversations: [Conversation],
        thinkTime: Duration,
        client: LoadClient,
        progress: (@Sendable (Progress) -> Void)? = nil
    ) async -> RunOutcome {
        let template: RequestTemplate
        do {
            template = try RequestTemplate(target: target)
        } catch {
            var record = RequestRecord.empty(index: 0, prompt: 0)
            record.failure = .other
            record.error = error.description
            return RunOutcome(records: [record], duration: 0, interrupted: false, promptFormat: .text, notes: [])
        }
        var firstIndex: [Int] = []
        var total = 0
        for conversation in conversations {
            firstIndex.append(total)
            total += conversation.turns.count
        }
        let start = ContinuousClock.now
        let tally = ConversationTally(total: total, start: start)
        let arrivals = shape.requestRate.isFinite ? shape.arrivals(count: conversations.count, seed: seed) : nil
        let limit = max(1, shape.maxConcurrency ?? conversations.count)
        let timeout = target.timeout
        var records: [RequestRecord] = []
        await withTaskGroup(of: [RequestRecord].self) { group in
            var open = 0
            for (position, conversation) in conversations.enumerated() {
                if open >= limit, let finished = await group.next() {
                    records += finished
                    open -= 1
                }
                if let arrivals {
                    try? await Task.sleep(
                        until: start + .nanoseconds(Int64(arrivals[position] * 1e9)),
                        clock: .continuous
                    )
                }
                if Task.isCancelled { break }
                let first = firstIndex[position]
                group.addTask {
                    await Self.converse(
                        conversation,
                        firstIndex: first,
                        lane: position,
                        template: template,
                        client: client,
                        start: start,
                        thinkTime: thinkTime,
                        timeout: timeout,
                        tally: tally,
                        progress: progress
                    )
                }
                open += 1
            }
            for await finished in group { records += finished }
        }
        records.sort { $0.index < $1.index }
        var notes: [String] = []
        let ended = conversations.indices.filter { position in
            let sent = records.filter {
                $0.index >= firstIndex[position]
                    && $0.index < firstIndex[position] + conversations[position].turns.count
            }
            return sent.count < conversations[position].turns.count && sent.contains { !$0.success }
        }.count
        if ended > 0 {
            notes.append("\(ended) conversation(s) ended at a failed turn; their later turns were not sent")
        }
        return RunOutcome(
            records: records,
            duration: (ContinuousClock.now - start).inSeconds,
            interrupted: Task.isCancelled,
            promptFormat: .text,
            notes: notes,
            peakInFlight: tally.peakInFlight,
            threads: client.threads
        )
    }

    static func converse(
        _ conversation: Conversation,
        firstIndex: Int,
        lane: Int,
        template: RequestTemplate,
        client: LoadClient,
        start: ContinuousClock.Instant,
        thinkTime: Duration,
        timeout: Duration,
        tally: ConversationTally,
        progress: (@Sendable (Progress) -> Void)?
    ) async -> [RequestRecord] {
        var history: [ConversationMessage] = []
        var records: [RequestRecord] = []
        for (turn, spec) in conversation.turns.enumerated() {
            if turn > 0, thinkTime > .zero {
                do {
                    try await Task.sleep(for: thinkTime)
                } catch {
                    break
                }
            }
            if Task.isCancelled { break }
            history.append(ConversationMessage(role: .user, text: spec.user))
            let prompt = history.reduce(0) { $0 + $1.text.count } / 4
            let request = PreparedRequest(
                index: firstIndex + turn,
                bytes: template.render(history: history, outputTokens: spec.outputTokens),
                promptTokens: max(1, prompt),
                captureText: true
            )
            tally.sending()
            let result = await client.exchange(
                request,
                origin: template.origin,
                runStart: start,
                eligible: .now,
                timeout: timeout,
                lane: lane
            )
            records.append(result.record)
            let snapshot = tally.finished(success: result.record.success)
            progress?(snapshot)
            guard result.record.success else { break }
            history.append(ConversationMessage(role: .assistant, text: Self.decode(result.text)))
        }
        return records
    }

    /// JSON string contents (escapes kept) as text.
    static func decode(_ contents: [UInt8]) -> String {
        let quoted = [UInt8(ascii: "\"")] + contents + [UInt8(ascii: "\"")]
        return (try? JSONDecoder().decode(String.self, from: Data(quoted))) ?? String(decoding: contents, as: UTF8.self)
    }
}
