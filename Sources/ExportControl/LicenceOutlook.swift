public import Catalogue

/// What a buyer in one place could expect for one chip on one day: the US side (class, licence requirement,
/// review-policy tier with its conditions, rules that name the chip, rules that turn on the buyer) and the China
/// side (directives in force, reported, or of unknown status).
public struct LicenceOutlook: Sendable, Hashable, Codable {
    public static let currentSchema = "parity.outlook/1"
    public var schema = currentSchema
    public var chipID: String
    public var chipName: String
    /// ISO code of the buyer's country (the export destination).
    public var destination: String
    public var date: Day
    public var classification: Classification
    public var us: USSide
    public var china: [Item]
    /// One line for tables: what the buyer can get, and under what.
    public var summary: String

    /// How obtainable the chip is, the worse of the two sides.
    public enum Access: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Neither side restricts it for this place and day.
        case open
        /// Obtainable, with conditions or warnings to heed (a case-by-case licence, a discouraging guidance).
        case conditional
        /// A rule or report whose status or reach is not known on the day: review before relying on it.
        case review
        /// A presumption of denial, or a prohibition in force.
        case blocked

        public static func < (a: Access, b: Access) -> Bool {
            let order = Access.allCases
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    public var access: Access

    public struct USSide: Sendable, Hashable, Codable {
        /// Whether the US requires a licence for this chip to this destination: `required`, `not required`,
        /// `required if 3A090 (class undetermined)`, or `not applicable (not of US origin)`.
        public var licence: String
        /// The review-policy tier (`case-by-case`, `presumption-of-denial`), when a licence is required.
        public var policy: String?
        /// Why that tier: the thresholds and dates that decide.
        public var policyBasis: String?
        /// Conditions of a case-by-case licence.
        public var conditions: [String]
        /// Rules that name the chip (or catch it by a parameter test), and guidance on PRC-designed chips.
        public var namedRules: [Item]
        /// Rules that turn on the buyer (headquarters, ownership by listed parties).
        public var buyerRules: [Item]
        public var access: Access
    }

    /// One rule or directive as it stands for this chip on the day.
    public struct Item: Sendable, Hashable, Codable {
        public var id: String
        public var title: String
        /// `prohibited`, `licence-required`, `presumption-of-denial`, `case-by-case`, `discouraged`, …
        public var effect: String
        public var standing: Directive.Standing
        /// Why it reaches this chip.
        public var reason: String
        /// "applies if the buyer is …", when the rule turns on facts about the buyer.
        public var condition: String?
        public var source: String
        public var sourceKind: Chip.Source.Kind?
        public var access: Access
    }
}
