/// The readings of one moment: seconds from the recorder's start, and watts per device.
public struct PowerSample: Sendable, Hashable {
    public var time: Double
    public var readings: [PowerReading]

    public init(time: Double, readings: [PowerReading]) {
        self.time = time
        self.readings = readings
    }

    public var totalWatts: Double { readings.map(\.watts).reduce(0, +) }
}
