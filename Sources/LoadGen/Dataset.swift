import Catalogue
import Foundation

/// One request to send: the prompt as token IDs (exact length) and as text (for servers that take text only),
/// and the output length to ask for.
public struct RequestSpec: Sendable, Hashable {
    public var tokenIDs: [Int]?
    public var text: String
    /// Prompt length the dataset intends (exact with token IDs; an estimate with text).
    public var inputTokens: Int
    public var outputTokens: Int

    public init(tokenIDs: [Int]?, text: String, inputTokens: Int, outputTokens: Int) {
        self.tokenIDs = tokenIDs
        self.text = text
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String, String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read the dataset: \(reason)"
        case .invalid(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// Where prompts come from: random or fixed lengths, or a ShareGPT-format JSON file (no downloads).
public enum Dataset: Sendable, Hashable {
    /// Lengths drawn uniformly from [len·(1 − r), len·(1 + r)], as vLLM's random dataset.
    case random(input: Int, output: Int, rangeRatio: Double)
    case fixed(input: Int, output: Int)
    /// A ShareGPT file: the first human turn is the prompt, the first model reply's length the output length
    /// (characters ÷ 4, no tokenizer) unless `outputTokens` overrides it.
    case shareGPT(path: String, outputTokens: Int?)

    /// Common short English words; most tokenizers encode each as one token, so a text prompt of N words is
    /// about N tokens.
    static let words = [
        "the", "of", "and", "to", "in", "is", "it", "that", "for", "on", "was", "with", "as", "at", "be", "by",
        "this", "from", "or", "had", "not", "are", "but", "what", "all", "were", "when", "we", "there", "can",
        "an", "your", "which", "their", "said", "if", "do", "will", "each", "about", "how", "up", "out", "them",
        "then", "she", "many", "some", "so", "these", "would", "other", "into", "has", "more", "her", "two",
        "like", "him", "see", "time", "could", "no", "make", "than", "first", "been", "its", "who", "now",
    ]

    public func requests(count: Int, seed: UInt64) throws(DatasetError) -> [RequestSpec] {
        var generator = SeededGenerator(seed: seed)
        switch self {
        case .fixed(let input, let output):
            return (0..<count).map { _ in Self.synthetic(input: input, output: output, using: &generator) }
        case .random(let input, let output, let ratio):
            func draw(_ length: Int) -> Int {
                let low = max(1, Int((Double(length) * (1 - ratio)).rounded(.down)))
                let high = max(low, Int((Double(length) * (1 + ratio)).rounded(.down)))
                return low + generator.index(below: high - low + 1)
            }
            return (0..<count).map { _ in
                let input = draw(input)
                let output = draw(output)
                return Self.synthetic(input: input, output: output, using: &generator)
            }
        case .shareGPT(let path, let override):
            let conversations = try Self.loadShareGPT(path: path)
            guard !conversations.isEmpty else {
                throw .invalid(path, "no conversation has a human turn followed by a reply")
            }
            var order = Array(conversations.indices)
            for index in order.indices.reversed() where index > 0 {
                order.swapAt(index, generator.index(below: index + 1))
            }
            return (0..<count).map { i in
                let (prompt, reply) = conversations[order[i % order.count]]
                return RequestSpec(
                    tokenIDs: nil,
                    text: prompt,
                    inputTokens: max(1, prompt.count / 4),
                    outputTokens: override ?? max(1, reply.count / 4)
                )
            }
        }
    }

    static func synthetic(input: Int, output: Int, using generator: inout SeededGenerator) -> RequestSpec {
        // IDs from a range that avoids special tokens in common vocabularies.
        let ids = (0..<input).map { _ in 1000 + generator.index(below: 20000) }
        let text = ids.map { words[$0 % words.count] }.joined(separator: " ")
        return RequestSpec(tokenIDs: ids, text: text, inputTokens: input, outputTokens: output)
    }

    static func loadShareGPT(path: String) throws(DatasetError) -> [(String, String)] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        guard let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw .invalid(path, "not a ShareGPT file: expected a JSON array of {\"conversations\": [...]}")
        }
        var result: [(String, String)] = []
        for entry in array {
            guard let turns = entry["conversations"] as? [[String: Any]], turns.count >= 2,
                let first = turns[0]["value"] as? String, let second = turns[1]["value"] as? String,
                ["human", "user"].contains(turns[0]["from"] as? String ?? ""), !first.isEmpty
            else { continue }
            result.append((first, second))
        }
        return result
    }
}
