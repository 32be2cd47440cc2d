import Foundation
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

    /// Today in UTC.
    public static var today: Day {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return Day(String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)) ?? Day(
            "1970-01-01"
        )!
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
/// which organisations, chips and actions, with what effect, and what is known of its status over time.
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

    /// Legal status as a source states it on some day.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case inForce = "in-force"
        /// Known only from press reports, and reported as acted on; treated as applying, with that caveat.
        case reportedNotConfirmed = "reported-not-confirmed"
        case suspended, expired, revoked, superseded, rescinded, lapsed

        /// Whether a directive with this status restricts anything.
        public var applies: Bool { self == .inForce || self == .reportedNotConfirmed }

        /// Whether the status ends the directive for good (only a new source could bring it back).
        public var isFinal: Bool { [.expired, .revoked, .superseded, .rescinded, .lapsed].contains(self) }
    }

    /// One dated status from a source (`status_history`), or one the text schedules (`scheduled`).
    public struct StatusChange: Sendable, Hashable, Codable {
        public var date: Day
        public var status: Status
        /// Last day of a suspension or other time-limited status.
        public var until: Day?
        public var note: String?
        public var source: String?
        /// `false` for a scheduled change that no source confirms happened.
        public var confirmed: Bool

        public init(
            date: Day,
            status: Status,
            until: Day? = nil,
            note: String? = nil,
            source: String? = nil,
            confirmed: Bool = true
        ) {
            self.date = date
            self.status = status
            self.until = until
            self.note = note
            self.source = source
            self.confirmed = confirmed
        }
    }

    /// Facts about the buyer a directive needs (state funding, ownership, headquarters); a check without them
    /// says "applies if the buyer is …" instead of applying the directive to everyone.
    public struct BuyerScope: Sendable, Hashable, Codable {
        /// Kinds of buyer, e.g. `state-funded-data-centre`, `government`, `state-owned-enterprise`.
        public var types: [String]
        /// Applies to buyers owned at least this much (percent) by parties on `lists`.
        public var ownedByListedPartiesPercentAtLeast: Double?
        public var lists: [String]
        /// Country codes or groups (`D:5`) of the buyer's headquarters that bring it in scope.
        public var headquartersIn: [String]
        /// Same for the buyer's ultimate parent.
        public var ultimateParentIn: [String]
        /// For project-based rules: applies in full below this completion (percent).
        public var projectCompletionBelowPercent: Double?
        /// What happens at or above that completion, e.g. `case-by-case`.
        public var aboveThreshold: String?
        /// A quota rather than a ban: the domestic share (percent) a buyer must exceed.
        public var domesticShareAbovePercent: Double?

        /// "a state-funded data centre project (less than 30 % complete)", for "applies if the buyer is …".
        public var description: String {
            var parts: [String] = []
            if !types.isEmpty {
                var text = types.map { $0.replacingOccurrences(of: "-", with: " ") }.joined(separator: " or ")
                if let below = projectCompletionBelowPercent {
                    text += " (project less than \(Quantity.trimmed(below, digits: 0)) % complete"
                    text += aboveThreshold.map { "; \($0) above that)" } ?? ")"
                }
                if let share = domesticShareAbovePercent {
                    text += " (must source over \(Quantity.trimmed(share, digits: 0)) % of its chips domestically)"
                }
                parts.append(text)
            }
            if let percent = ownedByListedPartiesPercentAtLeast {
                parts.append(
                    "at least \(Quantity.trimmed(percent, digits: 0)) % owned by parties on \(lists.isEmpty ? "a restricted-party list" : lists.joined(separator: ", "))"
                )
            }
            if !headquartersIn.isEmpty {
                parts.append("headquartered in \(headquartersIn.joined(separator: " or "))")
            }
            if !ultimateParentIn.isEmpty {
                parts.append("with an ultimate parent in \(ultimateParentIn.joined(separator: " or "))")
            }
            return parts.joined(separator: ", or ")
        }
    }

    public struct Scope: Sendable, Hashable, Codable {
        /// Where the organisation (or, for export rules, the destination) is: ISO country codes, or `*` for any.
        public var countries: [String]
        /// Named organisations only; empty means every organisation in `countries`.
        public var organisations: [String]
        /// Chip ids the directive names.
        public var chips: [String]
        /// Export-control classes (`3A090.a` …) the directive covers, decided by the classifier. With `chips`, the
        /// directive covers the union.
        public var classes: [String]
        /// Markets of the chips a class-based rule reaches (empty: all).
        public var markets: [Market]
        public var actions: [Action]
        /// Facts about the buyer that bring it in scope; `nil` when every organisation in `countries` is.
        public var buyer: BuyerScope?

        public init(
            countries: [String],
            organisations: [String] = [],
            chips: [String] = [],
            classes: [String] = [],
            markets: [Market] = [],
            actions: [Action],
            buyer: BuyerScope? = nil
        ) {
            self.countries = countries
            self.organisations = organisations
            self.chips = chips
            self.classes = classes
            self.markets = markets
            self.actions = actions
            self.buyer = buyer
        }

        /// Whether the scope reaches organisations in `country` (`*` reaches every country).
        public func covers(country: String) -> Bool {
            countries.contains("*") || countries.contains(country.uppercased())
        }
    }

    /// Vendors and chips a directive favours (a positive list such as Xinchuang).
    public struct Favoured: Sendable, Hashable, Codable {
        public var vendors: [String]
        public var chips: [String]
    }

    public var id: String
    /// 1 for the first file format, 2 for files with status history.
    public var version: Int
    public var title: String
    public var issuer: String
    /// Who issued it: `CN`, `US`, …
    public var jurisdiction: String
    public var issued: Day
    public var effective: Day
    /// First day it no longer applies (rescinded, superseded or lapsed), when known.
    public var ends: Day?
    /// Status as last known (on `lastConfirmed`).
    public var status: Status
    /// Dated statuses from sources, oldest first.
    public var statusHistory: [StatusChange]
    /// Changes the text schedules that no source has confirmed (a suspension's end).
    public var scheduled: [StatusChange]
    /// The last day for which a source confirms the status; after it the status is unknown.
    public var lastConfirmed: Day?
    public var lastConfirmedBasis: String?
    public var effect: Effect
    public var severity: Severity
    /// An id in the licence-policy data whose review-policy tier sets the severity (`severityByPolicy`).
    public var licencePolicy: String?
    /// Severity per licence-review policy (`presumption-of-denial` → violation, `case-by-case` → warning).
    public var severityByPolicy: [String: Severity]
    /// Primary source (URL or document reference).
    public var source: String
    /// What kind of document `source` is.
    public var sourceKind: Chip.Source.Kind?
    /// Further sources.
    public var also: [String]
    /// Kinds of `also`, in the same order.
    public var alsoKinds: [Chip.Source.Kind]
    public var note: String?
    public var favoured: Favoured?
    public var scope: Scope
    public var sourceFile: String

    public init(
        id: String,
        version: Int = 2,
        title: String,
        issuer: String,
        jurisdiction: String,
        issued: Day,
        effective: Day,
        ends: Day? = nil,
        status: Status,
        statusHistory: [StatusChange] = [],
        scheduled: [StatusChange] = [],
        lastConfirmed: Day? = nil,
        lastConfirmedBasis: String? = nil,
        effect: Effect,
        severity: Severity,
        licencePolicy: String? = nil,
        severityByPolicy: [String: Severity] = [:],
        source: String,
        sourceKind: Chip.Source.Kind? = nil,
        also: [String] = [],
        alsoKinds: [Chip.Source.Kind] = [],
        note: String? = nil,
        favoured: Favoured? = nil,
        scope: Scope,
        sourceFile: String = "<memory>"
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.issuer = issuer
        self.jurisdiction = jurisdiction
        self.issued = issued
        self.effective = effective
        self.ends = ends
        self.status = status
        self.statusHistory = statusHistory
        self.scheduled = scheduled
        self.lastConfirmed = lastConfirmed
        self.lastConfirmedBasis = lastConfirmedBasis
        self.effect = effect
        self.severity = severity
        self.licencePolicy = licencePolicy
        self.severityByPolicy = severityByPolicy
        self.source = source
        self.sourceKind = sourceKind
        self.also = also
        self.alsoKinds = alsoKinds
        self.note = note
        self.favoured = favoured
        self.scope = scope
        self.sourceFile = sourceFile
    }

    /// In force on `day`: on or after `effective`, before `ends`, and with a status that applies on that day
    /// as far as the sources know. A day after `lastConfirmed` counts when the last known status applies; use
    /// `standing(on:)` to tell a known status from an unknown one.
    public func inForce(on day: Day) -> Bool {
        switch standing(on: day).kind {
        case .applies: true
        case .unknown: standing(on: day).status?.applies ?? false
        case .notYetEffective, .doesNotApply: false
        }
    }
}
