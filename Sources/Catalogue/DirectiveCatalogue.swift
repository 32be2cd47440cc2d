public import Foundation
import Yams

/// Directives: built-in resources (`directives/*.yaml`) and user directories (`<dir>/directives/*.yaml`).
public struct DirectiveCatalogue: Sendable {
    public private(set) var directives: [Directive]

    public init(directives: [Directive]) {
        self.directives = directives.sorted { ($0.effective, $0.id) < ($1.effective, $1.id) }
    }

    public static func load(userDirectories: [URL] = []) throws(CatalogueError) -> DirectiveCatalogue {
        guard let builtIn = CatalogueFiles.builtInDirectory("directives") else {
            throw CatalogueError(message: "the built-in directives are missing from the package resources")
        }
        var byID: [String: Directive] = [:]
        let root = builtIn.deletingLastPathComponent()
        for url in try CatalogueFiles.yamlFiles(in: root, kind: "directives", includeTopLevel: false) {
            let name = "directives/\(url.lastPathComponent)"
            let directive = try decode(text: try CatalogueFiles.read(url, displayName: name), file: name)
            byID[directive.id] = directive
        }
        for directory in userDirectories {
            for url in try CatalogueFiles.yamlFiles(in: directory, kind: "directives", includeTopLevel: false) {
                let directive = try decode(text: try CatalogueFiles.read(url, displayName: url.path), file: url.path)
                byID[directive.id] = directive
            }
        }
        return DirectiveCatalogue(directives: Array(byID.values))
    }

    /// Parses one directive document (format 1, or format 2 with `version: 2`, status history and source kinds).
    public static func decode(text: String, file: String) throws(CatalogueError) -> Directive {
        try DirectiveDecoder(reader: try YAMLReader(text: text, file: file), file: file).decode()
    }
}

/// Turns one directive YAML document into a validated `Directive`.
private struct DirectiveDecoder {
    let reader: YAMLReader
    let file: String

    static let topLevelKeys: Set<String> = [
        "id", "version", "title", "issuer", "jurisdiction", "issued", "effective", "ends", "status", "status_history",
        "scheduled", "last_confirmed", "last_confirmed_basis", "effect", "severity", "licence_policy",
        "severity_by_policy", "source", "source_kind", "also", "also_kinds", "note", "favoured", "scope",
    ]

    func field(_ key: String) throws(CatalogueError) -> String {
        try reader.string(try reader.require(reader.root, key, path: key), path: key)
    }

    func optionalString(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> String? {
        guard let child = reader.child(node, key), !reader.isNull(child) else { return nil }
        return try reader.string(child, path: path)
    }

    func day(_ node: Node, _ path: String) throws(CatalogueError) -> Day {
        let value = try reader.string(node, path: path)
        guard let day = Day(value) else { throw reader.error(node, path, "must be a date like 2025-09-17") }
        return day
    }

    func optionalDay(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> Day? {
        guard let child = reader.child(node, key), !reader.isNull(child) else { return nil }
        return try day(child, path)
    }

    func choice<E: RawRepresentable & CaseIterable>(
        _ node: Node,
        _ path: String,
        _: E.Type
    ) throws(CatalogueError)
        -> E
    where E.RawValue == String {
        let value = try reader.string(node, path: path)
        guard let parsed = E(rawValue: value) else {
            let known = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw reader.error(node, path, "must be one of \(known), got '\(value)'")
        }
        return parsed
    }

    func list(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> [String] {
        guard let child = reader.child(node, key), !reader.isNull(child) else { return [] }
        if case .scalar = child { return [try reader.string(child, path: path)] }
        return try reader.stringList(child, path: path)
    }

    func number(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> Double? {
        guard let child = reader.child(node, key), !reader.isNull(child) else { return nil }
        return try reader.double(child, path: path)
    }

    func decode() throws(CatalogueError) -> Directive {
        let root = reader.root
        try reader.rejectUnknownKeys(root, allowed: Self.topLevelKeys, path: "")
        let version = try number(root, "version", "version").map(Int.init) ?? 1
        guard version == 1 || version == 2 else {
            throw reader.error(reader.child(root, "version"), "version", "must be 1 or 2, got \(version)")
        }
        let issued = try day(try reader.require(root, "issued", path: "issued"), "issued")
        let effective = try day(try reader.require(root, "effective", path: "effective"), "effective")
        let also = try list(root, "also", "also")
        let alsoKinds = try kinds(root, "also_kinds")
        if !alsoKinds.isEmpty, alsoKinds.count != also.count {
            throw reader.error(
                reader.child(root, "also_kinds"),
                "also_kinds",
                "has \(alsoKinds.count) kinds for \(also.count) sources in 'also'; give one kind per source, in order"
            )
        }
        let statusHistory = try changes("status_history")
        let lastConfirmed = try optionalDay(root, "last_confirmed", "last_confirmed")
        if let lastConfirmed, let latest = statusHistory.last, latest.date > lastConfirmed {
            throw reader.error(
                reader.child(root, "last_confirmed"),
                "last_confirmed",
                "is \(lastConfirmed), before the latest status_history entry (\(latest.date))"
            )
        }
        var severityByPolicy: [String: Directive.Severity] = [:]
        if let node = reader.child(root, "severity_by_policy") {
            for (key, _) in reader.keys(node) {
                guard let value = reader.child(node, key) else { continue }
                severityByPolicy[key] = try choice(value, "severity_by_policy.\(key)", Directive.Severity.self)
            }
        }
        var favoured: Directive.Favoured?
        if let node = reader.child(root, "favoured") {
            try reader.rejectUnknownKeys(node, allowed: ["vendors", "chips"], path: "favoured")
            favoured = Directive.Favoured(
                vendors: try list(node, "vendors", "favoured.vendors"),
                chips: try list(node, "chips", "favoured.chips")
            )
        }
        return Directive(
            id: try field("id"),
            version: version,
            title: try field("title"),
            issuer: try field("issuer"),
            jurisdiction: try field("jurisdiction").uppercased(),
            issued: issued,
            effective: effective,
            ends: try optionalDay(root, "ends", "ends"),
            status: try choice(try reader.require(root, "status", path: "status"), "status", Directive.Status.self),
            statusHistory: statusHistory,
            scheduled: try changes("scheduled", confirmedByDefault: false),
            lastConfirmed: lastConfirmed,
            lastConfirmedBasis: try optionalString(root, "last_confirmed_basis", "last_confirmed_basis"),
            effect: try choice(try reader.require(root, "effect", path: "effect"), "effect", Directive.Effect.self),
            severity: try choice(
                try reader.require(root, "severity", path: "severity"),
                "severity",
                Directive.Severity.self
            ),
            licencePolicy: try optionalString(root, "licence_policy", "licence_policy"),
            severityByPolicy: severityByPolicy,
            source: try field("source"),
            sourceKind: try reader.child(root, "source_kind").map { (node: Node) throws(CatalogueError) in
                try choice(node, "source_kind", Chip.Source.Kind.self)
            },
            also: also,
            alsoKinds: alsoKinds,
            note: try optionalString(root, "note", "note"),
            favoured: favoured,
            scope: try scope(),
            sourceFile: file
        )
    }

    func kinds(_ node: Node, _ key: String) throws(CatalogueError) -> [Chip.Source.Kind] {
        guard let child = reader.child(node, key) else { return [] }
        guard case .sequence(let items) = child else {
            throw reader.error(child, key, "must be a list of source kinds")
        }
        var result: [Chip.Source.Kind] = []
        for (index, item) in items.enumerated() {
            result.append(try choice(item, "\(key)[\(index + 1)]", Chip.Source.Kind.self))
        }
        return result
    }

    func changes(_ key: String, confirmedByDefault: Bool = true) throws(CatalogueError) -> [Directive.StatusChange] {
        guard let node = reader.child(reader.root, key), !reader.isNull(node) else { return [] }
        guard case .sequence(let items) = node else {
            throw reader.error(node, key, "must be a list of {date, status, source}")
        }
        var result: [Directive.StatusChange] = []
        for (index, item) in items.enumerated() {
            let path = "\(key)[\(index + 1)]"
            try reader.rejectUnknownKeys(
                item,
                allowed: ["date", "status", "until", "note", "source", "confirmed", "basis"],
                path: path
            )
            let date = try day(try reader.require(item, "date", path: "\(path).date"), "\(path).date")
            if let previous = result.last, date < previous.date {
                throw reader.error(item, "\(path).date", "is \(date), before the entry above it; list oldest first")
            }
            let until = try optionalDay(item, "until", "\(path).until")
            if let until, until < date {
                throw reader.error(item, "\(path).until", "is \(until), before its date \(date)")
            }
            let confirmed = try reader.child(item, "confirmed").map { (n: Node) throws(CatalogueError) in
                try reader.bool(n, path: "\(path).confirmed")
            }
            let source = try optionalString(item, "source", "\(path).source")
            let note = try optionalString(item, "note", "\(path).note")
            let basis = try optionalString(item, "basis", "\(path).basis")
            if confirmedByDefault, source == nil {
                throw reader.error(item, path, "has no source; every dated status needs one")
            }
            result.append(
                Directive.StatusChange(
                    date: date,
                    status: try choice(
                        try reader.require(item, "status", path: "\(path).status"),
                        "\(path).status",
                        Directive.Status.self
                    ),
                    until: until,
                    note: note ?? basis,
                    source: source,
                    confirmed: confirmed ?? confirmedByDefault
                )
            )
        }
        return result
    }

    func scope() throws(CatalogueError) -> Directive.Scope {
        let scopeNode = try reader.require(reader.root, "scope", path: "scope")
        try reader.rejectUnknownKeys(
            scopeNode,
            allowed: ["countries", "organisations", "chips", "classes", "markets", "actions", "buyer"],
            path: "scope"
        )
        let actionsNode = try reader.require(scopeNode, "actions", path: "scope.actions")
        var actions: [Directive.Action] = []
        for name in try reader.stringList(actionsNode, path: "scope.actions") {
            guard let action = Directive.Action(rawValue: name) else {
                throw reader.error(
                    actionsNode,
                    "scope.actions",
                    "has '\(name)'; actions are test, order, deploy, export"
                )
            }
            actions.append(action)
        }
        var markets: [Market] = []
        for name in try list(scopeNode, "markets", "scope.markets") {
            guard let market = Market(rawValue: name) else {
                throw reader.error(
                    scopeNode,
                    "scope.markets",
                    "has '\(name)'; markets are global, china-specific, domestic-china"
                )
            }
            markets.append(market)
        }
        let scope = Directive.Scope(
            countries: try list(scopeNode, "countries", "scope.countries").map { $0.uppercased() },
            organisations: try list(scopeNode, "organisations", "scope.organisations").map { $0.lowercased() },
            chips: try list(scopeNode, "chips", "scope.chips"),
            classes: try list(scopeNode, "classes", "scope.classes"),
            markets: markets,
            actions: actions,
            buyer: try buyer(scopeNode)
        )
        if scope.countries.isEmpty {
            throw reader.error(scopeNode, "scope.countries", "must name at least one country, or \"*\" for any")
        }
        if scope.chips.isEmpty, scope.classes.isEmpty {
            throw reader.error(scopeNode, "scope", "must name chips or export-control classes")
        }
        return scope
    }

    func buyer(_ scopeNode: Node) throws(CatalogueError) -> Directive.BuyerScope? {
        guard let node = reader.child(scopeNode, "buyer"), !reader.isNull(node) else { return nil }
        let path = "scope.buyer"
        try reader.rejectUnknownKeys(
            node,
            allowed: [
                "type", "owned_by_listed_parties_percent_at_least", "lists", "headquarters_in", "or_ultimate_parent_in",
                "project_completion_below_percent", "above_threshold", "domestic_share_above_percent",
            ],
            path: path
        )
        let scope = Directive.BuyerScope(
            types: try list(node, "type", "\(path).type"),
            ownedByListedPartiesPercentAtLeast: try number(
                node,
                "owned_by_listed_parties_percent_at_least",
                "\(path).owned_by_listed_parties_percent_at_least"
            ),
            lists: try list(node, "lists", "\(path).lists"),
            headquartersIn: try list(node, "headquarters_in", "\(path).headquarters_in").map { $0.uppercased() },
            ultimateParentIn: try list(node, "or_ultimate_parent_in", "\(path).or_ultimate_parent_in").map {
                $0.uppercased()
            },
            projectCompletionBelowPercent: try number(
                node,
                "project_completion_below_percent",
                "\(path).project_completion_below_percent"
            ),
            aboveThreshold: try optionalString(node, "above_threshold", "\(path).above_threshold"),
            domesticShareAbovePercent: try number(
                node,
                "domestic_share_above_percent",
                "\(path).domestic_share_above_percent"
            )
        )
        if scope.types.isEmpty, scope.ownedByListedPartiesPercentAtLeast == nil, scope.headquartersIn.isEmpty,
            scope.ultimateParentIn.isEmpty
        {
            throw reader.error(node, path, "must state a buyer type, an ownership share or a headquarters")
        }
        return scope
    }
}
