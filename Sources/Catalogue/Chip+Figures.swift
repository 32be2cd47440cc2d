extension Chip {
    /// One figure of a chip, formatted for people, with its provenance.
    public struct Figure: Sendable, Hashable {
        /// Dotted field name as in the YAML file, e.g. `memory.bandwidth`.
        public var field: String
        /// The value with its unit, e.g. `4 TB/s`.
        public var value: String
        public var provenance: Provenance
        public var note: String?
    }

    /// Every figure of the chip in file order, for `chips show`, estimate counts and checks.
    public var figures: [Figure] {
        var result: [Figure] = []
        func add<V>(_ field: String, _ figure: Sourced<V>?, _ format: (V) -> String) {
            guard let figure else { return }
            result.append(
                Figure(field: field, value: format(figure.value), provenance: figure.provenance, note: figure.note)
            )
        }
        let text = { (s: String) in s }
        let number = { (n: Int) in String(n) }
        add("launch_year", launchYear, number)
        add("process_node", processNode, text)
        add("form_factor", formFactor, text)
        add("die.area_per_die", die?.areaPerDieMM2) { ChipField.dieArea.formatted($0) }
        add("die.dies", die?.count, number)
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
