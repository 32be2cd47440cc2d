import Foundation
package import Yams

/// Reads fields out of a composed YAML document, turning every problem into a `CatalogueError`
/// that names the file, line and dotted field.
package struct YAMLReader {
    package let file: String
    package let root: Node

    /// Parses `text`; a syntax error becomes a `CatalogueError` with the line libyaml reported.
    package init(text: String, file: String, limits: SafeYAML.Limits = .files) throws(CatalogueError) {
        self.file = file
        let node = try SafeYAML.compose(text, file: file, limits: limits)
        guard let node, case .mapping = node else {
            throw CatalogueError(file: file, line: 1, message: "must be a YAML mapping of fields")
        }
        self.root = node
    }

    package static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    package static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)"
        }
    }

    // MARK: - Navigation

    /// The node at a dotted path below `node`, or `nil` when absent.
    package func child(_ node: Node, _ key: String) -> Node? {
        guard case .mapping(let mapping) = node else { return nil }
        return mapping[key]
    }

    package func error(_ node: Node?, _ field: String, _ message: String) -> CatalogueError {
        CatalogueError(file: file, line: node?.mark?.line, field: field, message: message)
    }

    package func require(_ node: Node, _ key: String, path: String) throws(CatalogueError) -> Node {
        guard let value = child(node, key), value != Node("~"), !isNull(value) else {
            throw error(node, path, "is missing")
        }
        return value
    }

    package func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain, ["", "~", "null"].contains(scalar.string) {
            return true
        }
        return false
    }

    package func string(_ node: Node, path: String) throws(CatalogueError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw error(node, path, "must be a non-empty string")
        }
        return scalar.string
    }

    package func int(_ node: Node, path: String) throws(CatalogueError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            throw error(node, path, "must be a whole number, got '\(node.string ?? "?")'")
        }
        return value
    }

    package func double(_ node: Node, path: String) throws(CatalogueError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string.replacingOccurrences(of: "_", with: ""))
        else {
            throw error(node, path, "must be a number, got '\(node.string ?? "?")'")
        }
        return value
    }

    package func bool(_ node: Node, path: String) throws(CatalogueError) -> Bool {
        guard let value = node.bool else {
            throw error(node, path, "must be true or false")
        }
        return value
    }

    package func stringList(_ node: Node, path: String) throws(CatalogueError) -> [String] {
        guard case .sequence(let sequence) = node else {
            throw error(node, path, "must be a list of strings")
        }
        var result: [String] = []
        for item in sequence { result.append(try string(item, path: path)) }
        return result
    }

    /// Keys of a mapping, for rejecting unknown fields.
    package func keys(_ node: Node) -> [(String, Node)] {
        guard case .mapping(let mapping) = node else { return [] }
        return mapping.compactMap { pair in pair.key.string.map { ($0, pair.key) } }
    }

    package func rejectUnknownKeys(_ node: Node, allowed: Set<String>, path: String) throws(CatalogueError) {
        for (key, keyNode) in keys(node) where !allowed.contains(key) {
            let field = path.isEmpty ? key : "\(path).\(key)"
            let known = allowed.sorted().joined(separator: ", ")
            throw error(keyNode, field, "is not a known field. Known here: \(known)")
        }
    }

    // MARK: - Sourced figures

    /// Reads a `{value, source | estimate, note}` figure. `sources` maps source keys to URLs or documents.
    package func figure<V>(
        _ node: Node,
        path: String,
        sources: [String: String],
        value parse: (Node, String) throws(CatalogueError) -> V
    ) throws(CatalogueError) -> Sourced<V> {
        guard case .mapping = node else {
            throw error(
                node,
                path,
                "must be a mapping like {value: ..., source: KEY} or {value: ..., estimate: \"reason\"}"
            )
        }
        try rejectUnknownKeys(node, allowed: ["value", "source", "estimate", "note", "range"], path: path)
        let valueNode = try require(node, "value", path: "\(path).value")
        let value = try parse(valueNode, "\(path).value")
        var bounds: (lower: V, upper: V)?
        if let rangeNode = child(node, "range") {
            guard case .sequence(let items) = rangeNode, items.count == 2 else {
                throw error(rangeNode, "\(path).range", "must be [low, high] in the value's units")
            }
            bounds = (try parse(items[0], "\(path).range"), try parse(items[1], "\(path).range"))
            if child(node, "estimate") == nil {
                throw error(rangeNode, "\(path).range", "belongs to estimates; a sourced figure has no range")
            }
        }
        let note = try child(node, "note").map { (n: Node) throws(CatalogueError) in try string(n, path: "\(path).note")
        }
        let sourceNode = child(node, "source")
        let estimateNode = child(node, "estimate")
        switch (sourceNode, estimateNode) {
        case (let sourceNode?, nil):
            let key = try string(sourceNode, path: "\(path).source")
            if let resolved = sources[key] {
                return Sourced(value, .spec(source: resolved), note: note)
            }
            if key.hasPrefix("http://") || key.hasPrefix("https://") {
                return Sourced(value, .spec(source: key), note: note)
            }
            throw error(sourceNode, "\(path).source", "names '\(key)', which is not a key of 'sources' nor a URL")
        case (nil, let estimateNode?):
            let reason = try string(estimateNode, path: "\(path).estimate")
            return Sourced(value, .estimate(reason: reason), note: note, lower: bounds?.lower, upper: bounds?.upper)
        case (nil, nil):
            throw error(node, path, "has no source. Add 'source: KEY' or mark it 'estimate: \"reason\"'")
        case (_?, _?):
            throw error(node, path, "has both 'source' and 'estimate'; keep one")
        }
    }

    /// A figure whose value is a quantity with a unit, normalised to the kind's base unit.
    package func quantity(
        _ node: Node,
        path: String,
        kind: QuantityKind,
        sources: [String: String]
    ) throws(CatalogueError) -> Sourced<Double> {
        try figure(node, path: path, sources: sources) { (valueNode: Node, valuePath: String) throws(CatalogueError) in
            guard case .scalar(let scalar) = valueNode else {
                throw error(valueNode, valuePath, "must be a quantity like \(kind.example)")
            }
            switch Quantity.parse(scalar.string, as: kind) {
            case .success(let value): return value
            case .failure(.missingUnit):
                throw error(valueNode, valuePath, "has no unit. Write e.g. \(kind.example)")
            case .failure(.unknownUnit(let unit)):
                let known = kind.units.map(\.0).joined(separator: ", ")
                throw error(valueNode, valuePath, "has unit '\(unit)', expected one of \(known)")
            case .failure(.notANumber(let text)):
                throw error(valueNode, valuePath, "'\(text)' is not a number with a unit like \(kind.example)")
            case .failure(.negative):
                throw error(valueNode, valuePath, "must not be negative")
            }
        }
    }
}
