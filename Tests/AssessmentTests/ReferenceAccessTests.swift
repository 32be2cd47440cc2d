import Catalogue
import Testing

@testable import Assessment

/// The built-in assessment's references and what a Chinese buyer could obtain of each on a date.
@Suite struct ReferenceAccessTests {
    let chips: ChipCatalogue
    let directives: [Directive]

    init() throws {
        chips = try ChipCatalogue.load()
        directives = try DirectiveCatalogue.load().directives
    }

    func access(on day: String) throws -> [String: ReferenceAccess] {
        let references = ReferenceAccess.builtInReferences.compactMap { try? chips.chip($0) }
        let entries = try ReferenceAccess.evaluate(
            references: references,
            catalogue: chips.chips,
            directives: directives,
            destination: "CN",
            on: try #require(Day(day))
        )
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.chip, $0) })
    }

    @Test func theReferencesAreTheChipsChineseBuyersCouldGet() {
        #expect(ReferenceAccess.builtInReferences == ["h20", "h20-141gb", "rtx-pro-6000d", "h200-sxm"])
    }

    /// H200 (TPP 15,832 < 21,000; 4,800 GB/s < 6,500 GB/s; sold in the US before 15 Jan 2026): case-by-case under
    /// the rule's conditions on 30 Nov 2026, presumption of denial on 1 Dec 2025; China side: per-buyer approval.
    @Test func h200IsObtainableUnderACaseByCaseLicenceFrom2026() throws {
        let now = try #require(try access(on: "2026-11-30")["h200-sxm"])
        #expect(now.eccnClass == "3A090.a")
        #expect(now.usPolicy == "case-by-case")
        #expect(now.conditions.contains { $0.contains("third-party testing") })
        #expect(now.china.contains { $0.hasPrefix("cn-2026-01-h200-import-approval") })
        let before = try #require(try access(on: "2025-12-01")["h200-sxm"])
        #expect(before.usPolicy == "presumption-of-denial")
        #expect(before.access == "blocked")
    }

    /// The H20 is not 3A090 (TPP 296 × 8 = 2,368) but the April 2025 is-informed letter names it.
    @Test func h20NeedsALicenceByNameAndIsDiscouragedInChina() throws {
        let h20 = try #require(try access(on: "2026-11-30")["h20"])
        #expect(h20.eccnClass == "not 3A090")
        #expect(h20.usLicence.hasPrefix("required by us-bis-2025-04-h20-is-informed"))
        #expect(h20.china.contains { $0.hasPrefix("cn-2025-08-h20-guidance: discouraged") })
    }

    /// The CAC told firms to stop testing and ordering the RTX Pro 6000D (17 Sep 2025, press reports only).
    @Test func rtxPro6000DIsBlockedOrUnderReviewOnTheChinaSide() throws {
        let during = try #require(try access(on: "2025-10-01")["rtx-pro-6000d"])
        #expect(
            during.china.contains { $0.hasPrefix("cn-cac-2025-09-rtx-pro-6000d: prohibited (reported-not-confirmed") }
        )
        let now = try #require(try access(on: "2026-11-30")["rtx-pro-6000d"])
        #expect(
            now.china.contains { $0.contains("cn-cac-2025-09-rtx-pro-6000d") && $0.contains("status unknown — review") }
        )
        #expect(now.access != "open")
    }
}
