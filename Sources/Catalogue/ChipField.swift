/// A numeric figure of a chip that lists can be sorted by and diffs compare.
public enum ChipField: Sendable, Hashable, CaseIterable {
    case dense(Precision)
    case sparse(Precision)
    case memoryCapacity
    case memoryBandwidth
    case tdp
    case dieArea
    case scaleUpBandwidth
    case launchYear
    case price

    public static let allCases: [ChipField] =
        Precision.allCases.map { .dense($0) } + [
            .memoryCapacity, .memoryBandwidth, .scaleUpBandwidth, .tdp, .dieArea, .launchYear, .price,
        ] + Precision.allCases.map { .sparse($0) }

    /// The name used on the command line and in tables: `bf16`, `sparse-fp8`, `memory`, `bandwidth`, …
    public var name: String {
        switch self {
        case .dense(let precision): precision.rawValue
        case .sparse(let precision): "sparse-\(precision.rawValue)"
        case .memoryCapacity: "memory"
        case .memoryBandwidth: "bandwidth"
        case .tdp: "tdp"
        case .dieArea: "die-area"
        case .scaleUpBandwidth: "scale-up"
        case .launchYear: "year"
        case .price: "price"
        }
    }

    public init?(name: String) {
        guard let field = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = field
    }

    /// The figure on a chip, if present.
    public func figure(of chip: Chip) -> Sourced<Double>? {
        switch self {
        case .dense(let precision): chip.densePeak[precision]
        case .sparse(let precision): chip.sparsePeak[precision]
        case .memoryCapacity: chip.memory.capacityBytes
        case .memoryBandwidth: chip.memory.bandwidthBytesPerSecond
        case .tdp: chip.tdpWatts
        case .dieArea: chip.totalDieAreaMM2
        case .scaleUpBandwidth: chip.scaleUp?.bandwidthBytesPerSecond
        case .launchYear: chip.launchYear?.map(Double.init)
        case .price: chip.priceUSD
        }
    }

    /// The figure formatted with its unit.
    public func formatted(_ value: Double) -> String {
        switch self {
        case .dense(let precision), .sparse(let precision):
            Quantity.format(value, as: .throughput, integer: precision.isInteger)
        case .memoryCapacity: Quantity.format(value, as: .capacity)
        case .memoryBandwidth, .scaleUpBandwidth: Quantity.format(value, as: .bandwidth)
        case .tdp: Quantity.format(value, as: .power)
        case .dieArea: Quantity.format(value, as: .area)
        case .launchYear: String(Int(value))
        case .price: Quantity.format(value, as: .price)
        }
    }
}
