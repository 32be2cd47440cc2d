/// What a bearer token may do: a vendor submits and sees its own work, a reviewer reads everything and decides
/// on submissions, an admin also manages tokens.
public enum Role: Sendable, Hashable, Codable, CustomStringConvertible {
    case vendor(String)
    case reviewer
    case admin

    /// Parses `vendor:NAME`, `reviewer` or `admin` (vendor names are lower-case catalogue vendor slugs).
    public init?(_ text: String) {
        switch text {
        case "reviewer": self = .reviewer
        case "admin": self = .admin
        default:
            guard text.hasPrefix("vendor:") else { return nil }
            let vendor = String(text.dropFirst("vendor:".count))
            guard !vendor.isEmpty,
                vendor.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
            else { return nil }
            self = .vendor(vendor)
        }
    }

    public var description: String {
        switch self {
        case .vendor(let name): "vendor:\(name)"
        case .reviewer: "reviewer"
        case .admin: "admin"
        }
    }

    /// The vendor a vendor token speaks for; `nil` for reviewers and admins.
    public var vendor: String? {
        if case .vendor(let name) = self { return name }
        return nil
    }

    /// Reviewers and admins read everything, including other vendors' drafts.
    public var readsAll: Bool { vendor == nil }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let role = Role(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown role '\(text)'")
            )
        }
        self = role
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
