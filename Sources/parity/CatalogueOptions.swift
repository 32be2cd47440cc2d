import ArgumentParser
import Catalogue
import Foundation

/// Options shared by commands that read the catalogue.
struct CatalogueOptions: ParsableArguments {
    @Option(
        name: .customLong("catalogue"),
        help: ArgumentHelp(
            "A directory of extra or overriding chip YAML files (repeatable; also PARITY_CATALOGUE).",
            valueName: "dir"
        )
    )
    var directories: [String] = []

    /// The environment's catalogue directories, then the explicit ones.
    var userDirectories: [URL] { CatalogueFiles.userDirectories(explicit: directories) }

    func loadChips() throws -> ChipCatalogue {
        try ChipCatalogue.load(userDirectories: userDirectories)
    }

    func loadModels() throws -> ModelCatalogue {
        try ModelCatalogue.load(userDirectories: userDirectories)
    }

    func loadDirectives() throws -> DirectiveCatalogue {
        try DirectiveCatalogue.load(userDirectories: userDirectories)
    }
}

/// Prints a one-line error to standard error and exits with status 1.
func fail(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode(1)
}

/// Runs `body`, turning domain errors into one-line messages and exit status 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        throw fail(error)
    }
}

/// `reportingErrors` for async commands (a separate name: the two overloads would be ambiguous with a trailing closure).
func reportingFailures<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        throw fail(error)
    }
}

/// Encodes a value as pretty, key-sorted JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    let data = try encoder.encode(value)
    print(String(decoding: data, as: UTF8.self))
}
