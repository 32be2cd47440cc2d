/// One row a query returned, its columns in `SELECT` order. Accessors throw a `StoreError` that names the column
/// when a value has another type than the schema promises.
struct SQLRow: Sendable {
    var values: [SQLValue]

    func text(_ index: Int) throws(StoreError) -> String {
        guard case .text(let value) = values[index] else { throw mismatch(index, "text") }
        return value
    }

    func optionalText(_ index: Int) throws(StoreError) -> String? {
        if case .null = values[index] { return nil }
        return try text(index)
    }

    func integer(_ index: Int) throws(StoreError) -> Int {
        switch values[index] {
        case .integer(let value): return value
        // SQLite hands back a whole-valued REAL as such; PostgreSQL's SUM of integers is bigint either way.
        case .real(let value) where value.rounded() == value: return Int(value)
        default: throw mismatch(index, "integer")
        }
    }

    func real(_ index: Int) throws(StoreError) -> Double {
        switch values[index] {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        default: throw mismatch(index, "real")
        }
    }

    func isNull(_ index: Int) -> Bool { values[index] == .null }

    private func mismatch(_ index: Int, _ expected: String) -> StoreError {
        .invalid("stored column \(index) is \(values[index]), not \(expected)")
    }
}
