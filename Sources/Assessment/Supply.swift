public import Catalogue
import Foundation
import PerfModel

/// Supply sufficiency for one year under one scenario.
public struct SupplyYear: Sendable, Hashable, Codable {
    public struct VendorOutput: Sendable, Hashable, Codable {
        public var vendor: String
        public var chip: String
        public var units: Double
        /// `reported`, `carried forward from YEAR`, or `× factor of YEAR` (scenario growth).
        public var basis: String
        public var provenance: Provenance
    }

    public var year: Int
    public var scenario: String
    public var output: [VendorOutput]
    /// Domestic units, all vendors.
    public var supplyUnits: Double
    /// Demand rows used (ids) and their units.
    public var demand: [String: Double]
    public var demandBasis: SupplyData.Demand.Basis?
    /// Capacity in reference-chip equivalents per workload, and over the suite (key `composite`).
    public var supplyCapacity: [String: Double]
    public var demandCapacity: [String: Double]
    /// Supply ÷ demand capacity per workload and `composite`; nil without demand.
    public var sufficiency: [String: Double]
    /// Workloads whose sufficiency is below 1.
    public var short: [String]
}

public struct SupplyReport: Sendable, Hashable, Codable {
    public static let currentSchema = "parity.supply/1"
    public var schema = currentSchema
    public var data: String
    public var title: String
    public var reference: String
    public var workloads: [String]
    public var scenarios: [SupplyData.Scenario]
    public var years: [SupplyYear]
    /// Capacity of one unit of each chip in reference-chip equivalents, per workload and `composite`.
    public var equivalents: [String: [String: Double]]
    public var notes: [String]
}

/// Domestic output against demand, in capacity of a reference chip, per year and scenario.
public enum Supply {
    public static func report(
        _ data: SupplyData,
        scenarios selected: [String]? = nil,
        reference: Chip,
        suite: [Workload] = Workload.defaultSuite(),
        chips: ChipCatalogue,
        models: ModelCatalogue
    ) throws -> SupplyReport {
        let scenarios =
            try selected.map { ids in
                try ids.map { id in
                    guard let scenario = data.scenarios.first(where: { $0.id == id }) else {
                        throw CatalogueError(
                            file: data.file,
                            message:
                                "has no scenario '\(id)'; it has \(data.scenarios.map(\.id).joined(separator: ", "))"
                        )
                    }
                    return scenario
                }
            } ?? data.scenarios
        var involved: [Chip] = []
        for id in Set(data.output.map(\.chip) + data.demand.map(\.chip)).sorted() {
            do {
                involved.append(try chips.chip(id))
            } catch {
                throw CatalogueError(file: data.file, message: "names \(error)")
            }
        }
        // Reference-chip equivalents of every chip, from the assessment over the suite.
        let assessment = try Assessor.run(
            AssessmentOptions(
                candidates: involved.filter { $0.id != reference.id },
                references: [reference],
                suite: suite,
                resamples: 200
            ),
            models: models
        )
        var equivalents: [String: [String: Double]] = [
            reference.id: Dictionary(uniqueKeysWithValues: (suite.map(\.id) + ["composite"]).map { ($0, 1.0) })
        ]
        for comparison in assessment.comparisons {
            var values: [String: Double] = [:]
            for ratio in comparison.ratios { if let value = ratio.ratio { values[ratio.workload] = value } }
            values["composite"] = comparison.composite
            equivalents[comparison.candidate] = values
        }
        let keys = suite.map(\.id) + ["composite"]
        let years = Array(Set(data.output.map(\.year) + data.demand.map(\.year))).sorted()
        var results: [SupplyYear] = []
        var notes: [String] = []
        for scenario in scenarios {
            var previous: [String: SupplyYear.VendorOutput] = [:]
            for year in years {
                var current: [String: SupplyYear.VendorOutput] = [:]
                if let factor = scenario.growth[year], !previous.isEmpty {
                    for (key, row) in previous {
                        current[key] = SupplyYear.VendorOutput(
                            vendor: row.vendor,
                            chip: row.chip,
                            units: row.units * factor,
                            basis: "× \(Quantity.trimmed(factor, digits: 2)) of \(year - 1) (scenario)",
                            provenance: scenario.provenance ?? row.provenance
                        )
                    }
                } else {
                    for (key, row) in previous {
                        current[key] = SupplyYear.VendorOutput(
                            vendor: row.vendor,
                            chip: row.chip,
                            units: row.units,
                            basis: row.basis.hasPrefix("carried") ? row.basis : "carried forward from \(year - 1)",
                            provenance: row.provenance
                        )
                    }
                    for row in data.output where row.year == year {
                        current["\(row.vendor)/\(row.chip)"] = SupplyYear.VendorOutput(
                            vendor: row.vendor,
                            chip: row.chip,
                            units: row.units.value * scenario.scale,
                            basis: scenario.scale == 1 ? "reported" : "reported × \(scenario.scale) (scenario)",
                            provenance: row.units.provenance
                        )
                    }
                }
                previous = current
                let output = current.values.sorted { ($0.vendor, $0.chip) < ($1.vendor, $1.chip) }
                let rows = data.demand.filter { $0.year == year }
                let totals = rows.filter { $0.basis == .total }
                let used = totals.isEmpty ? rows : totals
                var supplyCapacity: [String: Double] = [:]
                var demandCapacity: [String: Double] = [:]
                for key in keys {
                    supplyCapacity[key] = output.reduce(0) { $0 + $1.units * (equivalents[$1.chip]?[key] ?? 0) }
                    demandCapacity[key] = used.reduce(0) { $0 + $1.units.value * (equivalents[$1.chip]?[key] ?? 0) }
                }
                var sufficiency: [String: Double] = [:]
                for key in keys where (demandCapacity[key] ?? 0) > 0 {
                    sufficiency[key] = (supplyCapacity[key] ?? 0) / demandCapacity[key]!
                }
                results.append(
                    SupplyYear(
                        year: year,
                        scenario: scenario.id,
                        output: output,
                        supplyUnits: output.reduce(0) { $0 + $1.units },
                        demand: Dictionary(uniqueKeysWithValues: used.map { ($0.id, $0.units.value) }),
                        demandBasis: used.first?.basis,
                        supplyCapacity: supplyCapacity,
                        demandCapacity: demandCapacity,
                        sufficiency: sufficiency,
                        short: suite.map(\.id).filter { (sufficiency[$0] ?? 1) < 1 }
                    )
                )
            }
        }
        let estimated = (data.output.map(\.units) + data.demand.map(\.units)).filter { $0.provenance.isEstimate }.count
        notes.append(
            "\(data.output.count + data.demand.count - estimated) figures sourced, \(estimated) estimates "
                + "(\(data.file))"
        )
        notes.append(
            "capacity in \(reference.name) equivalents: units × the chip's ratio to \(reference.id) "
                + "(\(PerformanceModel.version) for serving workloads)"
        )
        return SupplyReport(
            data: data.id,
            title: data.title,
            reference: reference.id,
            workloads: suite.map(\.id),
            scenarios: scenarios,
            years: results,
            equivalents: equivalents,
            notes: notes
        )
    }
}
