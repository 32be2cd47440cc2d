public import Catalogue
public import Foundation

/// US licence requirements and review policies for advanced-computing items, as data
/// (`licence-policy.yaml`): each rule with its legal source, effective date, status over time and the words relied on.
public struct LicencePolicy: Sendable, Equatable {
    /// A document reference with the kind of document it is.
    public struct Reference: Sendable, Equatable, Codable {
        public var url: String
        public var kind: Chip.Source.Kind?
        public var citation: String?
        public var publisher: String?
    }

    public struct Condition: Sendable, Equatable, Codable {
        public var id: String
        public var text: String
        public var quote: String?
    }

    /// When a review tier applies: every stated bound must hold; an empty `when` always holds.
    public struct When: Sendable, Equatable, Codable {
        public var tppBelow: Double?
        public var dramBandwidthBelowGBps: Double?
        /// Where the export ships from (`US`); the tier reaches exports from there only.
        public var exportFrom: String?
        /// The item must have been commercially available in the US on this day.
        public var commerciallyAvailableInUSOn: Day?
    }

    public struct Tier: Sendable, Equatable, Codable {
        /// `case-by-case`, `presumption-of-denial`, …
        public var policy: String
        public var when: When
        public var conditions: [Condition]
        public var quote: String?
        public var note: String?
    }

    public struct Rule: Sendable, Equatable, Codable, Identifiable {
        public var id: String
        public var title: String
        public var citation: String?
        public var source: Reference
        public var also: [Reference]
        public var issued: Day?
        public var published: Day?
        public var effective: Day
        public var status: Directive.Status
        public var statusHistory: [Directive.StatusChange]
        public var scheduled: [Directive.StatusChange]
        public var lastConfirmed: Day?
        /// Destinations (ISO codes, `D:5`, `worldwide-outside-US`).
        public var destinations: [String]
        public var exportFrom: [String]
        public var appliesTo: String?
        /// Chips the rule names (catalogue ids); `chipsNotInCatalogue` are named too but not in the catalogue.
        public var chips: [String]
        public var chipsNotInCatalogue: [String]
        public var classes: [String]
        /// Where the chips a rule reaches were designed (PRC-origin guidance: `CN`, `MO`, `D:5`).
        public var origin: [String]
        /// Buyer headquarters (or ultimate parent) that bring a buyer in scope wherever it is.
        public var endUserHeadquarters: [String]
        /// Ownership share by listed parties that brings a buyer in scope (the Affiliates rule).
        public var ownershipThresholdPercent: Double?
        /// Review tiers, first match wins.
        public var tiers: [Tier]
        /// The policy for the same items before `effective`.
        public var before: String?
        public var beforeSource: Reference?
        /// The rule's own policy when it has no tiers (`licence-required`, `presumption-of-denial`, …).
        public var policy: String?
        /// Catch-all test of a named-chip rule, e.g. "any other circuits achieving the H20's memory bandwidth".
        public var alsoCatches: AlsoCatches?
        public var exemption: String?
        public var quotes: [String]
        public var note: String?

        /// The rule's standing on `day`, by the same rules as a directive's.
        public func standing(on day: Day) -> Directive.Standing {
            asDirective.standing(on: day)
        }

        /// The rule as a directive, to share the status-over-time logic.
        var asDirective: Directive {
            Directive(
                id: id,
                title: title,
                issuer: "US",
                jurisdiction: "US",
                issued: issued ?? effective,
                effective: effective,
                status: status,
                statusHistory: statusHistory,
                scheduled: scheduled,
                lastConfirmed: lastConfirmed,
                effect: .licenceRequired,
                severity: .warning,
                source: source.url,
                scope: .init(countries: destinations, chips: chips, classes: classes, actions: [.export])
            )
        }
    }

    public struct AlsoCatches: Sendable, Equatable, Codable {
        public var referenceChip: String
        public var parameters: [String]
        public var text: String
    }

    public var version: Int
    public var asOf: Day?
    public var rules: [Rule]
    /// Country groups by name (`D:5` → ISO codes), to read group entries in destinations and headquarters.
    public var countryGroups: [String: [String]] = [:]

    /// Whether `country` is `entry` or belongs to the group `entry` names.
    public func country(_ country: String, isIn entry: String) -> Bool {
        let code = country.uppercased()
        if entry.uppercased() == code || entry == "*" { return true }
        return countryGroups[entry]?.contains(code) ?? false
    }

    public func rule(_ id: String) -> Rule? { rules.first { $0.id == id } }

    /// The built-in policy file shipped with Parity.
    public static func builtIn() throws -> LicencePolicy {
        guard
            let url = Bundle.module.url(forResource: "Resources/licence-policy", withExtension: "yaml")
                ?? Bundle.module.url(forResource: "Resources", withExtension: nil)?.appendingPathComponent(
                    "licence-policy.yaml"
                )
        else {
            throw ExportControlError(message: "the built-in licence-policy.yaml is missing from the package resources")
        }
        return try load(url)
    }

    /// Loads a policy file.
    public static func load(_ url: URL) throws -> LicencePolicy {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try decode(text: text, file: url.lastPathComponent)
    }

    /// Parses policy text; every rule needs an id, title, source, effective date and a known status.
    public static func decode(text: String, file: String) throws -> LicencePolicy {
        let document = try SafeYAML.decode(PolicyDocument.self, from: text, file: file)
        return try document.policy(file: file)
    }
}

// MARK: - YAML layout

private struct PolicyDocument: Decodable {
    struct Ref: Decodable {
        var url: String
        var kind: String?
        var citation: String?
        var publisher: String?
    }
    struct Change: Decodable {
        var date: Day
        var status: String
        var until: Day?
        var note: String?
        var basis: String?
        var source: String?
        var confirmed: Bool?
    }
    struct ConditionDocument: Decodable {
        var id: String
        var text: String
        var quote: String?
    }
    struct WhenDocument: Decodable {
        var tpp_below: Double?
        var dram_bandwidth_below_gbps: Double?
        var export_from: String?
        var commercially_available_in_us_on: Day?
    }
    struct TierDocument: Decodable {
        var policy: String
        var when: WhenDocument?
        var conditions: [ConditionDocument]?
        var quote: String?
        var note: String?
    }
    struct QuoteDocument: Decodable {
        var text: String
    }
    struct CatchDocument: Decodable {
        var reference_chip: String
        var parameters: [String]
        var text: String
    }
    struct RuleDocument: Decodable {
        var id: String
        var title: String
        var citation: String?
        var source: Ref
        var also: [Ref]?
        var issued: Day?
        var published: Day?
        var effective: Day
        var status: String
        var status_history: [Change]?
        var scheduled: [Change]?
        var last_confirmed: Day?
        var destinations: [String]?
        var export_from: [String]?
        var applies_to: String?
        var chips: [String]?
        var chips_not_in_catalogue: [String]?
        var classes: [String]?
        var origin: [String]?
        var end_user_headquarters: [String]?
        var ownership_threshold_percent: Double?
        var tiers: [TierDocument]?
        var before: String?
        var before_source: Ref?
        var policy: String?
        var also_catches: CatchDocument?
        var exemption: String?
        var quotes: [QuoteDocument]?
        var note: String?
    }
    struct GroupsDocument: Decodable {
        var groups: [String: [String]]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            var groups: [String: [String]] = [:]
            for key in container.allKeys where key.stringValue != "source" {
                groups[key.stringValue] = try container.decode([String].self, forKey: key).map { $0.uppercased() }
            }
            self.groups = groups
        }
    }
    var version: Int?
    var as_of: Day?
    var country_groups: GroupsDocument?
    var rules: [RuleDocument]

    func policy(file: String) throws -> LicencePolicy {
        func reference(_ ref: Ref, _ where: String) throws -> LicencePolicy.Reference {
            var kind: Chip.Source.Kind?
            if let text = ref.kind {
                guard let parsed = Chip.Source.Kind(rawValue: text) else {
                    throw ExportControlError(
                        message:
                            "\(file): \(`where`): source kind '\(text)' is not one of vendor, regulator, filing, paper, press, aggregator"
                    )
                }
                kind = parsed
            }
            return .init(url: ref.url, kind: kind, citation: ref.citation, publisher: ref.publisher)
        }
        func status(_ text: String, _ where: String) throws -> Directive.Status {
            guard let status = Directive.Status(rawValue: text) else {
                let known = Directive.Status.allCases.map(\.rawValue).joined(separator: ", ")
                throw ExportControlError(message: "\(file): \(`where`): status '\(text)' is not one of \(known)")
            }
            return status
        }
        func changes(_ list: [Change]?, _ where: String, confirmed: Bool) throws -> [Directive.StatusChange] {
            try (list ?? []).map {
                Directive.StatusChange(
                    date: $0.date,
                    status: try status($0.status, `where`),
                    until: $0.until,
                    note: $0.note ?? $0.basis,
                    source: $0.source,
                    confirmed: $0.confirmed ?? confirmed
                )
            }
        }
        var seen: Set<String> = []
        let rules = try rules.map { rule -> LicencePolicy.Rule in
            guard seen.insert(rule.id).inserted else {
                throw ExportControlError(message: "\(file): rule '\(rule.id)' is defined twice")
            }
            return LicencePolicy.Rule(
                id: rule.id,
                title: rule.title,
                citation: rule.citation,
                source: try reference(rule.source, "\(rule.id).source"),
                also: try (rule.also ?? []).map { try reference($0, "\(rule.id).also") },
                issued: rule.issued,
                published: rule.published,
                effective: rule.effective,
                status: try status(rule.status, "\(rule.id).status"),
                statusHistory: try changes(rule.status_history, "\(rule.id).status_history", confirmed: true),
                scheduled: try changes(rule.scheduled, "\(rule.id).scheduled", confirmed: false),
                lastConfirmed: rule.last_confirmed,
                destinations: (rule.destinations ?? []).map { $0.uppercased() },
                exportFrom: rule.export_from ?? [],
                appliesTo: rule.applies_to,
                chips: rule.chips ?? [],
                chipsNotInCatalogue: rule.chips_not_in_catalogue ?? [],
                classes: rule.classes ?? [],
                origin: rule.origin ?? [],
                endUserHeadquarters: rule.end_user_headquarters ?? [],
                ownershipThresholdPercent: rule.ownership_threshold_percent,
                tiers: (rule.tiers ?? []).map { tier in
                    LicencePolicy.Tier(
                        policy: tier.policy,
                        when: .init(
                            tppBelow: tier.when?.tpp_below,
                            dramBandwidthBelowGBps: tier.when?.dram_bandwidth_below_gbps,
                            exportFrom: tier.when?.export_from,
                            commerciallyAvailableInUSOn: tier.when?.commercially_available_in_us_on
                        ),
                        conditions: (tier.conditions ?? []).map { .init(id: $0.id, text: $0.text, quote: $0.quote) },
                        quote: tier.quote,
                        note: tier.note
                    )
                },
                before: rule.before,
                beforeSource: try rule.before_source.map { try reference($0, "\(rule.id).before_source") },
                policy: rule.policy,
                alsoCatches: rule.also_catches.map {
                    .init(referenceChip: $0.reference_chip, parameters: $0.parameters, text: $0.text)
                },
                exemption: rule.exemption,
                quotes: (rule.quotes ?? []).map(\.text),
                note: rule.note
            )
        }
        return LicencePolicy(
            version: version ?? 1,
            asOf: as_of,
            rules: rules,
            countryGroups: country_groups?.groups ?? [:]
        )
    }
}
