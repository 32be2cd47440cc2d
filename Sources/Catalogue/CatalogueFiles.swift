public import Foundation

/// Where catalogue YAML files are found: the package's resources and user directories.
public enum CatalogueFiles {
    /// The environment variable naming user catalogue directories (colon-separated).
    public static let environmentVariable = "PARITY_CATALOGUE"

    /// The built-in resource folder of the given kind (`chips`, `models`, …).
    public static func builtInDirectory(_ kind: String) -> URL? {
        Bundle.module.url(forResource: "Resources", withExtension: nil)?.appendingPathComponent(kind)
    }

    /// User directories from the environment variable, then the explicit ones (later ones win).
    public static func userDirectories(
        explicit: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [URL] {
        let fromEnvironment = (environment[environmentVariable] ?? "").split(separator: ":").map(String.init)
        return (fromEnvironment + explicit).filter { !$0.isEmpty }.map { URL(fileURLWithPath: $0) }
    }

    /// YAML files of a kind in a directory: those in `<dir>/<kind>/`, and for chips also `<dir>/*.yaml`.
    static func yamlFiles(in directory: URL, kind: String, includeTopLevel: Bool) throws(CatalogueError) -> [URL] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CatalogueError(file: directory.path, message: "is not a directory of catalogue files")
        }
        var folders = [directory.appendingPathComponent(kind)]
        if includeTopLevel { folders.append(directory) }
        var files: [URL] = []
        for folder in folders {
            guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else { continue }
            files += names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { folder.appendingPathComponent($0) }
        }
        return files
    }

    /// Reads a file as UTF-8 text.
    package static func read(_ url: URL, displayName: String) throws(CatalogueError) -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CatalogueError(file: displayName, message: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CatalogueError(file: displayName, message: "is not UTF-8 text")
        }
        return text
    }
}

/// Closest identifiers to a mistyped one, by edit distance and substring match.
enum Suggestions {
    static func closest(to query: String, among candidates: [String], limit: Int = 3) -> [String] {
        let needle = normalise(query)
        let scored = candidates.map { candidate -> (String, Int) in
            let hay = normalise(candidate)
            var score = editDistance(needle, hay)
            if !needle.isEmpty, hay.contains(needle) || needle.contains(hay) { score = min(score, 1) }
            return (candidate, score)
        }
        let threshold = max(2, needle.count / 2)
        return scored.filter { $0.1 <= threshold }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }

    static func normalise(_ text: String) -> String {
        String(text.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
