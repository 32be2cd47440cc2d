public import Catalogue
import Foundation

/// What a serving engine changes on top of a chip's peaks (`Resources/engines.yaml`): fitted efficiency scales
/// and the engine's conventions for unstated precisions.
public struct EngineProfile: Sendable, Hashable, Codable {
    public var id: String
    /// Engine id as `published-serving.yaml` and `--engine` name it.
    public var engine: String
    public var name: String
    /// Chip vendors the profile applies to (empty: any, used only as the fallback).
    public var vendors: [String]
    /// Multiplies the matrix efficiency (dense models, and MoE models when `moe` is absent).
    public var computeScale: Double
    /// Multiplies memory and link efficiency and divides the per-step overhead.
    public var memoryScale: Double
    /// The scales fitted on the engine's MoE rows, when it has its own.
    public var moe: Scales?

    /// A pair of fitted scales.
    public struct Scales: Sendable, Hashable, Codable {
        public var computeScale: Double
        public var memoryScale: Double

        enum CodingKeys: String, CodingKey {
            case computeScale = "compute_scale"
            case memoryScale = "memory_scale"
        }
    }
    /// KV-cache precision the engine uses with 8-bit-or-narrower weights when none is stated.
    public var kvPrecisionNarrow: Precision?
    public var kvReason: String?
    /// Activation precision the engine uses with integer weights when none is stated.
    public var integerActivations: Precision?
    public var activationsReason: String?
    /// Share of the output's KV blocks held per sequence on average (1: reserved at admission; ½: taken as
    /// generated), with its source. Nil: 1.
    public var kvOutputReservation: Double?
    public var kvOutputReason: String?
    /// The scheduler's default cap on running sequences per replica (vLLM's `max_num_seqs`), with its source; a
    /// closed loop with more clients queues the rest. Nil: no cap beyond the KV capacity.
    public var maxRunningSequences: Int?
    /// The cap on chips with at least `largeMemoryGiB` of memory, when the engine's default depends on it.
    public var maxRunningSequencesLargeMemory: Int?
    public var largeMemoryGiB: Double?
    public var maxRunningReason: String?
    /// Whether the engine prefills each prompt whole in one iteration by default (no chunked prefill), with its
    /// source (`Deployment.wholePromptPrefill`). Nil: no.
    public var wholePromptPrefill: Bool?
    public var wholePromptReason: String?
    /// Whether the engine runs prefill and decode as separate iterations by default, with its source
    /// (`Deployment.separatePrefill`). Nil: no (prefills ride in the decode iterations).
    public var separatePrefill: Bool?
    public var separatePrefillReason: String?
    /// Whether the engine's decode steps send each token to each of its experts over the NIC (DeepEP's
    /// low-latency dispatch) at DP > 1, with its source (`Deployment.perExpertDispatch`). Nil: no.
    public var perExpertDispatch: Bool?
    public var perExpertDispatchReason: String?
    /// Whether the engine's pipeline sends every micro-batch's hidden state across each stage boundary and its
    /// FP32 logits back to rank 0 for sampling, with its source (`Deployment.pipelineLogitsToFirstRank`). Nil: no.
    public var pipelineLogitsToFirstRank: Bool?
    public var pipelineLogitsReason: String?
    /// How `computeScale` and `memoryScale` were set.
    public var fit: String

    enum CodingKeys: String, CodingKey {
        case id, engine, name, vendors, fit, moe
        case computeScale = "compute_scale"
        case memoryScale = "memory_scale"
        case kvPrecisionNarrow = "kv_precision_narrow"
        case kvReason = "kv_reason"
        case integerActivations = "integer_activations"
        case activationsReason = "activations_reason"
        case kvOutputReservation = "kv_output_reserved"
        case kvOutputReason = "kv_output_reason"
        case maxRunningSequences = "max_running_sequences"
        case maxRunningSequencesLargeMemory = "max_running_sequences_large_memory"
        case largeMemoryGiB = "large_memory_gib"
        case maxRunningReason = "max_running_reason"
        case wholePromptPrefill = "whole_prompt_prefill"
        case wholePromptReason = "whole_prompt_reason"
        case separatePrefill = "separate_prefill"
        case separatePrefillReason = "separate_prefill_reason"
        case perExpertDispatch = "per_expert_dispatch"
        case perExpertDispatchReason = "per_expert_dispatch_reason"
        case pipelineLogitsToFirstRank = "pipeline_logits_to_first_rank"
        case pipelineLogitsReason = "pipeline_logits_reason"
    }

    public init(
        id: String,
        engine: String,
        name: String,
        vendors: [String],
        computeScale: Double = 1,
        memoryScale: Double = 1,
        kvPrecisionNarrow: Precision? = nil,
        kvReason: String? = nil,
        integerActivations: Precision? = nil,
        activationsReason: String? = nil,
        fit: String
    ) {
        self.id = id
        self.engine = engine
        self.name = name
        self.vendors = vendors
        self.computeScale = computeScale
        self.memoryScale = memoryScale
        self.kvPrecisionNarrow = kvPrecisionNarrow
        self.kvReason = kvReason
        self.integerActivations = integerActivations
        self.activationsReason = activationsReason
        self.fit = fit
    }

    /// The factors with this profile's scales for the model's architecture applied: matrix × compute scale,
    /// memory and link × memory scale (each capped at 1, a peak cannot be beaten), step overhead ÷ memory scale.
    public func applied(to base: Efficiency, model: ModelArch) -> Efficiency {
        if model.moe != nil, let moe {
            return base.scaled(compute: moe.computeScale, memory: moe.memoryScale, profile: id)
        }
        return base.scaled(compute: computeScale, memory: memoryScale, profile: id)
    }

    /// A deployment with this profile's conventions that do not depend on what the caller states (KV block
    /// reservation, whole-prompt prefill).
    public func configure(_ deployment: Deployment) -> Deployment {
        var result = deployment
        result.kvOutputReservation = kvOutputReservation ?? 1
        result.wholePromptPrefill = wholePromptPrefill ?? false
        result.separatePrefill = separatePrefill ?? false
        result.perExpertDispatch = perExpertDispatch ?? false
        result.pipelineLogitsToFirstRank = pipelineLogitsToFirstRank ?? false
        return result
    }

    /// The engine's default cap on running sequences per replica on `chip` (nil: none).
    public func maxRunningSequences(on chip: Chip) -> Int? {
        guard let cap = maxRunningSequences else { return nil }
        if let large = maxRunningSequencesLargeMemory, let threshold = largeMemoryGiB,
            chip.memory.capacityBytes.value >= threshold * 1_073_741_824
        {
            return large
        }
        return cap
    }

    /// The KV precision to use when none is stated.
    public func kvPrecision(weights: Precision) -> Precision {
        if let narrow = kvPrecisionNarrow, weights.bitLength <= 8 { return narrow }
        return .bf16
    }

    /// The activation precision to use when none is stated.
    public func activationPrecision(weights: Precision) -> Precision {
        if weights.isInteger { return integerActivations ?? .bf16 }
        return weights
    }
}

extension Efficiency {
    /// These factors with matrix efficiency × `compute` and memory and link efficiency × `memory` (capped at 1),
    /// and the step overhead ÷ `memory`.
    public func scaled(compute: Double, memory: Double, profile: String?) -> Efficiency {
        var result = self
        result.matrix = min(1, matrix * compute)
        result.memory = min(1, self.memory * memory)
        result.interconnect = min(1, interconnect * memory)
        result.stepOverheadSeconds = stepOverheadSeconds / memory
        result.engineProfile = profile
        return result
    }
}

/// The engine profiles shipped with Parity.
public struct EngineProfiles: Sendable {
    public var profiles: [EngineProfile]
    /// Speculative methods' per-draft acceptance probability α (acceptance length 1 + α + … + α^k), used when a
    /// run does not print its acceptance length.
    public var acceptancePerDraft: [String: Double]
    /// Speculative methods whose draft head scores a vocabulary of its own (EAGLE-3's draft vocabulary); methods
    /// absent here use the target's output head.
    public var draftVocabulary: [String: Int]

    /// The scales fitted on each chip vendor's rows (all its engines), which the fallback profile takes on that
    /// vendor's chips: the vendor-class default.
    public var vendorFits: [VendorFit]

    /// One vendor's fitted scales (`vendor_fits` in engines.yaml).
    public struct VendorFit: Sendable, Hashable, Codable {
        public var vendor: String
        public var computeScale: Double
        public var memoryScale: Double
        /// The scales fitted on the vendor's MoE rows, when it has any.
        public var moe: EngineProfile.Scales?
        /// How the scales were set.
        public var fit: String

        public init(vendor: String, computeScale: Double, memoryScale: Double, moe: EngineProfile.Scales?, fit: String)
        {
            self.vendor = vendor
            self.computeScale = computeScale
            self.memoryScale = memoryScale
            self.moe = moe
            self.fit = fit
        }

        enum CodingKeys: String, CodingKey {
            case vendor, fit, moe
            case computeScale = "compute_scale"
            case memoryScale = "memory_scale"
        }
    }

    public init(
        profiles: [EngineProfile],
        acceptancePerDraft: [String: Double] = [:],
        draftVocabulary: [String: Int] = [:],
        vendorFits: [VendorFit] = []
    ) {
        self.profiles = profiles
        self.acceptancePerDraft = acceptancePerDraft
        self.draftVocabulary = draftVocabulary
        self.vendorFits = vendorFits
    }

    /// Reads `Resources/engines.yaml`.
    public static func builtIn() throws -> EngineProfiles {
        guard
            let url = Bundle.module.url(forResource: "Resources", withExtension: nil)?
                .appendingPathComponent("engines.yaml"),
            let data = FileManager.default.contents(atPath: url.path),
            let text = String(data: data, encoding: .utf8)
        else {
            throw PerfModelError.invalid("engines.yaml is missing from the performance model's resources")
        }
        return try decode(text)
    }

    /// Reads profiles from engines.yaml text.
    public static func decode(_ text: String) throws -> EngineProfiles {
        struct Method: Decodable {
            var method: String
            var acceptance_per_draft: Double
            var source: String
            var draft_vocab: Int?
            var draft_vocab_source: String?
        }
        struct Document: Decodable {
            var profiles: [EngineProfile]
            var speculation: [Method]?
            var vendor_fits: [VendorFit]?
        }
        let document = try SafeYAML.decode(Document.self, from: text, file: "engines.yaml")
        guard document.profiles.contains(where: { $0.id == "default" }) else {
            throw PerfModelError.invalid("engines.yaml has no 'default' profile")
        }
        var rates: [String: Double] = [:]
        var vocabularies: [String: Int] = [:]
        for method in document.speculation ?? [] {
            rates[method.method] = method.acceptance_per_draft
            if let vocabulary = method.draft_vocab {
                guard vocabulary > 0, method.draft_vocab_source != nil else {
                    throw PerfModelError.invalid(
                        "engines.yaml: speculation method '\(method.method)' needs a positive draft_vocab with a draft_vocab_source"
                    )
                }
                vocabularies[method.method] = vocabulary
            }
        }
        return EngineProfiles(
            profiles: document.profiles,
            acceptancePerDraft: rates,
            draftVocabulary: vocabularies,
            vendorFits: document.vendor_fits ?? []
        )
    }

    /// The acceptance length of `proposed` draft tokens of a speculative method with no printed figure:
    /// 1 + α + … + α^k with the method's per-draft acceptance α. Nil for a method without one.
    public func acceptanceLength(method: String, proposed: Int) -> Double? {
        guard let rate = acceptancePerDraft[method] else { return nil }
        return (0...max(0, proposed)).reduce(0) { $0 + Foundation.pow(rate, Double($1)) }
    }

    /// Engine ids with a profile.
    public var engines: [String] { Array(Set(profiles.map(\.engine)).subtracting(["default"])).sorted() }

    /// The profile for an engine on a chip: the engine's profile for the chip's vendor, or the fallback with a
    /// remark saying so. `nil` engine means none was named: the fallback, silently. The fallback takes the scales
    /// fitted on the chip vendor's rows where `vendor_fits` has them (the vendor-class default), else the all-row
    /// fit that the `default` profile records.
    public func profile(engine: String?, chip: Chip) -> (profile: EngineProfile, remark: String?) {
        var fallback =
            profiles.first { $0.id == "default" }
            ?? EngineProfile(
                id: "default",
                engine: "default",
                name: "vendor-class default",
                vendors: [],
                fit: "built-in"
            )
        if let vendor = vendorFits.first(where: { $0.vendor == chip.vendor }) {
            fallback.name = "vendor-class default (\(vendor.vendor) fit)"
            fallback.computeScale = vendor.computeScale
            fallback.memoryScale = vendor.memoryScale
            fallback.moe = vendor.moe
            fallback.fit = vendor.fit
        }
        guard let engine else { return (fallback, nil) }
        if let match = profiles.first(where: { $0.engine == engine && $0.vendors.contains(chip.vendor) }) {
            return (match, nil)
        }
        return (fallback, "no \(engine) profile for \(chip.vendor) chips: the vendor-class default applies")
    }
}
