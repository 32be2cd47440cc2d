/// A batch's share of one `result_groups` row (migration 007): the rows of one chip × benchmark × precision stored
/// together, counted, with their highest passing median and the smallest ID among the rows that have it.
struct ResultGroup: Equatable {
    var chip: String
    var benchmark: String
    /// '' when the results have none.
    var precision: String
    var total = 0
    var passed = 0
    var best: Double?
    var bestID: String?

    /// The groups of `rows`, in key order, so that concurrent writers upsert shared groups in the same order.
    static func of(_ rows: [ResultDocument.Row]) -> [ResultGroup] {
        var groups: [[String]: ResultGroup] = [:]
        for row in rows {
            let key = [row.chip, row.benchmark, row.precision ?? ""]
            var group = groups[key] ?? ResultGroup(chip: key[0], benchmark: key[1], precision: key[2])
            group.total += 1
            if row.passing == 1 {
                group.passed += 1
                if group.isBeaten(by: row) {
                    group.best = row.median
                    group.bestID = row.id
                }
            }
            groups[key] = group
        }
        return groups.sorted { $0.key.lexicographicallyPrecedes($1.key, by: codePointOrder) }.map(\.value)
    }

    /// Whether a passing row replaces the group's best: a higher median, or the same with a smaller ID.
    func isBeaten(by row: ResultDocument.Row) -> Bool {
        guard let best, let bestID else { return true }
        return row.median > best || (row.median == best && Self.codePointOrder(row.id, bestID))
    }

    /// Whether `a` sorts before `b` by code point, as the databases' code-point collations compare (UTF-8 byte order
    /// is code-point order).
    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
