/// One device's power at one moment, as a vendor tool printed it.
public struct PowerReading: Sendable, Hashable {
    /// The tool's device name: a GPU index, an NPU ID, a card number.
    public var device: String
    public var watts: Double

    public init(device: String, watts: Double) {
        self.device = device
        self.watts = watts
    }
}
