extension Directive {
    /// What is known of a directive on one day: not yet effective, applying, not applying (suspended, expired …),
    /// or unknown because the day is after the last confirmed status.
    public struct Standing: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable {
            case notYetEffective = "not-yet-effective"
            case applies
            case doesNotApply = "does-not-apply"
            /// The day is after `lastConfirmed`: report "status unknown — review" rather than apply or drop it.
            case unknown = "status-unknown"
        }

        public var kind: Kind
        /// The status on that day as far as the sources go (for `unknown`, the last known one).
        public var status: Status?
        /// Since when that status holds.
        public var since: Day?
        /// The last day a source confirms the status (`nil` when the file gives none).
        public var lastConfirmed: Day? = nil
        /// One line for people, with the dates that decide.
        public var explanation: String
    }

    /// The directive's standing on `day`, from `effective`, `ends`, `statusHistory`, `scheduled` and
    /// `lastConfirmed`. A suspension's `until` is its last day.
    public func standing(on day: Day) -> Standing {
        if day < effective {
            return Standing(
                kind: .notYetEffective,
                status: nil,
                since: nil,
                explanation: "not yet effective on \(day) (effective \(effective))"
            )
        }
        if let ends, day >= ends {
            return Standing(
                kind: .doesNotApply,
                status: status,
                since: ends,
                explanation: "\(status.rawValue) from \(ends)"
            )
        }
        let known = knownStatus(on: day)
        if let lastConfirmed, day > lastConfirmed {
            let last = knownStatus(on: lastConfirmed)
            if last.status.isFinal {
                // Superseded, revoked, expired …: nothing brings the directive back without a new source.
                return Standing(
                    kind: .doesNotApply,
                    status: last.status,
                    since: last.since,
                    lastConfirmed: lastConfirmed,
                    explanation: "\(last.status.rawValue) since \(last.since.map(\.description) ?? "?")"
                )
            }
            var text = "status unknown — review: last confirmed \(lastConfirmed), when it was \(last.status.rawValue)"
            if let since = last.since { text += " (since \(since))" }
            if let until = last.until { text += " until \(until)" }
            let pending = scheduled.filter { $0.date > lastConfirmed && $0.date <= day }
            for change in pending {
                text +=
                    "; the text schedules \(change.status.rawValue) from \(change.date)\(change.confirmed ? "" : ", which no source confirms")"
            }
            return Standing(
                kind: .unknown,
                status: last.status,
                since: last.since,
                lastConfirmed: lastConfirmed,
                explanation: text
            )
        }
        if known.isUnknownAfterUntil {
            return Standing(
                kind: .unknown,
                status: known.status,
                since: known.since,
                lastConfirmed: lastConfirmed,
                explanation:
                    "status unknown — review: \(known.status.rawValue) until \(known.until.map(\.description) ?? "?"), nothing known after"
            )
        }
        var text = "\(known.status.rawValue)"
        if let since = known.since { text += " since \(since)" }
        if let until = known.until { text += " until \(until)" }
        if let lastConfirmed { text += " (last confirmed \(lastConfirmed))" }
        return Standing(
            kind: known.status.applies ? .applies : .doesNotApply,
            status: known.status,
            since: known.since,
            lastConfirmed: lastConfirmed,
            explanation: text
        )
    }

    private struct KnownStatus {
        var status: Status
        var since: Day?
        var until: Day?
        var isUnknownAfterUntil = false
    }

    /// The latest dated status on or before `day` (history, then confirmed scheduled changes); the top-level
    /// status when the file has no history. Dates before `effective` describe what led up to the directive.
    private func knownStatus(on day: Day) -> KnownStatus {
        let changes = (statusHistory + scheduled.filter(\.confirmed)).filter { $0.date <= day }
            .sorted { $0.date < $1.date }
        guard let latest = changes.last else {
            // A first-format file gives only the current status; with `ends`, it held in force until then.
            let before = statusHistory.first?.status ?? (ends != nil ? .inForce : status)
            return KnownStatus(status: before, since: effective)
        }
        if let until = latest.until, day > until {
            return KnownStatus(status: latest.status, since: latest.date, until: until, isUnknownAfterUntil: true)
        }
        return KnownStatus(status: latest.status, since: max(latest.date, effective), until: latest.until)
    }
}
