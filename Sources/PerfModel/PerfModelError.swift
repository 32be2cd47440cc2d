public import Catalogue

/// Why a deployment cannot be predicted. Never a number for an impossible deployment.
public enum PerfModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case doesNotFit(model: String, chip: String, neededBytes: Double, availableBytes: Double)
    case tensorParallelDoesNotDivideHeads(model: String, tp: Int, heads: Int, kvHeads: Int)
    case unsupportedPrecision(chip: String, precision: Precision)
    case exceedsCapacity(batch: Int, capacity: Int, contextTokens: Int)
    case invalid(String)

    public var description: String {
        switch self {
        case .doesNotFit(let model, let chip, let needed, let available):
            "\(model) does not fit: it needs \(gb(needed)) per \(chip) for its weights, "
                + "but \(gb(available)) is usable. Use more chips (--tp/--pp) or a narrower weight precision."
        case .tensorParallelDoesNotDivideHeads(let model, let tp, let heads, let kvHeads):
            "tensor parallel \(tp) does not divide \(model)'s \(heads) attention heads "
                + "(and \(kvHeads) KV heads must divide or be divided by it). Choose a TP that divides \(heads)."
        case .unsupportedPrecision(let chip, let precision):
            "\(chip) has no \(precision.rawValue) throughput in the catalogue; choose a precision it supports."
        case .exceedsCapacity(let batch, let capacity, let context):
            "batch \(batch) does not fit: the KV cache holds \(capacity) sequences of \(context) tokens (the prompt and "
                + "the output the engine holds) per replica. "
                + "Use --batch \(capacity) or less, more chips, or an FP8 KV cache."
        case .invalid(let message):
            message
        }
    }

    private func gb(_ bytes: Double) -> String {
        "\(Int((bytes / 1e9).rounded())) GB"
    }
}
