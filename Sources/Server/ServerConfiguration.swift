/// How `parity server` listens and what it accepts.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted; larger ones get 413.
    public var maxBodyBytes: Int
    /// How long a looked-up token is trusted for reads before it is read again; writes always read it afresh.
    public var tokenCacheSeconds: Double
    /// A connection with no request in flight and nothing read for this long is closed.
    public var idleTimeoutSeconds: Int
    /// A request body must arrive within this many seconds (a client trickling bytes is cut off with 408).
    public var bodyTimeoutSeconds: Double
    /// Most chips one vendor may add to the store.
    public var maxChipsPerVendor: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = 1 << 20,
        tokenCacheSeconds: Double = 1,
        idleTimeoutSeconds: Int = 30,
        bodyTimeoutSeconds: Double = 10,
        maxChipsPerVendor: Int = 100
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.tokenCacheSeconds = tokenCacheSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.bodyTimeoutSeconds = bodyTimeoutSeconds
        self.maxChipsPerVendor = maxChipsPerVendor
    }
}
