import Foundation
import Measure
import ParityTesting
import Reporting
import Store
import Testing

@Suite struct ServerSecurityTests {
    @Test(arguments: StoreKind.available)
    func tokensAreRequiredAndChecked(kind: StoreKind) async throws {
        try await Harness.withServer(kind) { harness in
            let missing = try await harness.request(.GET, "/v1/chips")
            #expect(missing.status == 401)
            #expect(
                try missing.json()["error"] as? String == "missing bearer token: send 'Authorization: Bearer TOKEN'"
            )
            #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let wrong = try await harness.request(.GET, "/v1/chips", token: "pty_not-a-real-token")
            #expect(wrong.status == 401)
            let malformed = try await harness.request(.GET, "/v1/results", headers: [("Authorization", "Basic abc")])
            #expect(malformed.status == 401)
            #expect(try await harness.request(.GET, "/v1/chips", token: "reviewer").status == 200)
            // Revoked through the API: refused at once.
            #expect(try await harness.request(.GET, "/v1/results", token: "nvidia").status == 200)
            let revoke = try await harness.request(.DELETE, "/v1/tokens/tok-nvidia", token: "admin")
            #expect(revoke.status == 200)
            #expect(try revoke.json()["revokedAt"] != nil)
            #expect(try await harness.request(.GET, "/v1/results", token: "nvidia").status == 401)
            // Only admins manage tokens.
            #expect(try await harness.request(.GET, "/v1/tokens", token: "reviewer").status == 403)
            #expect(try await harness.request(.GET, "/v1/tokens", token: "huawei").status == 403)
            let listed = try await harness.request(.GET, "/v1/tokens", token: "admin")
            #expect(listed.status == 200)
            #expect(!listed.text.contains(harness.tokens["admin"] ?? "?"), "secrets are never listed")
            #expect(!listed.text.contains("hash"))
        }
    }

    @Test(arguments: StoreKind.available)
    func submissionsAreCheckedBeforeAnythingIsStored(kind: StoreKind) async throws {
        try await Harness.withServer(kind, maxBodyBytes: 64 * 1024) { harness in
            let ascend = StoreFixture.result("sec-1", chip: "ascend-910b")
            let bundle = try harness.bundle([ascend])

            // A vendor may submit only its own chips.
            let foreign = try await harness.submit(bundle, as: "nvidia", key: "k1")
            #expect(foreign.status == 403)
            #expect(
                try foreign.json()["error"] as? String ?? ""
                    == "result sec-1: a vendor:nvidia token cannot submit results for ascend-910b (Huawei)"
            )
            #expect(try await harness.submit(bundle, as: "reviewer", key: "k1").status == 403)

            // Malformed JSON, unknown versions and bad signatures: 400 with a message.
            let garbage = try await harness.submit(Data("{not json".utf8), as: "huawei", key: "k2")
            #expect(garbage.status == 400)
            #expect(try garbage.json()["error"] as? String == "bundle rejected: not a JSON object")
            var object = try #require(try JSONSerialization.jsonObject(with: bundle) as? [String: String])
            object["schema"] = "parity.bundle/2"
            let future = try CanonicalJSON.encode(object) + Data([0x0A])
            let unknown = try await harness.submit(future, as: "huawei", key: "k3")
            #expect(unknown.status == 400)
            #expect(try unknown.json()["error"] as? String == "bundle rejected: unsupported schema 'parity.bundle/2'")
            let payloadV2 = try SignedBundle.sign(
                payload: Data(#"{"results":[],"schema":"parity.results/3"}"#.utf8),
                payloadType: "parity.results/3",
                with: harness.key(for: "ascend-910b")
            )
            let unknownPayload = try await harness.submit(payloadV2, as: "huawei", key: "k4")
            #expect(unknownPayload.status == 400)
            #expect(
                try unknownPayload.json()["error"] as? String
                    == "bundle rejected: unsupported payload type 'parity.results/3'"
            )
            var tampered = try #require(try JSONSerialization.jsonObject(with: bundle) as? [String: String])
            let other = try SignedBundle.sign(
                [StoreFixture.result("sec-2", chip: "ascend-910b")],
                with: harness.key(for: "ascend-910b")
            )
            let otherObject = try #require(try JSONSerialization.jsonObject(with: other) as? [String: String])
            tampered["signature"] = otherObject["signature"]
            let badSignature = try await harness.submit(
                try CanonicalJSON.encode(tampered) + Data([0x0A]),
                as: "huawei",
                key: "k5"
            )
            #expect(badSignature.status == 400)
            #expect(
                try badSignature.json()["error"] as? String
                    == "bundle rejected: the signature does not match the content"
            )
            let unknownChip = try await harness.submit(
                try harness.bundle([StoreFixture.result("sec-3", chip: "no-such-chip")]),
                as: "huawei",
                key: "k6"
            )
            #expect(unknownChip.status == 400)

            // Missing idempotency key, and a body over the limit.
            let noKey = try await harness.request(.POST, "/v1/submissions", token: "huawei", body: bundle)
            #expect(noKey.status == 400)
            let huge = try await harness.submit(Data(repeating: 0x20, count: 100 * 1024), as: "huawei", key: "k7")
            #expect(huge.status == 413)
            #expect(
                try huge.json()["error"] as? String == "request body is larger than the server's limit",
                "\(huge.text)"
            )

            // None of it was stored; the valid bundle then is.
            #expect(try await harness.store.submissions(SubmissionFilter()).isEmpty)
            #expect(try await harness.store.results(ResultFilter()).isEmpty)
            #expect(try await harness.submit(bundle, as: "huawei", key: "k8").status == 201)
        }
    }

    @Test(arguments: StoreKind.available)
    func rolesLimitReviewsAndReads(kind: StoreKind) async throws {
        try await Harness.withServer(kind) { harness in
            let created = try await harness.submit(
                try harness.bundle([StoreFixture.result("role-1", chip: "mlu590")]),
                as: "cambricon",
                key: "r1"
            )
            #expect(created.status == 201)
            let id = try #require(try created.json()["id"] as? String)
            let review = Data(#"{"decision":"accepted","reason":"reproduced"}"#.utf8)
            #expect(
                try await harness.request(.POST, "/v1/submissions/\(id)/review", token: "cambricon", body: review)
                    .status == 403
            )
            #expect(
                try await harness.request(.POST, "/v1/submissions/\(id)/review", token: "huawei", body: review).status
                    == 403
            )
            #expect(try await harness.request(.GET, "/v1/submissions/\(id)", token: "huawei").status == 404)
            #expect(try await harness.request(.GET, "/v1/results/role-1", token: "huawei").status == 404)
            let noReason = Data(#"{"decision":"rejected","reason":"  "}"#.utf8)
            #expect(
                try await harness.request(.POST, "/v1/submissions/\(id)/review", token: "reviewer", body: noReason)
                    .status == 400
            )
            let bad = Data(#"{"decision":"maybe","reason":"x"}"#.utf8)
            #expect(
                try await harness.request(.POST, "/v1/submissions/\(id)/review", token: "reviewer", body: bad).status
                    == 400
            )
            let malformed = Data("[1,2".utf8)
            #expect(
                try await harness.request(.POST, "/v1/submissions/\(id)/review", token: "reviewer", body: malformed)
                    .status == 400
            )
            let accepted = try await harness.request(
                .POST,
                "/v1/submissions/\(id)/review",
                token: "reviewer",
                body: review
            )
            #expect(accepted.status == 200)
            #expect(try accepted.json()["status"] as? String == "accepted")
            #expect(
                try await harness.request(.POST, "/v1/submissions/\(id)/review", token: "reviewer", body: review).status
                    == 400
            )
            // Accepted results are visible to other vendors, under the submitting vendor's namespace.
            #expect(try await harness.request(.GET, "/v1/results/cambricon:role-1", token: "huawei").status == 200)
            #expect(try await harness.request(.GET, "/v1/results/role-1", token: "cambricon").status == 200)
            #expect(try await harness.request(.GET, "/v1/submissions/nope", token: "reviewer").status == 404)
            #expect(try await harness.request(.GET, "/v1/nothing-here", token: "reviewer").status == 404)
            #expect(try await harness.request(.GET, "/v1/results?limit=0", token: "reviewer").status == 400)
            #expect(try await harness.request(.GET, "/v1/results?since=yesterday", token: "reviewer").status == 400)
            #expect(try await harness.request(.GET, "/v1/results?benchmark=nope", token: "reviewer").status == 400)
        }
    }
}
