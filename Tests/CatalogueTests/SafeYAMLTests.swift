import Foundation
import Testing

@testable import Catalogue

@Suite struct SafeYAMLTests {
    /// The audit's 303-byte bomb: seven levels of ten aliases each, then the top alias used as a mapping key, which
    /// made the composer hash 10⁸ nodes.
    static let aliasBomb: String = {
        var text = "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"]
        for level in 1..<names.count {
            let previous = names[level - 1]
            let items = Array(repeating: "*\(previous)", count: 10).joined(separator: ",")
            text += "\(names[level]): &\(names[level]) [\(items)]\n"
        }
        return text + "? *h\n: boom\n"
    }()

    @Test func aliasBombIsRefusedBeforeComposing() throws {
        let started = ContinuousClock.now
        let error = try #require(throws: CatalogueError.self) {
            _ = try SafeYAML.compose(Self.aliasBomb, file: "bomb.yaml")
        }
        #expect(ContinuousClock.now - started < .milliseconds(50))
        #expect(error.line == 1)
        #expect(error.field == "a")
        #expect(error.description.hasPrefix("bomb.yaml:1: field 'a' uses a YAML anchor"))
    }

    @Test(arguments: [
        ("key: *a\n", 1, "uses a YAML alias"),
        ("list:\n  - &x 1\n", 2, "uses a YAML anchor"),
        ("m: {a: 1, b: *c}\n", 1, "uses a YAML alias"),
        ("? [a, b]\n: c\n", 1, "uses an explicit key"),
        ("base: {a: 1}\nother:\n  <<: {b: 2}\n", 3, "uses a merge key"),
        ("t: !!str &a x\n", 1, "uses a YAML anchor"),
        ("n: \"a\0b\"\n", 1, "contains a NUL byte"),
        ("q: 'never closed\n", 1, "has a quoted string that is never closed"),
    ])
    func constructsThatExpandOrHashAreRefused(text: String, line: Int, message: String) throws {
        let error = try #require(throws: CatalogueError.self) { _ = try SafeYAML.compose(text, file: "f.yaml") }
        #expect(error.line == line)
        #expect(error.message.hasPrefix(message), "\(error)")
    }

    @Test(arguments: [
        "note: \"2 * 3 & 4, see *s1\"\n",
        "note: 2 * 3 & 4\n",
        "note: 'it''s *not* an alias'\n",
        "text: |\n  *literal* &text\n  - ? not keys\nnext: 1\n",
        "folded: >-\n  a *b\n  &c\n",
        "list: [\"*a\", '&b', c*d]\n",
        "# &comment *x\nkey: value # *trailing\n",
    ])
    func ordinaryTextWithStarsAndAmpersandsIsRead(text: String) throws {
        #expect(try SafeYAML.compose(text, file: "ok.yaml") != nil)
    }

    @Test func nonScalarKeysInFlowMappingsAreRefusedAfterComposing() throws {
        let error = try #require(throws: CatalogueError.self) {
            _ = try SafeYAML.compose("m: {[a, b]: c}\n", file: "k.yaml")
        }
        #expect(error.message.contains("only scalar keys"))
    }

    @Test func deepNestingAndSizeAndNodeCountAreCapped() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: CatalogueError.self) { _ = try SafeYAML.compose("a: \(deep)\n", file: "d.yaml") }
        let big = "a: \"" + String(repeating: "x", count: 70 * 1024) + "\"\n"
        let sizeError = try #require(throws: CatalogueError.self) {
            _ = try SafeYAML.compose(big, file: "b.yaml", limits: .request)
        }
        #expect(sizeError.message.contains("the limit is 65536 bytes"))
        let many = "l: [" + Array(repeating: "1", count: 5_000).joined(separator: ",") + "]\n"
        let countError = try #require(throws: CatalogueError.self) {
            _ = try SafeYAML.compose(many, file: "n.yaml", limits: .request)
        }
        #expect(countError.message.contains("more than 4000 YAML nodes"))
    }

    @Test func aChipFileWithAnAliasNamesFileLineAndField() throws {
        let text = """
            id: x1
            vendor: Example
            name: X1
            market: global
            sources: {s1: "https://example.com"}
            memory:
              capacity: {value: "64 GB", source: s1}
              bandwidth: *bw
            dense: {fp16: {value: "100 TFLOPS", source: s1}}
            """
        let error = try #require(throws: CatalogueError.self) {
            _ = try ChipCatalogue.decode(text: text, file: "x1.yaml")
        }
        #expect(error.description.hasPrefix("x1.yaml:8: field 'memory.bandwidth' uses a YAML alias"))
    }

    @Test func everyShippedYAMLFilePassesTheScan() throws {
        // The catalogue loads every shipped chip, model, directive and supply file through SafeYAML.
        #expect(try !ChipCatalogue.load().chips.isEmpty)
        #expect(try !ModelCatalogue.load().models.isEmpty)
    }
}
