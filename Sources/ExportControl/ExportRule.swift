public import Catalogue
public import Foundation
import Yams

/// A set of export-control thresholds with its legal source, loaded from data so that a rule change is a data change.
public struct ExportRule: Sendable, Equatable {
    public struct Clause: Sendable, Equatable {
        public var id: String
        /// The outcome when the clause matches, e.g. `3A090.a`.
        public var eccnClass: String
        public var text: String
        public var tppMin: Double?
        public var tppBelow: Double?
        public var densityMin: Double?
        public var densityBelow: Double?
        /// Applies only to ICs designed or marketed for data centres.
        public var isDatacenterOnly: Bool
        /// Note 2 to 3A090: an IC not designed or marketed for data centres with a TPP below this is outside the
        /// clause whatever its density.
        public var notDatacenterExcludedBelowTPP: Double?
        public var source: String

        /// Whether the clause holds for the given figures; a density condition with unknown density does not hold.
        public func matches(tpp: Double, density: Double?, isDatacenter: Bool) -> Bool {
            if isDatacenterOnly && !isDatacenter { return false }
            if !isDatacenter, let floor = notDatacenterExcludedBelowTPP, tpp < floor { return false }
            if let tppMin, tpp < tppMin { return false }
            if let tppBelow, tpp >= tppBelow { return false }
            if densityMin != nil || densityBelow != nil {
                guard let density else { return false }
                if let densityMin, density < densityMin { return false }
                if let densityBelow, density >= densityBelow { return false }
            }
            return true
        }

        /// Whether the clause needs the performance density.
        public var needsDensity: Bool { densityMin != nil || densityBelow != nil }
    }

    public struct HBMRule: Sendable, Equatable {
        public var id: String
        public var text: String
        public var densityAboveGBpsPerMM2: Double
        public var effective: String
        public var source: String
        public var stackAreaMM2: [String: Double]
        public var stackAreaReason: String
    }

    /// Note 2 to 3A090 as data: its words, source and TPP floor for items not designed or marketed for data centres.
    public struct DatacenterNote: Sendable, Equatable {
        public var id: String
        public var quote: String
        public var source: String
        public var tppFloor: Double
    }

    public var id: String
    public var title: String
    public var source: String
    public var effective: String
    public var clauses: [Clause]
    /// Bit length of the operation per format (15 CFR 774 Supp. 1, 3A090 Technical Note); formats not listed
    /// fall back to `Precision.bitLength`.
    public var bitLengths: [Precision: Int] = [:]
    /// Formats whose bit length is itself uncertain (TF32: 19 or 32), with the span to evaluate.
    public var bitLengthRanges: [Precision: ClosedRange<Int>] = [:]
    /// Why the uncertain bit lengths were chosen.
    public var bitLengthBasis: String?
    /// The definition of "applicable die area" as quoted from the rule.
    public var applicableDieAreaDefinition: String?
    public var datacenterNoteRule: DatacenterNote?
    public var hbm: HBMRule?
    public var datacenterNote: String
    public var licenceNote: String

    /// The built-in 3A090 rule shipped with Parity.
    public static func builtIn() throws -> ExportRule {
        guard
            let url = Bundle.module.url(forResource: "Resources/eccn-3a090", withExtension: "yaml")
                ?? Bundle.module.url(forResource: "Resources", withExtension: nil)?.appendingPathComponent(
                    "eccn-3a090.yaml"
                )
        else {
            throw ExportControlError(message: "the built-in 3A090 rule file is missing from the package resources")
        }
        return try load(url)
    }

    /// The bit length of the operation the rule counts for `precision`.
    public func bitLength(_ precision: Precision) -> Int {
        bitLengths[precision] ?? precision.bitLength
    }

    /// The span of bit lengths to evaluate for `precision` (one value unless the rule data gives a range).
    public func bitLengthRange(_ precision: Precision) -> ClosedRange<Int> {
        bitLengthRanges[precision] ?? bitLength(precision)...bitLength(precision)
    }

    /// Loads a rule file.
    public static func load(_ url: URL) throws -> ExportRule {
        let text = try String(contentsOf: url, encoding: .utf8)
        let document = try SafeYAML.decode(RuleDocument.self, from: text, file: url.lastPathComponent)
        return document.rule
    }
}

/// The YAML layout of a rule file.
private struct RuleDocument: Decodable {
    struct ClauseDocument: Decodable {
        var id: String
        var `class`: String
        var text: String
        var tpp_min: Double?
        var tpp_below: Double?
        var density_min: Double?
        var density_below: Double?
        var datacenter_only: Bool?
        var not_datacenter_excluded_below_tpp: Double?
        var source: String
    }
    struct BitLengthDocument: Decodable {
        var tf32_bit_length: Int?
        var tf32_basis: String?
        var tf32_range: [Int]?
        var other_formats: [String: Int]?
    }
    struct QuotedDefinition: Decodable {
        var quote: String?
    }
    struct DefinitionsV2: Decodable {
        var applicable_die_area: QuotedDefinition?
        var bit_length_of_operation: BitLengthDocument?
    }
    struct NoteDocument: Decodable {
        var id: String
        var quote: String
        var source: String
        var not_datacenter_excluded_below_tpp: Double
    }
    struct HBMDocument: Decodable {
        var id: String
        var text: String
        var density_above_gbps_per_mm2: Double
        var effective: String
        var source: String
        var stack_area_mm2: [String: Double]
        var stack_area_reason: String
    }
    struct Notes: Decodable {
        var datacenter: String
        var licence: String
    }
    var id: String
    var title: String
    var source: String
    var effective: String
    var clauses: [ClauseDocument]
    var hbm: HBMDocument?
    var notes: Notes
    var definitions_v2: DefinitionsV2?
    var note_2: NoteDocument?

    var rule: ExportRule {
        var rule = ExportRule(
            id: id,
            title: title,
            source: source,
            effective: effective,
            clauses: clauses.map {
                .init(
                    id: $0.id,
                    eccnClass: $0.class,
                    text: $0.text,
                    tppMin: $0.tpp_min,
                    tppBelow: $0.tpp_below,
                    densityMin: $0.density_min,
                    densityBelow: $0.density_below,
                    isDatacenterOnly: $0.datacenter_only ?? false,
                    notDatacenterExcludedBelowTPP: $0.not_datacenter_excluded_below_tpp,
                    source: $0.source
                )
            },
            hbm: hbm.map {
                .init(
                    id: $0.id,
                    text: $0.text,
                    densityAboveGBpsPerMM2: $0.density_above_gbps_per_mm2,
                    effective: $0.effective,
                    source: $0.source,
                    stackAreaMM2: $0.stack_area_mm2,
                    stackAreaReason: $0.stack_area_reason
                )
            },
            datacenterNote: notes.datacenter,
            licenceNote: notes.licence
        )
        if let bits = definitions_v2?.bit_length_of_operation {
            for (name, length) in bits.other_formats ?? [:] {
                if let precision = Precision(rawValue: name) { rule.bitLengths[precision] = length }
            }
            if let tf32 = bits.tf32_bit_length { rule.bitLengths[.tf32] = tf32 }
            if let range = bits.tf32_range, range.count == 2, range[0] <= range[1] {
                rule.bitLengthRanges[.tf32] = range[0]...range[1]
            }
            rule.bitLengthBasis = bits.tf32_basis
        }
        rule.applicableDieAreaDefinition = definitions_v2?.applicable_die_area?.quote
        rule.datacenterNoteRule = note_2.map {
            ExportRule.DatacenterNote(
                id: $0.id,
                quote: $0.quote,
                source: $0.source,
                tppFloor: $0.not_datacenter_excluded_below_tpp
            )
        }
        return rule
    }
}

/// A failure of the export-control module.
public struct ExportControlError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
