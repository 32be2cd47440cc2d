import Foundation
package import Yams

/// The one way the project reads YAML: chips posted to the server, catalogue directories, campaign plans,
/// procurement orders, rules and the shipped data all come through here.
///
/// Before anything is composed the text is checked by bytes and scanned for the constructs that let a small
/// document expand into a large one or make the composer hash whole subtrees: anchors (`&a`), aliases (`*a`),
/// merge keys (`<<`) and explicit keys (`? …`). Nesting deeper than `Limits.maxDepth` is refused too (the
/// composer recurses). After composing, every mapping key must be a scalar and the node count is capped. A 303-byte
/// alias bomb used as a mapping key made the composer hash 10⁸ nodes; here it is refused by the scan, in
/// microseconds, before libyaml's composer sees it.
package enum SafeYAML {
    package struct Limits: Sendable {
        package var maxBytes: Int
        package var maxNodes: Int
        package var maxDepth: Int

        package init(maxBytes: Int = 4 << 20, maxNodes: Int = 500_000, maxDepth: Int = 64) {
            self.maxBytes = maxBytes
            self.maxNodes = maxNodes
            self.maxDepth = maxDepth
        }

        /// Shipped data and local files.
        package static let files = Limits()
        /// A chip document posted to the server.
        package static let request = Limits(maxBytes: 64 * 1024, maxNodes: 4_000, maxDepth: 16)
    }

    /// Checks and composes `text`; every refusal is a `CatalogueError` naming the file, line and field.
    package static func compose(
        _ text: String,
        file: String,
        limits: Limits = .files
    ) throws(CatalogueError) -> Node? {
        try scan(text, file: file, limits: limits)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw CatalogueError(
                file: file,
                line: YAMLReader.line(of: error),
                message: "is not valid YAML: \(YAMLReader.problem(of: error))"
            )
        } catch {
            throw CatalogueError(file: file, message: "is not valid YAML: \(error)")
        }
        if let node { try checkComposed(node, file: file, limits: limits) }
        return node
    }

    /// Decodes a `Decodable` value through `compose`, so that `YAMLDecoder` never sees unchecked text.
    package static func decode<T: Decodable>(
        _ type: T.Type,
        from text: String,
        file: String,
        limits: Limits = .files
    ) throws -> T {
        guard let node = try compose(text, file: file, limits: limits) else {
            throw CatalogueError(file: file, line: 1, message: "is empty")
        }
        return try YAMLDecoder().decode(type, from: node)
    }

    // MARK: - Scan before composing

    /// Refuses oversized text, NUL bytes, anchors, aliases, merge keys, explicit keys and deep nesting, by a
    /// single pass over the bytes that knows YAML's quoting, comments and block scalars.
    static func scan(_ text: String, file: String, limits: Limits) throws(CatalogueError) {
        let bytes = Array(text.utf8)
        guard bytes.count <= limits.maxBytes else {
            throw CatalogueError(
                file: file,
                message: "is \(bytes.count) bytes; the limit is \(limits.maxBytes) bytes"
            )
        }
        var scanner = Scanner(bytes: bytes)
        if let problem = scanner.run(maxDepth: limits.maxDepth) {
            throw CatalogueError(
                file: file,
                line: problem.line,
                field: problem.field.isEmpty ? nil : problem.field,
                message: problem.message
            )
        }
    }

    struct Problem {
        var line: Int
        var field: String
        var message: String
    }

    /// A lexical pass, not a parser: it tracks only what decides whether a byte can start a node.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        /// Open `[` / `{` brackets.
        var flowDepth = 0
        /// Block keys by indentation, for naming the field of a problem.
        var keys: [(indent: Int, key: String)] = []
        /// The last key read inside a flow mapping.
        var flowKey: String?

        init(bytes: [UInt8]) { self.bytes = bytes }

        static let space = UInt8(ascii: " ")
        static let tab = UInt8(ascii: "\t")
        static let newline = UInt8(ascii: "\n")
        static let carriageReturn = UInt8(ascii: "\r")

        func byte(_ offset: Int = 0) -> UInt8? {
            let at = index + offset
            return at < bytes.count ? bytes[at] : nil
        }

        static func isBlank(_ byte: UInt8?) -> Bool {
            guard let byte else { return true }
            return byte == space || byte == tab || byte == newline || byte == carriageReturn
        }

        static func isFlowIndicator(_ byte: UInt8?) -> Bool {
            guard let byte else { return false }
            return byte == UInt8(ascii: ",") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
                || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}")
        }

        var field: String {
            var parts = keys.map(\.key)
            if flowDepth > 0, let flowKey { parts.append(flowKey) }
            return parts.joined(separator: ".")
        }

        func problem(_ message: String) -> Problem { Problem(line: line, field: field, message: message) }

        mutating func run(maxDepth: Int) -> Problem? {
            while index < bytes.count {
                if let problem = scanLine(maxDepth: maxDepth) { return problem }
            }
            return nil
        }

        /// One physical line (or, inside quotes and flow collections, as far as the construct goes).
        mutating func scanLine(maxDepth: Int) -> Problem? {
            var indent = 0
            while byte() == Self.space {
                indent += 1
                index += 1
            }
            if flowDepth == 0 {
                guard let first = byte(), first != Self.newline, first != Self.carriageReturn,
                    first != UInt8(ascii: "#")
                else {
                    skipToLineEnd()
                    return nil
                }
                while let last = keys.last, last.indent >= indent { keys.removeLast() }
            }
            var nodeStart = true
            var blockDepthOnLine = 0
            while let current = byte() {
                if current == 0 { return problem("contains a NUL byte") }
                if current == Self.newline {
                    index += 1
                    line += 1
                    return nil
                }
                if current == Self.space || current == Self.tab || current == Self.carriageReturn {
                    index += 1
                    continue
                }
                if current == UInt8(ascii: "#"), index == 0 || Self.isBlank(bytes[index - 1]) {
                    skipToLineEnd()
                    continue
                }
                if nodeStart {
                    if let problem = checkNodeStart(current) { return problem }
                    switch current {
                    case UInt8(ascii: "-") where Self.isBlank(byte(1)):
                        // A block sequence entry nests one level on the same line.
                        blockDepthOnLine += 1
                        if keys.count + blockDepthOnLine + flowDepth > maxDepth {
                            return problem("nests deeper than \(maxDepth) levels")
                        }
                        index += 1
                        continue
                    case UInt8(ascii: "'"), UInt8(ascii: "\""):
                        if let problem = skipQuoted(current) { return problem }
                        nodeStart = false
                        continue
                    case UInt8(ascii: "!"):
                        // A tag (`!!str`, `!local`): the node itself follows it.
                        while let next = byte(), !Self.isBlank(next) { index += 1 }
                        continue
                    case UInt8(ascii: "|") where flowDepth == 0, UInt8(ascii: ">") where flowDepth == 0:
                        skipBlockScalar(parentIndent: indent)
                        return nil
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        flowDepth += 1
                        if keys.count + blockDepthOnLine + flowDepth > maxDepth {
                            return problem("nests deeper than \(maxDepth) levels")
                        }
                        index += 1
                        continue
                    default:
                        break
                    }
                }
                if flowDepth > 0 {
                    switch current {
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        flowDepth += 1
                        if keys.count + blockDepthOnLine + flowDepth > maxDepth {
                            return problem("nests deeper than \(maxDepth) levels")
                        }
                        index += 1
                        nodeStart = true
                        continue
                    case UInt8(ascii: "]"), UInt8(ascii: "}"):
                        flowDepth = max(0, flowDepth - 1)
                        if flowDepth == 0 { flowKey = nil }
                        index += 1
                        nodeStart = false
                        continue
                    case UInt8(ascii: ","):
                        index += 1
                        nodeStart = true
                        continue
                    default:
                        break
                    }
                }
                if current == UInt8(ascii: ":"),
                    Self.isBlank(byte(1)) || (flowDepth > 0 && Self.isFlowIndicator(byte(1)))
                {
                    index += 1
                    nodeStart = true
                    continue
                }
                // A plain scalar: up to ': ', ' #', a flow indicator inside flow collections, or the line end.
                let start = index
                while let next = byte() {
                    if next == Self.newline || next == 0 { break }
                    if next == UInt8(ascii: ":"),
                        Self.isBlank(byte(1)) || (flowDepth > 0 && Self.isFlowIndicator(byte(1)))
                    {
                        break
                    }
                    if next == UInt8(ascii: "#"), index > 0, Self.isBlank(bytes[index - 1]) { break }
                    if flowDepth > 0, Self.isFlowIndicator(next) { break }
                    index += 1
                }
                if byte() == UInt8(ascii: ":") {
                    let key = String(decoding: bytes[start..<index], as: UTF8.self)
                        .trimmingCharacters(in: .whitespaces)
                    if flowDepth > 0 {
                        flowKey = key
                    } else {
                        keys.append((indent + 2 * blockDepthOnLine, key))
                        if keys.count + flowDepth > maxDepth { return problem("nests deeper than \(maxDepth) levels") }
                    }
                }
                nodeStart = false
            }
            return nil
        }

        /// What may not start a node: anchors, aliases, merge keys and explicit (`?`) keys.
        func checkNodeStart(_ current: UInt8) -> Problem? {
            switch current {
            case UInt8(ascii: "&") where !Self.isBlank(byte(1)):
                return problem("uses a YAML anchor ('&'); anchors and aliases are not accepted. Write the value out")
            case UInt8(ascii: "*") where !Self.isBlank(byte(1)):
                return problem("uses a YAML alias ('*'); anchors and aliases are not accepted. Write the value out")
            case UInt8(ascii: "?") where Self.isBlank(byte(1)):
                return problem("uses an explicit key ('? '); only plain scalar keys are accepted")
            case UInt8(ascii: "<") where byte(1) == UInt8(ascii: "<"):
                return problem("uses a merge key ('<<'); write the fields out")
            default:
                return nil
            }
        }

        mutating func skipToLineEnd() {
            while let current = byte(), current != Self.newline { index += 1 }
            if byte() == Self.newline {
                index += 1
                line += 1
            }
        }

        /// Skips a quoted scalar, which may span lines; `''` escapes a single quote, `\` escapes in double quotes.
        mutating func skipQuoted(_ quote: UInt8) -> Problem? {
            let opened = line
            index += 1
            while let current = byte() {
                if current == 0 { return problem("contains a NUL byte") }
                if current == Self.newline { line += 1 }
                if quote == UInt8(ascii: "\""), current == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if current == quote {
                    if quote == UInt8(ascii: "'"), byte(1) == quote {
                        index += 2
                        continue
                    }
                    index += 1
                    return nil
                }
                index += 1
            }
            return Problem(line: opened, field: field, message: "has a quoted string that is never closed")
        }

        /// Skips a `|` or `>` block scalar: the rest of its header line, then every line indented deeper than the
        /// line that opened it (and blank lines).
        mutating func skipBlockScalar(parentIndent: Int) {
            skipToLineEnd()
            while index < bytes.count {
                var offset = 0
                while index + offset < bytes.count, bytes[index + offset] == Self.space { offset += 1 }
                let next = index + offset < bytes.count ? bytes[index + offset] : Self.newline
                let blank = next == Self.newline || next == Self.carriageReturn
                guard blank || offset > parentIndent else { return }
                index += offset
                skipToLineEnd()
            }
        }
    }

    // MARK: - Check after composing

    /// Every mapping key a scalar; at most `maxNodes` nodes. Iterative, so deep input cannot exhaust the stack.
    static func checkComposed(_ root: Node, file: String, limits: Limits) throws(CatalogueError) {
        var pending = [root]
        var count = 0
        while let node = pending.popLast() {
            count += 1
            if count > limits.maxNodes {
                throw CatalogueError(file: file, message: "has more than \(limits.maxNodes) YAML nodes")
            }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    guard case .scalar = key else {
                        throw CatalogueError(
                            file: file,
                            line: key.mark?.line,
                            message: "has a mapping key that is not a plain value; only scalar keys are accepted"
                        )
                    }
                    pending.append(value)
                }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            case .scalar, .alias:
                break
            }
        }
    }
}
