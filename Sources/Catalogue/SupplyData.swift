import Foundation
import Yams

/// Output of domestic accelerators and demand for accelerators, by year, with scenarios (`supply/*.yaml`).
public struct SupplyData: Sendable, Hashable {
    public struct Output: Sendable, Hashable {
        public var vendor: String
        public var chip: String
        public var year: Int
        /// Packages (cards or modules).
        public var units: Sourced<Double>
    }

    public struct Demand: Sendable, Hashable {
        public enum Basis: String, Sendable, Hashable, Codable {
            /// All buyers and vendors for the year: when present, it is the year's demand.
            case total
            /// One buyer or product line: summed when a year has no total.
            case part
        }

        public var id: String
        public var description: String
        public var year: Int
        /// Demand is counted in units of this chip.
        public var chip: String
        public var units: Sourced<Double>
        public var workload: String?
        public var basis: Basis
    }

    public struct Scenario: Sendable, Hashable, Codable {
        public var id: String
        public var description: String
        /// Where the scenario comes from (a source or an estimate), if stated.
        public var provenance: Provenance?
        /// output(year) = output(year − 1) × factor, replacing reported output for that year.
        public var growth: [Int: Double]
        /// Multiplies every output figure.
        public var scale: Double
    }

    public var id: String
    public var title: String
    public var region: String
    public var output: [Output]
    public var demand: [Demand]
    public var scenarios: [Scenario]
    public var file: String

    public static func loadBuiltIn() throws(CatalogueError) -> [SupplyData] {
        guard let builtIn = CatalogueFiles.builtInDirectory("supply") else {
            throw CatalogueError(message: "the built-in supply data is missing from the package resources")
        }
        var result: [SupplyData] = []
        let root = builtIn.deletingLastPathComponent()
        for url in try CatalogueFiles.yamlFiles(in: root, kind: "supply", includeTopLevel: false) {
            let name = "supply/\(url.lastPathComponent)"
            result.append(try decode(text: try CatalogueFiles.read(url, displayName: name), file: name))
        }
        return result
    }

    public static func load(path: String) throws(CatalogueError) -> SupplyData {
        try decode(text: try CatalogueFiles.read(URL(fileURLWithPath: path), displayName: path), file: path)
    }

    public static func decode(text: String, file: String) throws(CatalogueError) -> SupplyData {
        let reader = try YAMLReader(text: text, file: file)
        let root = reader.root
        try reader.rejectUnknownKeys(
            root,
            allowed: ["id", "title", "region", "sources", "output", "demand", "scenarios"],
            path: ""
        )
        var sources: [String: String] = [:]
        if let node = reader.child(root, "sources") {
            for (key, _) in reader.keys(node) {
                if let value = reader.child(node, key) {
                    sources[key] = try reader.string(value, path: "sources.\(key)")
                }
            }
        }
        func sequence(_ key: String) throws(CatalogueError) -> [Node] {
            guard let node = reader.child(root, key) else { return [] }
            guard case .sequence(let items) = node else { throw reader.error(node, key, "must be a list") }
            return Array(items)
        }
        func field(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> String {
            try reader.string(try reader.require(node, key, path: "\(path).\(key)"), path: "\(path).\(key)")
        }
        func units(_ node: Node, _ path: String) throws(CatalogueError) -> Sourced<Double> {
            let figure = try reader.figure(
                try reader.require(node, "units", path: "\(path).units"),
                path: "\(path).units",
                sources: sources
            ) { (valueNode: Node, valuePath: String) throws(CatalogueError) in
                try reader.double(valueNode, path: valuePath)
            }
            guard figure.value >= 0 else { throw reader.error(node, "\(path).units", "must not be negative") }
            return figure
        }
        var output: [Output] = []
        for (index, node) in try sequence("output").enumerated() {
            let path = "output[\(index + 1)]"
            try reader.rejectUnknownKeys(node, allowed: ["vendor", "chip", "year", "units"], path: path)
            output.append(
                Output(
                    vendor: try field(node, "vendor", path),
                    chip: try field(node, "chip", path),
                    year: try reader.int(try reader.require(node, "year", path: "\(path).year"), path: "\(path).year"),
                    units: try units(node, path)
                )
            )
        }
        var demand: [Demand] = []
        for (index, node) in try sequence("demand").enumerated() {
            let path = "demand[\(index + 1)]"
            try reader.rejectUnknownKeys(
                node,
                allowed: ["id", "description", "year", "chip", "units", "workload", "basis"],
                path: path
            )
            var basis = Demand.Basis.part
            if let basisNode = reader.child(node, "basis") {
                let value = try reader.string(basisNode, path: "\(path).basis")
                guard let parsed = Demand.Basis(rawValue: value) else {
                    throw reader.error(basisNode, "\(path).basis", "must be total or part")
                }
                basis = parsed
            }
            demand.append(
                Demand(
                    id: try field(node, "id", path),
                    description: try field(node, "description", path),
                    year: try reader.int(try reader.require(node, "year", path: "\(path).year"), path: "\(path).year"),
                    chip: try field(node, "chip", path),
                    units: try units(node, path),
                    workload: try reader.child(node, "workload").map { (n: Node) throws(CatalogueError) in
                        try reader.string(n, path: "\(path).workload")
                    },
                    basis: basis
                )
            )
        }
        var scenarios: [Scenario] = []
        for (index, node) in try sequence("scenarios").enumerated() {
            let path = "scenarios[\(index + 1)]"
            try reader.rejectUnknownKeys(
                node,
                allowed: ["id", "description", "source", "estimate", "growth", "scale"],
                path: path
            )
            var provenance: Provenance?
            if let sourceNode = reader.child(node, "source") {
                let key = try reader.string(sourceNode, path: "\(path).source")
                guard let url = sources[key] ?? (key.hasPrefix("http") ? key : nil) else {
                    throw reader.error(sourceNode, "\(path).source", "names '\(key)', which is not a key of 'sources'")
                }
                provenance = .spec(source: url)
            } else if let estimateNode = reader.child(node, "estimate") {
                provenance = .estimate(reason: try reader.string(estimateNode, path: "\(path).estimate"))
            }
            var growth: [Int: Double] = [:]
            if let growthNode = reader.child(node, "growth") {
                for (key, keyNode) in reader.keys(growthNode) {
                    guard let year = Int(key), let valueNode = reader.child(growthNode, key) else {
                        throw reader.error(keyNode, "\(path).growth", "keys must be years")
                    }
                    growth[year] = try reader.double(valueNode, path: "\(path).growth.\(key)")
                }
            }
            let scale =
                try reader.child(node, "scale").map { (n: Node) throws(CatalogueError) in
                    try reader.double(n, path: "\(path).scale")
                } ?? 1
            if !growth.isEmpty || scale != 1, provenance == nil {
                throw reader.error(node, path, "changes output, so it needs 'source: KEY' or 'estimate: \"reason\"'")
            }
            scenarios.append(
                Scenario(
                    id: try field(node, "id", path),
                    description: try field(node, "description", path),
                    provenance: provenance,
                    growth: growth,
                    scale: scale
                )
            )
        }
        if scenarios.isEmpty {
            scenarios = [Scenario(id: "as-reported", description: "Output as reported", growth: [:], scale: 1)]
        }
        return SupplyData(
            id: try field(root, "id", "").trimmingCharacters(in: .whitespaces),
            title: try field(root, "title", ""),
            region: try field(root, "region", ""),
            output: output,
            demand: demand,
            scenarios: scenarios,
            file: file
        )
    }
}
