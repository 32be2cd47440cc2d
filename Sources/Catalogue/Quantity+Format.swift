extension Quantity {
    /// Formats a base-unit value for people: `148 TFLOPS`, `4.0 TB/s`, `96 GB`.
    public static func format(_ value: Double, as kind: QuantityKind, integer: Bool = false) -> String {
        switch kind {
        case .throughput:
            let unit = integer ? "TOPS" : "TFLOPS"
            return value >= 1e15
                ? "\(trimmed(value / 1e15, digits: 2)) P\(unit.dropFirst())"
                : "\(trimmed(value / 1e12, digits: 1)) \(unit)"
        case .bandwidth:
            return value >= 1e12
                ? "\(trimmed(value / 1e12, digits: 2)) TB/s" : "\(trimmed(value / 1e9, digits: 0)) GB/s"
        case .capacity:
            return "\(trimmed(value / 1e9, digits: 0)) GB"
        case .area:
            return "\(trimmed(value, digits: 1)) mm²"
        case .power:
            return "\(trimmed(value, digits: 0)) W"
        case .price:
            return "$\(trimmed(value, digits: 0))"
        }
    }

    /// A number with at most `digits` decimals, trailing zeros dropped.
    public static func trimmed(_ value: Double, digits: Int) -> String {
        var factor = 1.0
        for _ in 0..<digits { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int(rounded)) }
        var text = String(rounded)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
