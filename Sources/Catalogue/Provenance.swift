/// Where a number comes from. Every figure Parity shows carries one (DESIGN.md, "Rules that keep it honest").
public enum Provenance: Sendable, Hashable, Codable {
    /// A published figure: a URL or a document reference.
    case spec(source: String)
    /// A figure with no primary source, and why it is believed.
    case estimate(reason: String)
    /// Computed by a model; `model` names the model and its version, `assumptions` what it took as given.
    case modelled(model: String, assumptions: String)
    /// Measured; `resultID` identifies the stored measurement.
    case measured(resultID: String)

    /// `true` when the figure is an estimate (lower confidence in anything derived from it).
    public var isEstimate: Bool {
        if case .estimate = self { return true }
        return false
    }

    /// A short tag for tables: `spec`, `estimate`, `modelled`, `measured`.
    public var kind: String {
        switch self {
        case .spec: "spec"
        case .estimate: "estimate"
        case .modelled: "modelled"
        case .measured: "measured"
        }
    }

    /// The source, reason, model or result ID, for display.
    public var detail: String {
        switch self {
        case .spec(let source): source
        case .estimate(let reason): reason
        case .modelled(let model, let assumptions): "\(model): \(assumptions)"
        case .measured(let resultID): resultID
        }
    }
}

/// A value together with its provenance and an optional caveat.
public struct Sourced<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    public var value: Value
    public var provenance: Provenance
    /// Caveats such as conflicting reports.
    public var note: String?
    /// For an estimate: the plausible span `[lower, upper]` the value may take.
    public var lower: Value?
    public var upper: Value?

    public init(_ value: Value, _ provenance: Provenance, note: String? = nil, lower: Value? = nil, upper: Value? = nil)
    {
        self.value = value
        self.provenance = provenance
        self.note = note
        self.lower = lower
        self.upper = upper
    }

    /// The same provenance and note around a transformed value.
    public func map<T>(_ transform: (Value) -> T) -> Sourced<T> {
        Sourced<T>(transform(value), provenance, note: note, lower: lower.map(transform), upper: upper.map(transform))
    }
}
