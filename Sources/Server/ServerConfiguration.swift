/// How `parity server` listens and what it accepts.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted; larger ones get 413.
    public var maxBodyBytes: Int
    /// How long a looked-up token is trusted before it is read again (CLI revocations take this long).
    public var tokenCacheSeconds: Double

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = 1 << 20,
        tokenCacheSeconds: Double = 5
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.tokenCacheSeconds = tokenCacheSeconds
    }
}
