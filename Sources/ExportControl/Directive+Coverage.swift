public import Catalogue

extension Directive {
    /// Why a directive reaches a chip: it names the chip, or it names a class the chip is (or may be) in.
    public struct Coverage: Sendable, Hashable, Codable {
        /// "names h20", "covers 3A090.a (h200-sxm: 3A090.a.1)".
        public var reason: String
        /// `false` when the chip only may be in a named class (the class is undetermined or rests on an
        /// estimate without a range); the directive then applies if the class is confirmed.
        public var isCertain: Bool
    }

    /// Whether this directive's chips or classes reach `chip`, given its classification. Chips and classes are a
    /// union; a class rule reaches only the markets it lists.
    public func coverage(of chip: Chip, classification: Classification?) -> Coverage? {
        if scope.chips.contains(chip.id) { return Coverage(reason: "names \(chip.id)", isCertain: true) }
        guard !scope.classes.isEmpty, scope.markets.isEmpty || scope.markets.contains(chip.market),
            let classification
        else { return nil }
        let matched = scope.classes.filter { classification.possibleClasses.contains($0) }
        guard let first = matched.first else { return nil }
        if classification.isDetermined, !classification.isEstimateDecisive {
            return Coverage(
                reason: "covers \(first) (\(chip.id): \(classification.decidingClause ?? first))",
                isCertain: true
            )
        }
        if classification.isDetermined {
            return Coverage(
                reason:
                    "covers \(first) (\(chip.id): \(classification.decidingClause ?? first)); the class rests on estimated figures (\(classification.decisiveEstimatedInputs.joined(separator: ", "))), so confirm with the supplier",
                isCertain: false
            )
        }
        return Coverage(
            reason:
                "may cover \(chip.id): its class is \(classification.eccnClass) (\(classification.possibleClasses.joined(separator: " / ")) reachable; \(classification.uncertainty ?? classification.explanation)); applies if it is \(matched.joined(separator: " or "))",
            isCertain: false
        )
    }
}
