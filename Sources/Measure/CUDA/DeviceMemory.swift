/// Device memory, freed when the last reference goes.
final class DeviceMemory {
    let pointer: UnsafeMutableRawPointer
    let bytes: Int
    private let runtime: CUDARuntime

    init(_ runtime: CUDARuntime, bytes: Int) throws(MeasureError) {
        var pointer: UnsafeMutableRawPointer?
        try runtime.check(runtime.malloc(&pointer, bytes), "cudaMalloc(\(bytes) bytes)")
        guard let pointer else { throw .invalid("cudaMalloc(\(bytes) bytes) returned no memory") }
        self.pointer = pointer
        self.bytes = bytes
        self.runtime = runtime
    }

    deinit { _ = runtime.free(pointer) }
}

/// Page-locked host memory (cudaMallocHost), so that host↔device copies run at link speed.
final class PinnedMemory {
    let pointer: UnsafeMutableRawPointer
    let bytes: Int
    private let runtime: CUDARuntime

    init(_ runtime: CUDARuntime, bytes: Int) throws(MeasureError) {
        var pointer: UnsafeMutableRawPointer?
        try runtime.check(runtime.mallocHost(&pointer, bytes), "cudaMallocHost(\(bytes) bytes)")
        guard let pointer else { throw .invalid("cudaMallocHost(\(bytes) bytes) returned no memory") }
        self.pointer = pointer
        self.bytes = bytes
        self.runtime = runtime
    }

    deinit { _ = runtime.freeHost(pointer) }
}
