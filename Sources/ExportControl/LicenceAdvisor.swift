public import Catalogue
import Foundation

/// Works out a `LicenceOutlook` from the 3A090 rule, the US licence-policy data and the directives.
public struct LicenceAdvisor: Sendable {
    public var classifier: Classifier
    public var policy: LicencePolicy
    public var directives: [Directive]
    /// The catalogue, for rules that compare a chip with a named one (the H20 test of the is-informed letters).
    public var chips: [Chip]

    public init(classifier: Classifier, policy: LicencePolicy, directives: [Directive], chips: [Chip]) {
        self.classifier = classifier
        self.policy = policy
        self.directives = directives
        self.chips = chips
    }

    /// The built-in rule, policy and directives.
    public static func builtIn(chips: [Chip], directives: [Directive]) throws -> LicenceAdvisor {
        LicenceAdvisor(
            classifier: Classifier(rule: try ExportRule.builtIn()),
            policy: try LicencePolicy.builtIn(),
            directives: directives,
            chips: chips
        )
    }

    public func outlook(for chip: Chip, destination: String, on date: Day) -> LicenceOutlook {
        outlook(for: chip, classification: classifier.classify(chip), destination: destination, on: date)
    }

    public func outlook(
        for chip: Chip,
        classification: Classification,
        destination: String,
        on date: Day
    ) -> LicenceOutlook {
        let place = destination.uppercased()
        let us = usSide(chip, classification, place, date)
        let china = chinaSide(chip, classification, place, date)
        let access = ([us.access] + china.map(\.access)).max() ?? .open
        var summary = "US: \(us.licence)"
        if let tier = us.policy { summary += ", \(tier)" }
        if !us.conditions.isEmpty { summary += " (\(us.conditions.count) conditions)" }
        let named = us.namedRules.filter { $0.access >= .review }
        if !named.isEmpty { summary += "; " + named.map { "\($0.id): \($0.effect)" }.joined(separator: ", ") }
        let binding = china.filter { $0.condition == nil }
        if binding.isEmpty {
            summary += "; China: no chip-specific directive"
        } else {
            summary +=
                "; China: "
                + binding.map {
                    "\($0.effect) (\($0.id)\($0.standing.kind == .unknown ? ", status unknown after \($0.standing.lastConfirmed.map(\.description) ?? "?") — review" : ""))"
                }.joined(separator: ", ")
        }
        let conditional = china.filter { $0.condition != nil }.count + us.buyerRules.count
        if conditional > 0 { summary += "; \(conditional) more apply only to some buyers" }
        return LicenceOutlook(
            chipID: chip.id,
            chipName: chip.name,
            destination: place,
            date: date,
            classification: classification,
            us: us,
            china: china,
            summary: summary,
            access: access
        )
    }

    // MARK: - US side

    func usSide(_ chip: Chip, _ classification: Classification, _ place: String, _ date: Day) -> LicenceOutlook.USSide {
        let usOrigin = chip.market != .domesticChina
        let controlled = ["3A090.a", "3A090.b"].filter { classification.possibleClasses.contains($0) }
        let certain = classification.isDetermined && !classification.isEstimateDecisive
        var licence: String
        var tierPolicy: String?
        var basis: String?
        var conditions: [String] = []
        var access = LicenceOutlook.Access.open
        let review = policy.rules.first {
            !$0.tiers.isEmpty && $0.destinations.contains { policy.country(place, isIn: $0) }
        }
        let threeA090Effective = Day("2023-11-17")!
        if !usOrigin {
            licence = "not applicable (not of US origin)"
        } else if controlled.isEmpty {
            licence = "not required by 3A090 (\(classification.eccnClass))"
        } else if review == nil || date < threeA090Effective {
            licence = certain ? "not required for \(place) by the 3A090 review rules held" : "not required for \(place)"
        } else {
            licence =
                certain
                ? "required (\(classification.eccnClass))"
                : "required if \(controlled.joined(separator: " or ")) (class \(classification.eccnClass))"
            if let review {
                let tier = self.tier(review, chip, classification, date)
                tierPolicy = tier.policy
                basis = tier.basis
                conditions = tier.conditions
                access = tier.policy.hasPrefix("presumption-of-denial") ? .blocked : .conditional
                // An undetermined class, or one resting on estimates, may not need the licence at all: review.
                if !certain { access = .review }
            }
        }
        var named: [LicenceOutlook.Item] = []
        var buyer: [LicenceOutlook.Item] = []
        for rule in policy.rules where rule.tiers.isEmpty {
            let standing = rule.standing(on: date)
            guard standing.kind != .notYetEffective, standing.kind != .doesNotApply else { continue }
            let reachesPlace =
                rule.destinations.isEmpty || rule.destinations.contains { policy.country(place, isIn: $0) }
                || rule.destinations.contains("WORLDWIDE-OUTSIDE-US")
            var reason: String?
            if rule.chips.contains(chip.id) {
                reason = "names \(chip.id)"
            } else if let catches = rule.alsoCatches, usOrigin, let match = caught(chip, by: catches) {
                reason = match
            } else if !rule.origin.isEmpty, !usOrigin, !controlled.isEmpty {
                reason =
                    "reaches PRC-designed 3A090 ICs (\(chip.id): \(classification.eccnClass)); the named chips are examples, not a full list"
            }
            let policyText = rule.policy ?? "see rule"
            let itemAccess = itemAccess(policy: policyText, standing: standing)
            if let reason, reachesPlace || !rule.origin.isEmpty {
                named.append(
                    .init(
                        id: rule.id,
                        title: rule.title,
                        effect: policyText,
                        standing: standing,
                        reason: reason,
                        condition: nil,
                        source: rule.source.url,
                        sourceKind: rule.source.kind,
                        access: itemAccess
                    )
                )
                continue
            }
            guard usOrigin, !controlled.isEmpty else { continue }
            var condition: String?
            if !rule.endUserHeadquarters.isEmpty {
                condition =
                    "headquartered in (or with an ultimate parent in) \(rule.endUserHeadquarters.joined(separator: " or ")), wherever it is located"
            } else if let percent = rule.ownershipThresholdPercent {
                condition = "at least \(Int(percent)) % owned by listed parties (Entity List, MEU List, SDN)"
            }
            if let condition, rule.chips.isEmpty {
                buyer.append(
                    .init(
                        id: rule.id,
                        title: rule.title,
                        effect: policyText,
                        standing: standing,
                        reason: "reaches \(controlled.joined(separator: " / ")) items",
                        condition: "applies if the buyer is \(condition)",
                        source: rule.source.url,
                        sourceKind: rule.source.kind,
                        access: max(.review, itemAccess)
                    )
                )
            }
        }
        access = ([access] + named.map(\.access)).max() ?? access
        // A rule naming the chip (the is-informed letters) requires a licence even where 3A090 does not.
        let naming = named.filter { $0.effect == "licence-required" && !$0.reason.hasPrefix("reaches PRC") }
        if usOrigin, tierPolicy == nil, !naming.isEmpty {
            licence =
                "required by \(naming.map(\.id).joined(separator: ", ")) (\(naming[0].reason)); 3A090: \(classification.eccnClass)"
        }
        return .init(
            licence: licence,
            policy: tierPolicy,
            policyBasis: basis,
            conditions: conditions,
            namedRules: named,
            buyerRules: buyer,
            access: access
        )
    }

    func itemAccess(policy: String, standing: Directive.Standing) -> LicenceOutlook.Access {
        if standing.kind == .unknown { return .review }
        switch policy {
        case "presumption-of-denial": return .blocked
        case "superseded": return .open
        default: return .conditional
        }
    }

    /// The first review tier of `rule` that holds for the chip on `date`, or the policy before the rule took
    /// effect; with the thresholds and dates that decide, and the conditions of that tier.
    public func tier(
        _ rule: LicencePolicy.Rule,
        _ chip: Chip,
        _ classification: Classification,
        _ date: Day
    ) -> (policy: String, basis: String, conditions: [String]) {
        if date < rule.effective {
            let before = rule.before ?? "presumption-of-denial"
            return (
                before,
                "before \(rule.id) took effect on \(rule.effective): \(before) (\(rule.beforeSource?.citation ?? rule.beforeSource?.url ?? "earlier rule"))",
                []
            )
        }
        let standing = rule.standing(on: date)
        var notes: [String] = []
        if standing.kind == .unknown { notes.append(standing.explanation) }
        for tier in rule.tiers {
            var holds = true
            var uncertain: [String] = []
            var why: [String] = []
            if let below = tier.when.tppBelow {
                if classification.tppHigh < below {
                    why.append("TPP \(format(classification.tpp)) < \(format(below))")
                } else if classification.tppLow >= below {
                    holds = false
                } else {
                    uncertain.append(
                        "TPP (\(format(classification.tppLow))–\(format(classification.tppHigh))) < \(format(below))"
                    )
                }
            }
            if let below = tier.when.dramBandwidthBelowGBps {
                let bandwidth = chip.memory.bandwidthBytesPerSecond
                let value = bandwidth.value / 1e9
                let low = (bandwidth.lower ?? bandwidth.value) / 1e9
                let high = (bandwidth.upper ?? bandwidth.value) / 1e9
                if high < below {
                    why.append("DRAM bandwidth \(format(value)) GB/s < \(format(below))")
                } else if low >= below {
                    holds = false
                } else {
                    uncertain.append("DRAM bandwidth (\(format(low))–\(format(high)) GB/s) < \(format(below))")
                }
            }
            if let day = tier.when.commerciallyAvailableInUSOn {
                // The catalogue's market stands in for US availability: a global part sold before the day qualifies,
                // a China-specific one was never sold in the US.
                let available = chip.market == .global && (firstAvailable(chip).map { $0 <= day } ?? false)
                if available {
                    why.append(
                        "commercially available in the US on \(day) (global part, announced \(firstAvailable(chip)?.description ?? "?"))"
                    )
                } else {
                    holds = false
                }
            }
            if let from = tier.when.exportFrom {
                why.append("export from \(from) only (reexports and in-country transfers stay presumption of denial)")
            }
            guard holds else { continue }
            let conditions = tier.conditions.map(\.text)
            if !uncertain.isEmpty {
                let fallback = rule.tiers.last?.policy ?? "presumption-of-denial"
                return (
                    "\(tier.policy) if \(uncertain.joined(separator: " and ")), else \(fallback)",
                    (why + notes).joined(separator: "; "),
                    conditions
                )
            }
            return (
                tier.policy,
                (["\(rule.id) (\(rule.citation ?? rule.source.url)), in force from \(rule.effective)"] + why + notes)
                    .joined(separator: "; "),
                conditions
            )
        }
        return ("presumption-of-denial", "no tier of \(rule.id) holds", [])
    }

    /// The earliest day the chip is known to have existed: its announcement, else 1 January of its launch year.
    func firstAvailable(_ chip: Chip) -> Day? {
        if let announced = chip.announced?.value { return announced }
        return chip.launchYear.flatMap { Day(String(format: "%04d-01-01", $0.value)) }
    }

    /// The is-informed letters' test: a chip reaching the named chip's memory or interconnect bandwidth.
    func caught(_ chip: Chip, by catches: LicencePolicy.AlsoCatches) -> String? {
        guard chip.id != catches.referenceChip, let reference = chips.first(where: { $0.id == catches.referenceChip })
        else { return nil }
        var reasons: [String] = []
        if catches.parameters.contains("memory_bandwidth"),
            chip.memory.bandwidthBytesPerSecond.value >= reference.memory.bandwidthBytesPerSecond.value
        {
            reasons.append(
                "memory bandwidth \(format(chip.memory.bandwidthBytesPerSecond.value / 1e9)) GB/s ≥ \(reference.id)'s \(format(reference.memory.bandwidthBytesPerSecond.value / 1e9))"
            )
        }
        if catches.parameters.contains("interconnect_bandwidth"),
            let own = chip.scaleUp?.bandwidthBytesPerSecond?.value,
            let theirs = reference.scaleUp?.bandwidthBytesPerSecond?.value, own >= theirs
        {
            reasons.append("interconnect \(format(own / 1e9)) GB/s ≥ \(reference.id)'s \(format(theirs / 1e9))")
        }
        guard !reasons.isEmpty else { return nil }
        return "caught by its test, \"\(catches.text)\": \(reasons.joined(separator: ", "))"
    }

    // MARK: - China side

    func chinaSide(
        _ chip: Chip,
        _ classification: Classification,
        _ place: String,
        _ date: Day
    ) -> [LicenceOutlook.Item] {
        var items: [LicenceOutlook.Item] = []
        for directive in directives where directive.jurisdiction != "US" && directive.scope.covers(country: place) {
            let standing = directive.standing(on: date)
            // A positive list (Xinchuang) that favours the chip's vendor or the chip itself.
            if let favoured = directive.favoured, standing.kind == .applies || standing.kind == .unknown,
                favoured.chips.contains(chip.id)
                    || favoured.vendors.contains(where: { $0.lowercased() == chip.vendorSlug })
            {
                items.append(
                    .init(
                        id: directive.id,
                        title: directive.title,
                        effect: "favoured",
                        standing: standing,
                        reason: "its positive list favours \(chip.vendor)",
                        condition: directive.scope.buyer.map { "for buyers that are \($0.description)" },
                        source: directive.source,
                        sourceKind: directive.sourceKind,
                        access: .open
                    )
                )
                continue
            }
            guard standing.kind == .applies || standing.kind == .unknown,
                let coverage = directive.coverage(of: chip, classification: classification)
            else { continue }
            var access: LicenceOutlook.Access =
                switch directive.effect {
                case .prohibited: .blocked
                case .licenceRequired, .discouraged: .conditional
                }
            if standing.kind == .unknown || !coverage.isCertain { access = min(access, .review) }
            var reason = coverage.reason
            if standing.status == .reportedNotConfirmed { reason += "; known from press reports only" }
            items.append(
                .init(
                    id: directive.id,
                    title: directive.title,
                    effect: directive.effect.rawValue,
                    standing: standing,
                    reason: reason,
                    condition: directive.scope.buyer.map { "applies if the buyer is \($0.description)" },
                    source: directive.source,
                    sourceKind: directive.sourceKind,
                    access: directive.scope.buyer == nil ? access : min(access, .review)
                )
            )
        }
        return items
    }
}
