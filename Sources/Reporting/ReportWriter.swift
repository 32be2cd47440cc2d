public import Assessment
public import Foundation

/// Writes `index.html`, `report.md`, `report.json` and, when signed, `bundle.json` into a folder.
public enum ReportWriter {
    public struct Written: Sendable {
        public var html: URL
        public var markdown: URL
        public var json: URL
        public var bundle: URL?
    }

    public static func write(
        _ assessment: Assessment,
        to directory: URL,
        signingKey: SigningKey? = nil
    ) throws -> Written {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let html = directory.appendingPathComponent("index.html")
        let markdown = directory.appendingPathComponent("report.md")
        let json = directory.appendingPathComponent("report.json")
        try Data(HTMLReport.render(assessment).utf8).write(to: html, options: .atomic)
        try Data(MarkdownReport.render(assessment).utf8).write(to: markdown, options: .atomic)
        var pretty = try CanonicalJSON.encodePretty(assessment)
        pretty.append(0x0A)
        try pretty.write(to: json, options: .atomic)
        var bundle: URL?
        if let signingKey {
            let url = directory.appendingPathComponent("bundle.json")
            try SignedBundle.sign(assessment, with: signingKey).write(to: url, options: .atomic)
            bundle = url
        }
        return Written(html: html, markdown: markdown, json: json, bundle: bundle)
    }
}
