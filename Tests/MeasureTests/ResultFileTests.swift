import Foundation
import Testing

@testable import Measure

@Suite struct ResultFileTests {
    let record = """
        {"schema":"parity.measurement/1","id":"r1","chip":"h20","benchmark":"gemm","precision":"bf16",\
        "unit":"FLOP/s","samples":[1.2e14,1.3e14,1.25e14],"warmups":3,"sizes":{"m":8192,"n":8192,"k":8192},\
        "backend":"cuda","time":"2026-11-01T10:00:00Z","check":"passed"}
        """

    @Test func readsJSONLinesAndArrays() throws {
        let lines = try ResultFile.decode(
            Data("\(record)\n\(record.replacingOccurrences(of: "r1", with: "r2"))\n".utf8),
            path: "x"
        )
        #expect(lines.map(\.id) == ["r1", "r2"])
        #expect(lines[0].median == 1.25e14)
        #expect(lines[0].repetitions == 3)
        let array = try ResultFile.decode(Data("[\(record)]".utf8), path: "x")
        #expect(array == [lines[0]])
    }

    /// An array holding a number or a string must be an error naming the record, not a crash (found by the
    /// server's fuzz test: JSONSerialization traps when asked to re-encode a scalar).
    @Test func arraysOfNonObjectsAreErrors() {
        #expect(throws: ResultFileError.invalid(path: "x", record: 2, reason: "not a JSON object")) {
            try ResultFile.decode(Data("[\(record), 1, \"two\"]".utf8), path: "x")
        }
        #expect(throws: ResultFileError.invalid(path: "x", record: 1, reason: "not a JSON object")) {
            try ResultFile.decode(Data("[null]".utf8), path: "x")
        }
    }

    @Test func roundTrips() throws {
        let original = try ResultFile.decode(Data(record.utf8), path: "x")
        #expect(try ResultFile.decode(ResultFile.encode(original), path: "y") == original)
    }

    @Test func unknownSchemaNamesTheFileAndRecord() {
        let future = record.replacingOccurrences(of: "parity.measurement/1", with: "parity.measurement/9")
        #expect(throws: ResultFileError.unknownSchema(path: "f.json", record: 2, schema: "parity.measurement/9")) {
            try ResultFile.decode(Data("\(record)\n\(future)\n".utf8), path: "f.json")
        }
        let error = ResultFileError.unknownSchema(path: "f.json", record: 2, schema: "parity.measurement/9")
        #expect(error.description.contains("f.json: record 2"))
    }

    @Test func invalidRecordsAreExplained() {
        let missing = record.replacingOccurrences(of: "\"chip\":\"h20\",", with: "")
        #expect(throws: ResultFileError.invalid(path: "f", record: 1, reason: "missing field 'chip'")) {
            try ResultFile.decode(Data(missing.utf8), path: "f")
        }
        let empty = record.replacingOccurrences(of: "[1.2e14,1.3e14,1.25e14]", with: "[]")
        #expect(throws: ResultFileError.self) { try ResultFile.decode(Data(empty.utf8), path: "f") }
        #expect(throws: ResultFileError.self) { try ResultFile.decode(Data("\n\n".utf8), path: "f") }
        #expect(throws: ResultFileError.self) { try ResultFile.load(path: "/nonexistent/results.json") }
    }
}
