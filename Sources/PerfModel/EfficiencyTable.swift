public import Catalogue
import Foundation
import Yams

/// Default efficiency factors per vendor and precision, from `Resources/efficiency.yaml`.
public struct EfficiencyTable: Sendable {
    struct Document: Decodable {
        struct Defaults: Decodable {
            var matrix: Double
            var memory: Double
            var interconnect: Double
            var collective_latency_us: Double
            var step_overhead_ms: Double
            var moe_imbalance: Double
            var reason: String
        }
        struct Override: Decodable {
            var matrix: Double?
            var memory: Double?
            var interconnect: Double?
            var reason: String
        }
        struct PrecisionScale: Decodable {
            var matrix_scale: Double
            var reason: String
        }
        var defaults: Defaults
        var vendors: [String: Override]
        /// Per chip id, over the vendor's entry: a part whose peaks are set apart from its silicon's (a cut-down
        /// die) reaches a different fraction of them.
        var chips: [String: Override]?
        var precisions: [String: PrecisionScale]
    }

    let document: Document

    /// The table shipped with Parity; if its file were missing or malformed the built-in constants are used.
    public static let builtIn: EfficiencyTable? = {
        guard
            let url = Bundle.module.url(forResource: "Resources", withExtension: nil)?
                .appendingPathComponent("efficiency.yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8),
            let document = try? SafeYAML.decode(Document.self, from: text, file: "efficiency.yaml")
        else { return nil }
        return EfficiencyTable(document: document)
    }()

    /// Efficiency factors for a chip computing at a precision.
    public func efficiency(for chip: Chip, precision: Precision) -> Efficiency {
        let base = document.defaults
        var matrix = base.matrix
        var memory = base.memory
        var interconnect = base.interconnect
        // The reasons in order, (label, text); joined once below into a string reserved at its final length, so a
        // resolved deployment pays one allocation for its provenance however many entries apply.
        var parts: [(label: Substring, text: String)] = []
        parts.reserveCapacity(3)
        if let vendor = document.vendors[chip.vendor] {
            matrix = vendor.matrix ?? matrix
            memory = vendor.memory ?? memory
            interconnect = vendor.interconnect ?? interconnect
            parts.append((chip.vendor[...], vendor.reason))
        }
        if let part = document.chips?[chip.id] {
            matrix = part.matrix ?? matrix
            memory = part.memory ?? memory
            interconnect = part.interconnect ?? interconnect
            parts.append((chip.id[...], part.reason))
        }
        if let scale = document.precisions[precision.rawValue] {
            matrix *= scale.matrix_scale
            parts.append((precision.rawValue[...], scale.reason))
        }
        let prefix = "Parity default efficiency (efficiency.yaml): "
        var reason = ""
        reason.reserveCapacity(
            prefix.utf8.count + base.reason.utf8.count
                + parts.reduce(0) { $0 + 4 + $1.label.utf8.count + $1.text.utf8.count }
        )
        reason += prefix
        reason += base.reason
        for part in parts {
            reason += "; "
            reason += part.label
            reason += ": "
            reason += part.text
        }
        return Efficiency(
            matrix: matrix,
            memory: memory,
            interconnect: interconnect,
            collectiveLatencySeconds: base.collective_latency_us * 1e-6,
            stepOverheadSeconds: base.step_overhead_ms * 1e-3,
            moeImbalance: base.moe_imbalance,
            provenance: .estimate(reason: reason)
        )
    }
}
