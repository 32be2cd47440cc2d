/// Two CUDA events on the default stream: device time of what is enqueued between them.
final class EventTimer {
    private let runtime: CUDARuntime
    private let start: OpaquePointer
    private let stop: OpaquePointer

    init(_ runtime: CUDARuntime) throws(MeasureError) {
        var start: OpaquePointer?
        var stop: OpaquePointer?
        try runtime.check(runtime.eventCreate(&start), "cudaEventCreate")
        try runtime.check(runtime.eventCreate(&stop), "cudaEventCreate")
        guard let start, let stop else { throw .invalid("cudaEventCreate returned no event") }
        self.runtime = runtime
        self.start = start
        self.stop = stop
    }

    deinit {
        _ = runtime.eventDestroy(start)
        _ = runtime.eventDestroy(stop)
    }

    /// Seconds of device time taken by what `body` enqueues on the default stream.
    func seconds(_ body: () throws(MeasureError) -> Void) throws(MeasureError) -> Double {
        try runtime.check(runtime.eventRecord(start, nil), "cudaEventRecord")
        try body()
        try runtime.check(runtime.eventRecord(stop, nil), "cudaEventRecord")
        try runtime.check(runtime.eventSynchronize(stop), "cudaEventSynchronize")
        var milliseconds: Float = 0
        try runtime.check(runtime.eventElapsedTime(&milliseconds, start, stop), "cudaEventElapsedTime")
        return Double(milliseconds) / 1000
    }
}
