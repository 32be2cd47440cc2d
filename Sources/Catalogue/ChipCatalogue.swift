public import Foundation

/// All chips known to Parity: the built-in, sourced files plus any user directories (which may override).
public struct ChipCatalogue: Sendable {
    /// Chips sorted by id.
    public private(set) var chips: [Chip]

    public init(chips: [Chip]) {
        self.chips = chips.sorted { $0.id < $1.id }
    }

    /// Loads the built-in chips, then each user directory in order; a user chip with a built-in id replaces it.
    public static func load(userDirectories: [URL] = []) throws(CatalogueError) -> ChipCatalogue {
        guard let builtIn = CatalogueFiles.builtInDirectory("chips") else {
            throw CatalogueError(message: "the built-in chip catalogue is missing from the package resources")
        }
        var byID: [String: Chip] = [:]
        for url in try CatalogueFiles.yamlFiles(
            in: builtIn.deletingLastPathComponent(),
            kind: "chips",
            includeTopLevel: false
        ) {
            let chip = try loadFile(url, displayName: "chips/\(url.lastPathComponent)")
            if byID[chip.id] != nil {
                throw CatalogueError(
                    file: "chips/\(url.lastPathComponent)",
                    field: "id",
                    message: "'\(chip.id)' is defined twice"
                )
            }
            byID[chip.id] = chip
        }
        for directory in userDirectories {
            for url in try CatalogueFiles.yamlFiles(in: directory, kind: "chips", includeTopLevel: true) {
                let chip = try loadFile(url, displayName: url.path)
                byID[chip.id] = chip
            }
        }
        return ChipCatalogue(chips: Array(byID.values))
    }

    /// Loads one chip file; the file name (without extension) must equal the chip id.
    public static func loadFile(_ url: URL, displayName: String? = nil) throws(CatalogueError) -> Chip {
        let name = displayName ?? url.path
        let text = try CatalogueFiles.read(url, displayName: name)
        let chip = try ChipDecoder.decode(text: text, file: name)
        let stem = url.deletingPathExtension().lastPathComponent
        if stem != chip.id {
            throw CatalogueError(
                file: name,
                line: 1,
                field: "id",
                message: "is '\(chip.id)' but the file is named '\(stem)'; they must match"
            )
        }
        return chip
    }

    /// Parses chip YAML text (for `--custom` specs and tests).
    public static func decode(text: String, file: String) throws(CatalogueError) -> Chip {
        try ChipDecoder.decode(text: text, file: file)
    }

    /// Parses a chip document received over the network, under the request limits (64 KiB, 4,000 nodes).
    package static func decodeRequest(text: String, file: String) throws(CatalogueError) -> Chip {
        try ChipDecoder.decode(text: text, file: file, limits: .request)
    }

    /// The chip with this id or alias (case and punctuation ignored).
    public func chip(_ query: String) throws(UnknownIDError) -> Chip {
        let key = Suggestions.normalise(query)
        if let chip = chips.first(where: { Suggestions.normalise($0.id) == key }) { return chip }
        if let chip = chips.first(where: { $0.aliases.contains { Suggestions.normalise($0) == key } }) { return chip }
        throw UnknownIDError(
            kind: "chip",
            id: query,
            suggestions: Suggestions.closest(to: query, among: chips.map(\.id))
        )
    }
}

extension ChipCatalogue {
    /// Loads a chip file whose name need not match its id (for `--custom` specs).
    public static func loadFileAllowingAnyName(_ url: URL) throws(CatalogueError) -> Chip {
        try ChipDecoder.decode(text: try CatalogueFiles.read(url, displayName: url.path), file: url.path)
    }
}
