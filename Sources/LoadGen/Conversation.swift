import Catalogue
import Foundation

/// A multi-turn conversation from a ShareGPT-format file: the user's turns in order, each with the output length to
/// ask for. The assistant's side is not taken from the file: each turn's request carries the replies the server
/// actually sent to the earlier turns.
public struct Conversation: Sendable, Hashable {
    public struct Turn: Sendable, Hashable {
        public var user: String
        /// `max_tokens` of this turn: the file's reply length (characters ÷ 4, no tokenizer) unless overridden.
        public var outputTokens: Int

        public init(user: String, outputTokens: Int) {
            self.user = user
            self.outputTokens = outputTokens
        }
    }

    public var turns: [Turn]

    public init(turns: [Turn]) {
        self.turns = turns
    }

    /// `count` conversations from a ShareGPT file (`[{"conversations": [{"from": "human", "value": …}, …]}]`),
    /// shuffled with `seed` and repeated when the file has fewer. A conversation is its human/user turns, each
    /// followed by a reply in the file (whose length sets `max_tokens` unless `outputTokens` is given); at most
    /// `maxTurns` of them. Conversations without such a turn are skipped.
    public static func load(
        path: String,
        count: Int,
        seed: UInt64,
        outputTokens: Int? = nil,
        maxTurns: Int? = nil
    ) throws(DatasetError) -> [Conversation] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        guard let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw .invalid(path, "not a ShareGPT file: expected a JSON array of {\"conversations\": [...]}")
        }
        var conversations: [Conversation] = []
        for entry in array {
            guard let messages = entry["conversations"] as? [[String: Any]] else { continue }
            var turns: [Turn] = []
            var position = 0
            while position + 1 < messages.count {
                let from = messages[position]["from"] as? String ?? ""
                guard ["human", "user"].contains(from), let user = messages[position]["value"] as? String,
                    !user.isEmpty, let reply = messages[position + 1]["value"] as? String
                else {
                    position += 1
                    continue
                }
                turns.append(Turn(user: user, outputTokens: outputTokens ?? max(1, reply.count / 4)))
                position += 2
            }
            if let maxTurns { turns = Array(turns.prefix(maxTurns)) }
            if !turns.isEmpty { conversations.append(Conversation(turns: turns)) }
        }
        guard !conversations.isEmpty else {
            throw .invalid(path, "no conversation has a human turn followed by a reply")
        }
        var generator = SeededGenerator(seed: seed)
        var order = Array(conversations.indices)
        for index in order.indices.reversed() where index > 0 {
            order.swapAt(index, generator.index(below: index + 1))
        }
        return (0..<count).map { conversations[order[$0 % order.count]] }
    }
}
