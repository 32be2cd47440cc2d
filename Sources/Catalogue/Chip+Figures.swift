extension Chip {
    /// One figure of a chip, formatted for people, with its provenance.
    public struct Figure: Sendable, Hashable {
        /// Dotted field name as in the YAML file, e.g. `memory.bandwidth`.
        public var field: String
        /// The value with its unit, e.g. `4 TB/s`.
        public var value: String
        public var provenance: Provenance
        public var note: String?
        /// For an estimate: its plausible span, formatted like `value` (`296 TFLOPS–830 TFLOPS`).
        public var range: String?
        /// Whether the figure is a number (which an estimate must give a range for) rather than text.
        public var isNumeric: Bool = true
    }

    /// Every figure of the chip in file order, for `chips show`, estimate counts and checks.
    public var figures: [Figure] {
        var result: [Figure] = []
        func add<V>(_ field: String, _ figure: Sourced<V>?, _ format: (V) -> String) {
            guard let figure else { return }
            var range: String?
            if let lower = figure.lower, let upper = figure.upper { range = "\(format(lower))–\(format(upper))" }
            result.append(
                Figure(
                    field: field,
                    value: format(figure.value),
                    provenance: figure.provenance,
                    note: figure.note,
                    range: range,
                    isNumeric: !(V.self == String.self)
                )
            )
        }
        let text = { (s: String) in s }
        let number = { (n: Int) in String(n) }
        add("launch_year", launchYear, number)
        add("process_node", processNode, text)
        add("form_factor", formFactor, text)
        add("die.area_per_die", die?.areaPerDieMM2) { ChipField.dieArea.formatted($0) }
        add("die.dies", die?.count, number)
        add("die.other_logic_area", die?.otherLogicAreaMM2) { ChipField.dieArea.formatted($0) }
        add("memory.type", memory.type, text)
        add("memory.capacity", memory.capacityBytes) { ChipField.memoryCapacity.formatted($0) }
        add("memory.bandwidth", memory.bandwidthBytesPerSecond) { ChipField.memoryBandwidth.formatted($0) }
        add("memory.stacks", memory.stacks, number)
        for precision in Precision.allCases {
            add("dense.\(precision.rawValue)", densePeak[precision]) { ChipField.dense(precision).formatted($0) }
        }
        for precision in Precision.allCases {
            add("sparse.\(precision.rawValue)", sparsePeak[precision]) { ChipField.sparse(precision).formatted($0) }
        }
        add("tdp", tdpWatts) { ChipField.tdp.formatted($0) }
        add("scale_up.name", scaleUp?.name, text)
        add("scale_up.bandwidth", scaleUp?.bandwidthBytesPerSecond) { ChipField.scaleUpBandwidth.formatted($0) }
        add("scale_up.domain_size", scaleUp?.domainSize, number)
        add("scale_out", scaleOut, text)
        add("pcie_gen", pcieGeneration, number)
        add("peak_engine_clock_mhz", peakEngineClockMHz) { "\($0) MHz" }
        add("price", priceUSD) { ChipField.price.formatted($0) }
        add("published.tpp", published?.tpp) { Quantity.trimmed($0, digits: 0) }
        add("published.performance_density", published?.performanceDensity) { Quantity.trimmed($0, digits: 2) }
        add("published.eccn", published?.eccn, text)
        return result
    }
}

extension Chip {
    /// The vendor as tokens name it (`vendor:huawei`): lower case, words joined by '-', any parenthesised
    /// remark dropped — "Kunlunxin (Baidu)" → `kunlunxin`, "Moore Threads" → `moore-threads`.
    public var vendorSlug: String {
        let base = vendor.split(separator: "(").first.map(String.init) ?? vendor
        return base.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
    }
}

extension Chip {
    /// Chip IDs are ASCII slugs (1–64 of `a-z`, `0-9`, `-`, `.`, starting with a letter), so that no look-alike
    /// letter from another script (a Cyrillic `һ100-sxm`) can pass for a catalogue ID.
    public static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first,
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
        else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }
}

extension Chip {
    /// The kind of the source a figure cites (`vendor`, `press`, …), found by its URL among `sources`.
    public func sourceKind(of provenance: Provenance) -> String? {
        guard case .spec(let url) = provenance else { return nil }
        return sources.values.first { $0.url == url }?.kind?.rawValue
    }

    /// Whether the chip existed or had been announced by `day`: its `announced` date, else its launch year's
    /// first day; a chip with neither counts as existing.
    public func existed(by day: Day) -> Bool {
        if let announced { return announced.value <= day }
        if let year = launchYear?.value { return year <= day.year }
        return true
    }
}
