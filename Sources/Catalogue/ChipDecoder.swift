import Foundation
import Yams

/// Turns one chip YAML document into a validated `Chip`.
enum ChipDecoder {
    static let topLevelKeys: Set<String> = [
        "id", "vendor", "name", "aliases", "market", "datacenter", "sources", "launch_year", "process_node",
        "form_factor", "die", "memory", "dense", "sparse", "tdp", "scale_up", "scale_out", "pcie_gen", "price",
        "peak_engine_clock_mhz",
        "published", "note", "last_checked", "status", "announced",
    ]

    static func decode(text: String, file: String, limits: SafeYAML.Limits = .files) throws(CatalogueError) -> Chip {
        let reader = try YAMLReader(text: text, file: file, limits: limits)
        let root = reader.root
        try reader.rejectUnknownKeys(root, allowed: topLevelKeys, path: "")

        let id = try reader.string(try reader.require(root, "id", path: "id"), path: "id")
        guard Chip.isValidID(id) else {
            throw reader.error(
                reader.child(root, "id"),
                "id",
                "'\(id)' must be 1–64 ASCII lower-case letters, digits, '-' and '.', starting with a letter"
            )
        }
        let vendor = try reader.string(try reader.require(root, "vendor", path: "vendor"), path: "vendor")
        let name = try reader.string(try reader.require(root, "name", path: "name"), path: "name")
        let aliases =
            try reader.child(root, "aliases").map { (n: Node) throws(CatalogueError) in
                try reader.stringList(n, path: "aliases")
            } ?? []
        let marketNode = try reader.require(root, "market", path: "market")
        let marketText = try reader.string(marketNode, path: "market")
        guard let market = Market(rawValue: marketText) else {
            let known = Market.allCases.map(\.rawValue).joined(separator: ", ")
            throw reader.error(marketNode, "market", "is '\(marketText)', expected one of \(known)")
        }
        let isDatacenter =
            try reader.child(root, "datacenter").map { (n: Node) throws(CatalogueError) in
                try reader.bool(n, path: "datacenter")
            } ?? true

        let chipSources = try decodeSources(reader)
        let sources = chipSources.mapValues(\.url)

        func optionalFigure<V>(
            _ node: Node,
            _ key: String,
            path: String,
            parse: (Node, String) throws(CatalogueError) -> V
        ) throws(CatalogueError) -> Sourced<V>? {
            guard let child = reader.child(node, key) else { return nil }
            return try reader.figure(child, path: path, sources: sources, value: parse)
        }
        func optionalQuantity(
            _ node: Node,
            _ key: String,
            path: String,
            kind: QuantityKind
        )
            throws(CatalogueError) -> Sourced<Double>?
        {
            guard let child = reader.child(node, key) else { return nil }
            return try reader.quantity(child, path: path, kind: kind, sources: sources)
        }
        let text = { (n: Node, p: String) throws(CatalogueError) -> String in try reader.string(n, path: p) }
        let count = { (n: Node, p: String) throws(CatalogueError) -> Int in
            let value = try reader.int(n, path: p)
            guard value > 0 else { throw reader.error(n, p, "must be positive") }
            return value
        }

        let launchYear = try optionalFigure(root, "launch_year", path: "launch_year", parse: count)
        let processNode = try optionalFigure(root, "process_node", path: "process_node", parse: text)
        let formFactor = try optionalFigure(root, "form_factor", path: "form_factor", parse: text)

        var die: Chip.Die?
        if let dieNode = reader.child(root, "die") {
            try reader.rejectUnknownKeys(dieNode, allowed: ["area_per_die", "dies", "other_logic_area"], path: "die")
            die = Chip.Die(
                areaPerDieMM2: try optionalQuantity(dieNode, "area_per_die", path: "die.area_per_die", kind: .area),
                count: try optionalFigure(dieNode, "dies", path: "die.dies", parse: count),
                otherLogicAreaMM2: try optionalQuantity(
                    dieNode,
                    "other_logic_area",
                    path: "die.other_logic_area",
                    kind: .area
                )
            )
        }

        let memoryNode = try reader.require(root, "memory", path: "memory")
        try reader.rejectUnknownKeys(memoryNode, allowed: ["type", "capacity", "bandwidth", "stacks"], path: "memory")
        let memory = Chip.Memory(
            type: try optionalFigure(memoryNode, "type", path: "memory.type", parse: text),
            capacityBytes: try reader.quantity(
                try reader.require(memoryNode, "capacity", path: "memory.capacity"),
                path: "memory.capacity",
                kind: .capacity,
                sources: sources
            ),
            bandwidthBytesPerSecond: try reader.quantity(
                try reader.require(memoryNode, "bandwidth", path: "memory.bandwidth"),
                path: "memory.bandwidth",
                kind: .bandwidth,
                sources: sources
            ),
            stacks: try optionalFigure(memoryNode, "stacks", path: "memory.stacks", parse: count)
        )

        let dense = try decodePeaks(
            reader,
            reader.require(root, "dense", path: "dense"),
            path: "dense",
            sources: sources
        )
        guard !dense.isEmpty else {
            throw reader.error(reader.child(root, "dense"), "dense", "needs at least one precision")
        }
        let sparse =
            try reader.child(root, "sparse").map { (n: Node) throws(CatalogueError) in
                try decodePeaks(reader, n, path: "sparse", sources: sources)
            } ?? [:]
        for (precision, sparseFigure) in sparse {
            if let denseFigure = dense[precision], denseFigure.value > sparseFigure.value {
                throw reader.error(
                    reader.child(try reader.require(root, "dense", path: "dense"), precision.rawValue),
                    "dense.\(precision.rawValue)",
                    "exceeds its sparse twin (dense figures are at most the sparse ones; is it a sparse figure?)"
                )
            }
        }

        var scaleUp: Chip.ScaleUp?
        if let node = reader.child(root, "scale_up") {
            try reader.rejectUnknownKeys(node, allowed: ["name", "bandwidth", "domain_size"], path: "scale_up")
            scaleUp = Chip.ScaleUp(
                name: try optionalFigure(node, "name", path: "scale_up.name", parse: text),
                bandwidthBytesPerSecond: try optionalQuantity(
                    node,
                    "bandwidth",
                    path: "scale_up.bandwidth",
                    kind: .bandwidth
                ),
                domainSize: try optionalFigure(node, "domain_size", path: "scale_up.domain_size", parse: count)
            )
        }

        var published: Chip.Published?
        if let node = reader.child(root, "published") {
            try reader.rejectUnknownKeys(node, allowed: ["tpp", "performance_density", "eccn"], path: "published")
            published = Chip.Published(
                tpp: try optionalFigure(node, "tpp", path: "published.tpp") {
                    (n: Node, p: String) throws(CatalogueError) in
                    try reader.double(n, path: p)
                },
                performanceDensity: try optionalFigure(
                    node,
                    "performance_density",
                    path: "published.performance_density"
                ) {
                    (n: Node, p: String) throws(CatalogueError) in try reader.double(n, path: p)
                },
                eccn: try optionalFigure(node, "eccn", path: "published.eccn", parse: text)
            )
        }

        var chip = Chip(
            id: id,
            vendor: vendor,
            name: name,
            aliases: aliases,
            market: market,
            isDatacenter: isDatacenter,
            launchYear: launchYear,
            processNode: processNode,
            formFactor: formFactor,
            die: die,
            memory: memory,
            densePeak: dense,
            sparsePeak: sparse,
            tdpWatts: try optionalQuantity(root, "tdp", path: "tdp", kind: .power),
            scaleUp: scaleUp,
            scaleOut: try optionalFigure(root, "scale_out", path: "scale_out", parse: text),
            pcieGeneration: try optionalFigure(root, "pcie_gen", path: "pcie_gen", parse: count),
            priceUSD: try optionalQuantity(root, "price", path: "price", kind: .price),
            published: published,
            sourceFile: file
        )
        chip.sources = chipSources
        chip.peakEngineClockMHz = try optionalFigure(
            root,
            "peak_engine_clock_mhz",
            path: "peak_engine_clock_mhz",
            parse: count
        )
        if let node = reader.child(root, "last_checked") {
            let text = try reader.string(node, path: "last_checked")
            guard let day = Day(text) else {
                throw reader.error(node, "last_checked", "must be a date YYYY-MM-DD, got '\(text)'")
            }
            chip.lastChecked = day
        }
        chip.status = try optionalFigure(root, "status", path: "status") {
            (n: Node, p: String) throws(CatalogueError) in
            let text = try reader.string(n, path: p)
            guard let status = Chip.Status(rawValue: text) else {
                let known = Chip.Status.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error(n, p, "is '\(text)', expected one of \(known)")
            }
            return status
        }
        chip.announced = try optionalFigure(root, "announced", path: "announced") {
            (n: Node, p: String) throws(CatalogueError) in
            let text = try reader.string(n, path: p)
            guard let day = Day(text) ?? Day(text + "-01") else {
                throw reader.error(n, p, "must be a date YYYY-MM or YYYY-MM-DD, got '\(text)'")
            }
            return day
        }
        return chip
    }

    /// `key: URL` (first format) or `key: {url: …, kind: vendor|regulator|filing|paper|press|aggregator, title: …}`.
    static func decodeSources(_ reader: YAMLReader) throws(CatalogueError) -> [String: Chip.Source] {
        let node = try reader.require(reader.root, "sources", path: "sources")
        guard case .mapping = node else {
            throw reader.error(node, "sources", "must map keys to URLs or {url, kind, title}")
        }
        var sources: [String: Chip.Source] = [:]
        for (key, _) in reader.keys(node) {
            guard let value = reader.child(node, key) else { continue }
            let path = "sources.\(key)"
            guard case .mapping = value else {
                sources[key] = Chip.Source(url: try reader.string(value, path: path), kind: nil)
                continue
            }
            try reader.rejectUnknownKeys(value, allowed: ["url", "kind", "title"], path: path)
            let url = try reader.string(try reader.require(value, "url", path: "\(path).url"), path: "\(path).url")
            let kindNode = try reader.require(value, "kind", path: "\(path).kind")
            let kindText = try reader.string(kindNode, path: "\(path).kind")
            guard let kind = Chip.Source.Kind(rawValue: kindText) else {
                let known = Chip.Source.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error(kindNode, "\(path).kind", "is '\(kindText)', expected one of \(known)")
            }
            let title = try reader.child(value, "title").map { (n: Node) throws(CatalogueError) in
                try reader.string(n, path: "\(path).title")
            }
            sources[key] = Chip.Source(url: url, kind: kind, title: title)
        }
        return sources
    }

    static func decodePeaks(
        _ reader: YAMLReader,
        _ node: Node,
        path: String,
        sources: [String: String]
    ) throws(CatalogueError) -> [Precision: Sourced<Double>] {
        guard case .mapping = node else {
            throw reader.error(node, path, "must map precisions (fp16, fp8, …) to figures")
        }
        var peaks: [Precision: Sourced<Double>] = [:]
        for (key, keyNode) in reader.keys(node) {
            guard let precision = Precision(rawValue: key) else {
                let known = Precision.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error(keyNode, "\(path).\(key)", "is not a precision. Known: \(known)")
            }
            guard let figureNode = reader.child(node, key) else { continue }
            let figure = try reader.quantity(figureNode, path: "\(path).\(key)", kind: .throughput, sources: sources)
            guard figure.value > 0 else {
                throw reader.error(figureNode, "\(path).\(key)", "must be positive")
            }
            peaks[precision] = figure
        }
        return peaks
    }
}
