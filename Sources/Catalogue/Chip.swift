/// Which market a chip was designed for.
public enum Market: String, Sendable, Hashable, Codable, CaseIterable {
    /// Designed to fall below US export thresholds for sale in China (H20, L20, RTX Pro 6000D, …).
    case chinaSpecific = "china-specific"
    /// Sold worldwide.
    case global
    /// Designed and made by Chinese vendors.
    case domesticChina = "domestic-china"
}

/// An accelerator as described by the catalogue. All figures are per chip (per package), in base units.
public struct Chip: Sendable, Hashable, Codable, Identifiable {
    /// Where a chip's figures come from, and what kind of document each source is.
    public struct Source: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            /// The vendor's own datasheet, product page, whitepaper, press release or repository.
            case vendor
            /// A regulator's text: Federal Register, eCFR, BIS, MOFCOM, MIIT.
            case regulator
            /// A company filing: SEC, HKEX, SSE/STAR prospectus or annual report.
            case filing
            case paper
            case press
            /// A site that collects figures from elsewhere.
            case aggregator

            /// Vendor documents, regulators' texts, filings and papers.
            public var isPrimary: Bool { self != .press && self != .aggregator }
        }

        public var url: String
        /// `nil` only in chip files of the first format, which did not classify their sources.
        public var kind: Kind?
        public var title: String?

        public init(url: String, kind: Kind?, title: String? = nil) {
            self.url = url
            self.kind = kind
            self.title = title
        }
    }

    /// Where a chip stands in its life, for `chips list --as-of`.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case shipping, sampling, announced, roadmap, reported, discontinued
    }

    /// Lower-case identifier, e.g. `h20`.
    public var id: String
    public var vendor: String
    public var name: String
    public var aliases: [String]
    public var market: Market
    /// Designed or marketed for use in data centres (matters for the 3A090 datacenter note).
    public var isDatacenter: Bool
    public var launchYear: Sourced<Int>?
    public var processNode: Sourced<String>?
    public var formFactor: Sourced<String>?
    public var die: Die?
    public var memory: Memory
    /// Dense peak throughput in operations per second, per precision.
    public var densePeak: [Precision: Sourced<Double>]
    /// Peak throughput with 2:4 structured sparsity, kept apart from dense figures.
    public var sparsePeak: [Precision: Sourced<Double>]
    public var tdpWatts: Sourced<Double>?
    public var scaleUp: ScaleUp?
    public var scaleOut: Sourced<String>?
    public var pcieGeneration: Sourced<Int>?
    /// The engine clock, in MHz, at which the vendor quotes the matrix peaks (a run that caps the clock reaches
    /// that fraction of them).
    public var peakEngineClockMHz: Sourced<Int>?
    public var priceUSD: Sourced<Double>?
    /// Export-control figures published by third parties, used to check the classifier.
    public var published: Published?
    /// The file the chip was loaded from (for messages).
    public var sourceFile: String
    /// Sources by key, as the chip file lists them.
    public var sources: [String: Source] = [:]
    /// The day the file's figures were last re-checked against their sources.
    public var lastChecked: Day?
    public var status: Sourced<Status>?
    /// First announcement or first credible report, `YYYY-MM` or `YYYY-MM-DD` (a month means its first day).
    public var announced: Sourced<Day>?

    /// Die geometry: the 3A090 "applicable die area" is the sum over dies.
    public struct Die: Sendable, Hashable, Codable {
        public var areaPerDieMM2: Sourced<Double>?
        public var count: Sourced<Int>?
        /// Total area of the other logic dies (I/O and base dies) made on a non-planar process, which 3A090's
        /// "applicable die area" counts alongside the compute dies.
        public var otherLogicAreaMM2: Sourced<Double>?

        public init(areaPerDieMM2: Sourced<Double>?, count: Sourced<Int>?, otherLogicAreaMM2: Sourced<Double>? = nil) {
            self.areaPerDieMM2 = areaPerDieMM2
            self.count = count
            self.otherLogicAreaMM2 = otherLogicAreaMM2
        }
    }

    public struct Memory: Sendable, Hashable, Codable {
        public var type: Sourced<String>?
        public var capacityBytes: Sourced<Double>
        public var bandwidthBytesPerSecond: Sourced<Double>
        /// Number of HBM stacks, where known.
        public var stacks: Sourced<Int>?

        public init(
            type: Sourced<String>?,
            capacityBytes: Sourced<Double>,
            bandwidthBytesPerSecond: Sourced<Double>,
            stacks: Sourced<Int>?
        ) {
            self.type = type
            self.capacityBytes = capacityBytes
            self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
            self.stacks = stacks
        }

        /// `true` when the memory type is a form of HBM.
        public var isHBM: Bool { type?.value.uppercased().hasPrefix("HBM") ?? false }
    }

    /// Scale-up (intra-node) interconnect.
    public struct ScaleUp: Sendable, Hashable, Codable {
        public var name: Sourced<String>?
        /// Aggregate bidirectional bandwidth per chip.
        public var bandwidthBytesPerSecond: Sourced<Double>?
        /// Chips in one scale-up domain (8 for HGX, 72 for NVL72).
        public var domainSize: Sourced<Int>?

        public init(
            name: Sourced<String>?,
            bandwidthBytesPerSecond: Sourced<Double>?,
            domainSize: Sourced<Int>?
        ) {
            self.name = name
            self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
            self.domainSize = domainSize
        }
    }

    public struct Published: Sendable, Hashable, Codable {
        public var tpp: Sourced<Double>?
        /// Published TPP ÷ die area.
        public var performanceDensity: Sourced<Double>?
        public var eccn: Sourced<String>?

        public init(tpp: Sourced<Double>?, performanceDensity: Sourced<Double>? = nil, eccn: Sourced<String>?) {
            self.tpp = tpp
            self.performanceDensity = performanceDensity
            self.eccn = eccn
        }
    }

    public init(
        id: String,
        vendor: String,
        name: String,
        aliases: [String] = [],
        market: Market,
        isDatacenter: Bool = true,
        launchYear: Sourced<Int>? = nil,
        processNode: Sourced<String>? = nil,
        formFactor: Sourced<String>? = nil,
        die: Die? = nil,
        memory: Memory,
        densePeak: [Precision: Sourced<Double>],
        sparsePeak: [Precision: Sourced<Double>] = [:],
        tdpWatts: Sourced<Double>? = nil,
        scaleUp: ScaleUp? = nil,
        scaleOut: Sourced<String>? = nil,
        pcieGeneration: Sourced<Int>? = nil,
        priceUSD: Sourced<Double>? = nil,
        published: Published? = nil,
        sourceFile: String = "<memory>"
    ) {
        self.id = id
        self.vendor = vendor
        self.name = name
        self.aliases = aliases
        self.market = market
        self.isDatacenter = isDatacenter
        self.launchYear = launchYear
        self.processNode = processNode
        self.formFactor = formFactor
        self.die = die
        self.memory = memory
        self.densePeak = densePeak
        self.sparsePeak = sparsePeak
        self.tdpWatts = tdpWatts
        self.scaleUp = scaleUp
        self.scaleOut = scaleOut
        self.pcieGeneration = pcieGeneration
        self.priceUSD = priceUSD
        self.published = published
        self.sourceFile = sourceFile
    }

    /// Total die area (area per die × dies), if both are known.
    public var totalDieAreaMM2: Sourced<Double>? {
        guard let area = die?.areaPerDieMM2 else { return nil }
        let count = die?.count?.value ?? 1
        let provenance = [area.provenance, die?.count?.provenance].compactMap { $0 }.first(where: \.isEstimate)
        return Sourced(area.value * Double(count), provenance ?? area.provenance, note: area.note)
    }

    /// The highest dense throughput at or below the given precision's bit length that the chip supports,
    /// falling back to wider formats (a chip without fp8 runs fp8 weights at bf16 speed).
    public func denseThroughput(for precision: Precision) -> Sourced<Double>? {
        if let exact = densePeak[precision] { return exact }
        let wider: [Precision] =
            switch precision {
            case .fp4, .fp6: [.fp8, .bf16, .fp16]
            case .fp8: [.bf16, .fp16]
            case .int4: [.int8, .fp16]
            case .int8: [.fp16, .bf16]
            case .bf16: [.fp16]
            case .fp16: [.bf16]
            case .tf32: [.fp32]
            case .fp32, .fp64: []
            }
        return wider.lazy.compactMap { densePeak[$0] }.first
    }
}
