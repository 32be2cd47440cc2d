/// One message of a conversation's history, as the next turn sends it.
public struct ConversationMessage: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable {
        case user, assistant
    }

    public var role: Role
    public var text: String

    public init(role: Role, text: String) {
        self.role = role
        self.text = text
    }

    /// The history as one completions prompt: `User: …` and `Assistant: …` paragraphs, ending with `Assistant:`
    /// for the reply to come.
    public static func transcript(_ history: [ConversationMessage]) -> String {
        history.map { ($0.role == .user ? "User: " : "Assistant: ") + $0.text }.joined(separator: "\n\n")
            + "\n\nAssistant:"
    }
}
