import Foundation
import Testing

@testable import Simulator

@Suite struct RequestScannerTests {
    func fields(_ json: String, chat: Bool = false) -> RequestFields? {
        Array(json.utf8).withUnsafeBytes { RequestScanner.fields(of: $0, chat: chat) }
    }

    @Test func tokenPromptsAndOptionsAreRead() {
        let scanned = fields(
            #"{"model":"m","max_tokens":16,"stream":true,"stream_options":{"include_usage":true},"#
                + #""ignore_eos":true,"prompt":[1, 20,300],"extra":{"a":[1,{"b":"]"}]}}"#
        )
        #expect(scanned == RequestFields(promptTokens: 3, maxTokens: 16, stream: true, includeUsage: true))
    }

    @Test func textIsCountedInWordsAsTheSlowPathDoes() {
        // "a b\nc  d" is four words: escaped whitespace separates as real whitespace does.
        #expect(fields(#"{"prompt":"a b\nc  d","max_completion_tokens":2}"#)?.promptTokens == 4)
        #expect(fields(#"{"prompt":"a b\nc  d","max_completion_tokens":2}"#)?.maxTokens == 2)
        let chat = fields(
            #"{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi there you"}]}"#,
            chat: true
        )
        #expect(chat?.promptTokens == 5 && chat?.stream == false)
    }

    @Test(arguments: [
        #"{"prompt":"caf\u00e9 x"}"#,  // a \u escape: left to JSONSerialization
        #"{"prompt":[[1,2],[3]]}"#,  // a batch
        #"{"prompt":[1,2],"max_tokens":1.5}"#,
        #"{"prompt":[1,2]} x"#,
        #"{"messages":[{"content":[{"type":"text","text":"hi"}]}]}"#,
    ])
    func unusualBodiesFallBack(_ json: String) {
        #expect(fields(json, chat: json.contains("messages")) == nil)
    }
}
