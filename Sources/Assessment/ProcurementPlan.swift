public import Catalogue
import Foundation
import Yams

/// A purchase order or a test-campaign plan: lines of chip, quantity, purpose, organisation and date.
public struct ProcurementPlan: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case order, campaign, deployment

        /// The action a line of this kind of plan performs.
        public var action: Directive.Action {
            switch self {
            case .order: .order
            case .campaign: .test
            case .deployment: .deploy
            }
        }
    }

    /// Facts about the buyer that decide directives reaching only some buyers (state funding, ownership,
    /// headquarters). A fact left out stays unknown, and such a directive is reported as "applies if …".
    public struct Buyer: Sendable, Hashable, Codable {
        /// Kinds the buyer is, in the directives' words: `state-funded-data-centre`, `government`,
        /// `state-owned-enterprise`, `publicly-owned-computing-hub`, `private-company`.
        public var types: [String]?
        /// ISO code of the headquarters country.
        public var headquarters: String?
        /// ISO code of the ultimate parent's headquarters.
        public var ultimateParent: String?
        /// Percent owned by parties on the Entity List, MEU List or SDN lists.
        public var ownedByListedPartiesPercent: Double?
        /// For a data-centre project: percent complete.
        public var projectCompletionPercent: Double?

        public init(
            types: [String]? = nil,
            headquarters: String? = nil,
            ultimateParent: String? = nil,
            ownedByListedPartiesPercent: Double? = nil,
            projectCompletionPercent: Double? = nil
        ) {
            self.types = types
            self.headquarters = headquarters
            self.ultimateParent = ultimateParent
            self.ownedByListedPartiesPercent = ownedByListedPartiesPercent
            self.projectCompletionPercent = projectCompletionPercent
        }
    }

    public struct Line: Sendable, Hashable, Codable {
        /// 1-based index in `lines`.
        public var index: Int
        /// Line in the file, for messages.
        public var fileLine: Int?
        public var chip: String
        public var quantity: Int
        public var purpose: String?
        /// A model id or a workload id to rank alternatives by.
        public var workload: String?
        public var organisation: String
        public var country: String
        public var date: Day
        public var action: Directive.Action
        /// What the plan states about the buyer, if anything.
        public var buyer: Buyer?

        public init(
            index: Int,
            fileLine: Int?,
            chip: String,
            quantity: Int,
            purpose: String?,
            workload: String?,
            organisation: String,
            country: String,
            date: Day,
            action: Directive.Action,
            buyer: Buyer? = nil
        ) {
            self.index = index
            self.fileLine = fileLine
            self.chip = chip
            self.quantity = quantity
            self.purpose = purpose
            self.workload = workload
            self.organisation = organisation
            self.country = country
            self.date = date
            self.action = action
            self.buyer = buyer
        }
    }

    public var file: String
    public var kind: Kind
    public var lines: [Line]

    public init(file: String, kind: Kind, lines: [Line]) {
        self.file = file
        self.kind = kind
        self.lines = lines
    }

    /// Reads a plan from YAML or JSON text. Missing per-line fields come from the top level
    /// (`organisation`, `country`, `date`, `action`).
    public static func decode(text: String, file: String) throws(CatalogueError) -> ProcurementPlan {
        let reader = try YAMLReader(text: text, file: file)
        let root = reader.root
        try reader.rejectUnknownKeys(
            root,
            allowed: ["kind", "organisation", "country", "date", "action", "lines", "title", "buyer"],
            path: ""
        )
        let kindNode = try reader.require(root, "kind", path: "kind")
        let kindText = try reader.string(kindNode, path: "kind")
        guard let kind = Kind(rawValue: kindText) else {
            throw reader.error(kindNode, "kind", "must be order, campaign or deployment, got '\(kindText)'")
        }
        func optionalString(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> String? {
            guard let child = reader.child(node, key), !reader.isNull(child) else { return nil }
            return try reader.string(child, path: path)
        }
        func day(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> Day? {
            guard let child = reader.child(node, key), !reader.isNull(child) else { return nil }
            let value = try reader.string(child, path: path)
            guard let day = Day(value) else { throw reader.error(child, path, "must be a date like 2025-10-01") }
            return day
        }
        func action(_ node: Node, _ path: String) throws(CatalogueError) -> Directive.Action? {
            guard let child = reader.child(node, "action"), !reader.isNull(child) else { return nil }
            let value = try reader.string(child, path: path)
            guard let action = Directive.Action(rawValue: value) else {
                throw reader.error(child, path, "must be test, order, deploy or export, got '\(value)'")
            }
            return action
        }
        let defaultOrganisation = try optionalString(root, "organisation", "organisation")
        let defaultCountry = try optionalString(root, "country", "country")
        let defaultDate = try day(root, "date", "date")
        let defaultAction = try action(root, "action") ?? kind.action
        func buyer(_ node: Node, _ path: String) throws(CatalogueError) -> Buyer? {
            guard let child = reader.child(node, "buyer"), !reader.isNull(child) else { return nil }
            try reader.rejectUnknownKeys(
                child,
                allowed: [
                    "types", "headquarters", "ultimate_parent", "owned_by_listed_parties_percent",
                    "project_completion_percent",
                ],
                path: path
            )
            func number(_ key: String) throws(CatalogueError) -> Double? {
                guard let value = reader.child(child, key), !reader.isNull(value) else { return nil }
                let number = try reader.double(value, path: "\(path).\(key)")
                guard (0...100).contains(number) else {
                    throw reader.error(value, "\(path).\(key)", "must be a percentage from 0 to 100")
                }
                return number
            }
            return Buyer(
                types: try reader.child(child, "types").map { (n: Node) throws(CatalogueError) in
                    try reader.stringList(n, path: "\(path).types")
                },
                headquarters: try optionalString(child, "headquarters", "\(path).headquarters")?.uppercased(),
                ultimateParent: try optionalString(child, "ultimate_parent", "\(path).ultimate_parent")?.uppercased(),
                ownedByListedPartiesPercent: try number("owned_by_listed_parties_percent"),
                projectCompletionPercent: try number("project_completion_percent")
            )
        }
        let defaultBuyer = try buyer(root, "buyer")
        let linesNode = try reader.require(root, "lines", path: "lines")
        guard case .sequence(let sequence) = linesNode, !sequence.isEmpty else {
            throw reader.error(linesNode, "lines", "must be a non-empty list of lines")
        }
        var lines: [Line] = []
        for (offset, node) in sequence.enumerated() {
            let path = "lines[\(offset + 1)]"
            guard case .mapping = node else {
                throw reader.error(node, path, "must be a mapping with chip, quantity, purpose, organisation, date")
            }
            try reader.rejectUnknownKeys(
                node,
                allowed: [
                    "chip", "quantity", "purpose", "workload", "organisation", "country", "date", "action", "buyer",
                ],
                path: path
            )
            let chip = try reader.string(try reader.require(node, "chip", path: "\(path).chip"), path: "\(path).chip")
            let quantityNode = try reader.require(node, "quantity", path: "\(path).quantity")
            let quantity = try reader.int(quantityNode, path: "\(path).quantity")
            guard quantity > 0 else { throw reader.error(quantityNode, "\(path).quantity", "must be at least 1") }
            guard
                let organisation = try optionalString(node, "organisation", "\(path).organisation")
                    ?? defaultOrganisation
            else {
                throw reader.error(node, "\(path).organisation", "is missing (give it on the line or at the top)")
            }
            guard let country = try optionalString(node, "country", "\(path).country") ?? defaultCountry else {
                throw reader.error(
                    node,
                    "\(path).country",
                    "is missing (an ISO code such as CN, on the line or at the top)"
                )
            }
            guard let date = try day(node, "date", "\(path).date") ?? defaultDate else {
                throw reader.error(node, "\(path).date", "is missing (give it on the line or at the top)")
            }
            lines.append(
                Line(
                    index: offset + 1,
                    fileLine: node.mark?.line,
                    chip: chip,
                    quantity: quantity,
                    purpose: try optionalString(node, "purpose", "\(path).purpose"),
                    workload: try optionalString(node, "workload", "\(path).workload"),
                    organisation: organisation,
                    country: country.uppercased(),
                    date: date,
                    action: try action(node, "\(path).action") ?? defaultAction,
                    buyer: try buyer(node, "\(path).buyer") ?? defaultBuyer
                )
            )
        }
        return ProcurementPlan(file: file, kind: kind, lines: lines)
    }

    public static func load(path: String) throws(CatalogueError) -> ProcurementPlan {
        try decode(text: try CatalogueFiles.read(URL(fileURLWithPath: path), displayName: path), file: path)
    }
}
