public import Catalogue
import ExportControl

/// What a buyer in one place could obtain of a reference chip on the assessment date, and under what: the US
/// side (class, licence, review policy and its conditions) and the China side (directives in force or reported).
public struct ReferenceAccess: Sendable, Hashable, Codable {
    public var chip: String
    public var name: String
    /// ISO code of the buyer's country.
    public var destination: String
    public var date: Day
    /// `open`, `conditional`, `review` or `blocked` (`LicenceOutlook.Access`).
    public var access: String
    public var eccnClass: String
    public var usLicence: String
    public var usPolicy: String?
    public var conditions: [String]
    /// Rules that name the chip, one line each: "id: effect (standing)".
    public var namedRules: [String]
    /// China-side directives reaching the chip, one line each.
    public var china: [String]
    public var summary: String

    /// The references of the built-in assessment: NVIDIA's China parts (H20 96 GB and 141 GB, RTX Pro 6000D)
    /// and the H200, which Chinese buyers may obtain under a US case-by-case licence from 15 Jan 2026.
    public static let builtInReferences = ["h20", "h20-141gb", "rtx-pro-6000d", "h200-sxm"]

    /// One entry per reference, from the built-in 3A090 rule and licence policy and the given directives.
    public static func evaluate(
        references: [Chip],
        catalogue: [Chip],
        directives: [Directive],
        destination: String = "CN",
        on date: Day
    ) throws -> [ReferenceAccess] {
        let advisor = try LicenceAdvisor.builtIn(chips: catalogue, directives: directives)
        return references.map { chip in
            let outlook = advisor.outlook(for: chip, destination: destination, on: date)
            let line = { (item: LicenceOutlook.Item) -> String in
                var text = "\(item.id): \(item.effect) (\(item.standing.explanation))"
                if let condition = item.condition { text += "; \(condition)" }
                return text
            }
            return ReferenceAccess(
                chip: chip.id,
                name: chip.name,
                destination: outlook.destination,
                date: date,
                access: outlook.access.rawValue,
                eccnClass: outlook.classification.eccnClass,
                usLicence: outlook.us.licence,
                usPolicy: outlook.us.policy,
                conditions: outlook.us.conditions,
                namedRules: outlook.us.namedRules.map(line),
                china: outlook.china.map(line),
                summary: outlook.summary
            )
        }
    }
}
