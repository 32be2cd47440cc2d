public import Foundation
import Yams

/// A calendar day (`YYYY-MM-DD`), the resolution of directives and plans.
public struct Day: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]),
            let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        year = y
        month = m
        day = d
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (a: Day, b: Day) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = Day(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)")
            )
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An instruction, guidance or rule that restricts what may be done with chips: who issued it, since when, for
/// which organisations, chips and actions, and with what effect.
public struct Directive: Sendable, Hashable, Codable, Identifiable {
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case test, order, deploy, export
    }

    public enum Effect: String, Sendable, Hashable, Codable, CaseIterable {
        case prohibited
        case licenceRequired = "licence-required"
        case discouraged
    }

    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case warning, violation

        public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .violation }
    }

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case inForce = "in-force"
        case superseded, rescinded, lapsed
    }

    public struct Scope: Sendable, Hashable, Codable {
        /// Where the organisation (or, for export rules, the destination) is: ISO country codes.
        public var countries: [String]
        /// Named organisations only; empty means every organisation in `countries`.
        public var organisations: [String]
        /// Chip ids the directive names.
        public var chips: [String]
        /// Export-control classes (`3A090.a` …) the directive covers, decided by the classifier.
        public var classes: [String]
        /// Markets of the chips a class-based rule reaches (empty: all).
        public var markets: [Market]
        public var actions: [Action]
    }

    public var id: String
    public var title: String
    public var issuer: String
    /// Who issued it: `CN`, `US`, …
    public var jurisdiction: String
    public var issued: Day
    public var effective: Day
    /// First day it no longer applies (rescinded, superseded or lapsed), when known.
    public var ends: Day?
    public var status: Status
    public var effect: Effect
    public var severity: Severity
    /// Primary source (URL or document reference).
    public var source: String
    /// Further sources.
    public var also: [String]
    public var note: String?
    public var scope: Scope
    public var sourceFile: String

    /// In force on `day`: on or after `effective`, before `ends`.
    public func inForce(on day: Day) -> Bool {
        day >= effective && (ends.map { day < $0 } ?? true)
    }
}

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

    /// Parses one directive document.
    public static func decode(text: String, file: String) throws(CatalogueError) -> Directive {
        let reader = try YAMLReader(text: text, file: file)
        let root = reader.root
        try reader.rejectUnknownKeys(
            root,
            allowed: [
                "id", "title", "issuer", "jurisdiction", "issued", "effective", "ends", "status", "effect", "severity",
                "source", "also", "note", "scope",
            ],
            path: ""
        )
        func field(_ key: String) throws(CatalogueError) -> String {
            try reader.string(try reader.require(root, key, path: key), path: key)
        }
        func day(_ node: Node, _ path: String) throws(CatalogueError) -> Day {
            let value = try reader.string(node, path: path)
            guard let day = Day(value) else { throw reader.error(node, path, "must be a date like 2025-09-17") }
            return day
        }
        func choice<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type) throws(CatalogueError) -> E
        where E.RawValue == String {
            let node = try reader.require(root, key, path: key)
            let value = try reader.string(node, path: key)
            guard let parsed = E(rawValue: value) else {
                let known = E.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error(node, key, "must be one of \(known), got '\(value)'")
            }
            return parsed
        }
        let scopeNode = try reader.require(root, "scope", path: "scope")
        try reader.rejectUnknownKeys(
            scopeNode,
            allowed: ["countries", "organisations", "chips", "classes", "markets", "actions"],
            path: "scope"
        )
        func list(_ key: String) throws(CatalogueError) -> [String] {
            try reader.child(scopeNode, key).map { (node: Node) throws(CatalogueError) in
                try reader.stringList(node, path: "scope.\(key)")
            } ?? []
        }
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
        for name in try list("markets") {
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
            countries: try list("countries").map { $0.uppercased() },
            organisations: try list("organisations").map { $0.lowercased() },
            chips: try list("chips"),
            classes: try list("classes"),
            markets: markets,
            actions: actions
        )
        if scope.countries.isEmpty {
            throw reader.error(scopeNode, "scope.countries", "must name at least one country")
        }
        if scope.chips.isEmpty, scope.classes.isEmpty {
            throw reader.error(scopeNode, "scope", "must name chips or export-control classes")
        }
        let ends = try reader.child(root, "ends").flatMap { (node: Node) throws(CatalogueError) -> Day? in
            reader.isNull(node) ? nil : try day(node, "ends")
        }
        let issued = try day(try reader.require(root, "issued", path: "issued"), "issued")
        let effective = try day(try reader.require(root, "effective", path: "effective"), "effective")
        return Directive(
            id: try field("id"),
            title: try field("title"),
            issuer: try field("issuer"),
            jurisdiction: try field("jurisdiction").uppercased(),
            issued: issued,
            effective: effective,
            ends: ends,
            status: try choice("status", Directive.Status.self),
            effect: try choice("effect", Directive.Effect.self),
            severity: try choice("severity", Directive.Severity.self),
            source: try field("source"),
            also: try reader.child(root, "also").map { (node: Node) throws(CatalogueError) in
                try reader.stringList(node, path: "also")
            } ?? [],
            note: try reader.child(root, "note").map { (node: Node) throws(CatalogueError) in
                try reader.string(node, path: "note")
            },
            scope: scope,
            sourceFile: file
        )
    }
}
