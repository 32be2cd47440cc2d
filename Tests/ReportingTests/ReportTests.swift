import Assessment
import Foundation
import Testing

@testable import Reporting

@Suite struct ReportTests {
    @Test func htmlIsSelfContainedAndEveryLinkResolves() throws {
        let assessment = try Fixture.builtIn()
        let html = HTMLReport.render(assessment)
        // Nothing is loaded from elsewhere: no scripts, stylesheets, images, frames, fonts or imports.
        for pattern in ["<script", "<link", "<img", "<iframe", "@import", "url(", " src="] {
            #expect(!html.contains(pattern), "report contains \(pattern)")
        }
        #expect(html.contains("<svg"))
        // Charts: one ratio chart per reference, one curve chart per serving workload, one roofline per chip.
        let serving = assessment.suite.filter { $0.kind == .serving }.count
        #expect(serving == 8)
        #expect(html.components(separatedBy: "class=\"chart\"").count - 1 == 2 + serving)
        #expect(html.components(separatedBy: "class=\"chart roofline\"").count - 1 >= 10)
        // Every in-page link points at an element that exists.
        let ids = Set(matches(of: "id=\"([^\"]+)\"", in: html))
        let targets = Set(matches(of: "href=\"#([^\"]+)\"", in: html))
        #expect(!targets.isEmpty)
        #expect(targets.subtracting(ids).isEmpty, "dangling links: \(targets.subtracting(ids).sorted().prefix(5))")
        #expect(html.contains("id=\"src-h20-memory.bandwidth\"") || html.contains("id=\"src-h20-memory_bandwidth\""))
    }

    @Test func markdownCarriesTheMatrixAndSources() throws {
        let assessment = try Fixture.assessment()
        let markdown = MarkdownReport.render(assessment)
        #expect(markdown.contains("## Verdict matrix"))
        #expect(markdown.contains("| FAST |"))
        #expect(markdown.contains("https://example.test/ref"))
        let anchors = Set(matches(of: "<a id=\"([^\"]+)\"></a>", in: markdown))
        let links = Set(matches(of: "\\]\\(#([^)]+)\\)", in: markdown))
        #expect(links.subtracting(anchors).isEmpty)
    }

    @Test func writerProducesAllFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parity-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let assessment = try Fixture.assessment()
        let written = try ReportWriter.write(assessment, to: folder, signingKey: SigningKey.generate())
        let json = try Data(contentsOf: written.json)
        #expect(try CanonicalJSON.decode(Assessment.self, from: json) == assessment)
        let bundle = try Data(contentsOf: try #require(written.bundle))
        #expect(try SignedBundle.verify(bundle).assessment == assessment)
        #expect(try String(contentsOf: written.html, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
    }

    func matches(of pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
