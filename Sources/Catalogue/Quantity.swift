import Foundation

/// The physical kinds of quantity the catalogue accepts, each normalised to one base unit on load.
public enum QuantityKind: String, Sendable, CaseIterable {
    /// Operations per second (FLOP/s or OP/s).
    case throughput
    /// Bytes per second.
    case bandwidth
    /// Bytes.
    case capacity
    /// Square millimetres.
    case area
    /// Watts.
    case power
    /// US dollars.
    case price

    /// Units accepted for the kind and their factor to the base unit.
    var units: [(String, Double)] {
        switch self {
        case .throughput:
            [
                ("PFLOPS", 1e15), ("TFLOPS", 1e12), ("GFLOPS", 1e9), ("POPS", 1e15), ("TOPS", 1e12),
                ("GOPS", 1e9),
            ]
        case .bandwidth: [("TB/s", 1e12), ("GB/s", 1e9), ("MB/s", 1e6), ("Tb/s", 1.25e11), ("Gb/s", 1.25e8)]
        case .capacity: [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("TiB", 1_099_511_627_776), ("GiB", 1_073_741_824)]
        case .area: [("mm2", 1), ("mm²", 1)]
        case .power: [("kW", 1000), ("W", 1)]
        case .price: [("USD", 1)]
        }
    }

    /// An example for error messages.
    var example: String {
        switch self {
        case .throughput: "'148 TFLOPS'"
        case .bandwidth: "'4.0 TB/s'"
        case .capacity: "'96 GB'"
        case .area: "'814 mm2'"
        case .power: "'400 W'"
        case .price: "'12000 USD'"
        }
    }
}

/// Parses `"<number> <unit>"` strings into base units.
public enum Quantity {
    /// Why a quantity string was rejected.
    public enum ParseFailure: Error, Equatable, Sendable {
        case missingUnit
        case unknownUnit(String)
        case notANumber(String)
        case negative
    }

    /// Parses `text` as a quantity of `kind`, returning the value in the kind's base unit.
    public static func parse(_ text: String, as kind: QuantityKind) -> Result<Double, ParseFailure> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            if parts.count == 1, Double(parts[0].replacingOccurrences(of: ",", with: "")) != nil {
                return .failure(.missingUnit)
            }
            return .failure(.notANumber(text))
        }
        guard let number = Double(parts[0].replacingOccurrences(of: ",", with: "")) else {
            return .failure(.notANumber(String(parts[0])))
        }
        guard number >= 0 else { return .failure(.negative) }
        let unit = String(parts[1])
        guard let factor = kind.units.first(where: { $0.0 == unit })?.1 else {
            return .failure(.unknownUnit(unit))
        }
        return .success(number * factor)
    }
}
