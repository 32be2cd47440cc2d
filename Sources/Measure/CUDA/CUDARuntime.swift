import Foundation

/// The CUDA runtime (libcudart), loaded with dlopen so that Parity builds and runs where CUDA is absent and
/// says clearly what it looked for. One instance per run; every call checks its status.
public final class CUDARuntime {
    public static let libraryNames = [
        "libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0",
        "/usr/local/cuda/lib64/libcudart.so", "/usr/local/cuda/targets/x86_64-linux/lib/libcudart.so",
        "/usr/local/cuda/targets/sbsa-linux/lib/libcudart.so",
    ]

    // MARK: - C signatures (cuda_runtime_api.h)

    typealias GetCount = @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32
    typealias SetDevice = @convention(c) (Int32) -> Int32
    typealias Malloc = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int) -> Int32
    typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    typealias Memcpy = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias MemcpyAsync =
        @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int, Int32, OpaquePointer?) -> Int32
    typealias MemsetAsync = @convention(c) (UnsafeMutableRawPointer?, Int32, Int, OpaquePointer?) -> Int32
    typealias HandleCreate = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias HandleCall = @convention(c) (OpaquePointer?) -> Int32
    typealias EventRecord = @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    typealias EventElapsed = @convention(c) (UnsafeMutablePointer<Float>?, OpaquePointer?, OpaquePointer?) -> Int32
    typealias Synchronize = @convention(c) () -> Int32
    typealias GetAttribute = @convention(c) (UnsafeMutablePointer<Int32>?, Int32, Int32) -> Int32
    typealias MemGetInfo = @convention(c) (UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int>?) -> Int32
    typealias GetProperties = @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32
    typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?

    /// `cudaMemcpyKind`.
    enum CopyKind: Int32 {
        case hostToDevice = 1
        case deviceToHost = 2
        case deviceToDevice = 3
    }

    /// `cudaDeviceAttr` values used here.
    enum Attribute: Int32 {
        case clockRateKHz = 13
        case multiprocessors = 16
        case l2CacheBytes = 38
        case computeCapabilityMajor = 75
        case computeCapabilityMinor = 76
    }

    let library: SharedLibrary
    let getDeviceCount: GetCount
    let setDeviceCall: SetDevice
    let malloc: Malloc
    let free: Free
    let mallocHost: Malloc
    let freeHost: Free
    let memcpy: Memcpy
    let memcpyAsync: MemcpyAsync
    let memsetAsync: MemsetAsync
    let eventCreate: HandleCreate
    let eventDestroy: HandleCall
    let eventRecord: EventRecord
    let eventSynchronize: HandleCall
    let eventElapsedTime: EventElapsed
    let streamCreate: HandleCreate
    let streamDestroy: HandleCall
    let streamSynchronize: HandleCall
    let deviceSynchronize: Synchronize
    let getAttribute: GetAttribute
    let driverGetVersion: GetCount
    let runtimeGetVersion: GetCount
    let memGetInfo: MemGetInfo
    let getProperties: GetProperties
    let errorString: ErrorString

    init() throws(MeasureError) {
        let library = try SharedLibrary(names: Self.libraryNames, what: "CUDA runtime")
        self.library = library
        getDeviceCount = try library.symbol("cudaGetDeviceCount", as: GetCount.self)
        setDeviceCall = try library.symbol("cudaSetDevice", as: SetDevice.self)
        malloc = try library.symbol("cudaMalloc", as: Malloc.self)
        free = try library.symbol("cudaFree", as: Free.self)
        mallocHost = try library.symbol("cudaMallocHost", as: Malloc.self)
        freeHost = try library.symbol("cudaFreeHost", as: Free.self)
        memcpy = try library.symbol("cudaMemcpy", as: Memcpy.self)
        memcpyAsync = try library.symbol("cudaMemcpyAsync", as: MemcpyAsync.self)
        memsetAsync = try library.symbol("cudaMemsetAsync", as: MemsetAsync.self)
        eventCreate = try library.symbol("cudaEventCreate", as: HandleCreate.self)
        eventDestroy = try library.symbol("cudaEventDestroy", as: HandleCall.self)
        eventRecord = try library.symbol("cudaEventRecord", as: EventRecord.self)
        eventSynchronize = try library.symbol("cudaEventSynchronize", as: HandleCall.self)
        eventElapsedTime = try library.symbol("cudaEventElapsedTime", as: EventElapsed.self)
        streamCreate = try library.symbol("cudaStreamCreate", as: HandleCreate.self)
        streamDestroy = try library.symbol("cudaStreamDestroy", as: HandleCall.self)
        streamSynchronize = try library.symbol("cudaStreamSynchronize", as: HandleCall.self)
        deviceSynchronize = try library.symbol("cudaDeviceSynchronize", as: Synchronize.self)
        getAttribute = try library.symbol("cudaDeviceGetAttribute", as: GetAttribute.self)
        driverGetVersion = try library.symbol("cudaDriverGetVersion", as: GetCount.self)
        runtimeGetVersion = try library.symbol("cudaRuntimeGetVersion", as: GetCount.self)
        memGetInfo = try library.symbol("cudaMemGetInfo", as: MemGetInfo.self)
        // CUDA 12 headers map cudaGetDeviceProperties to the _v2 symbol; the device name is the first field of
        // cudaDeviceProp in every version, which is all that is read here.
        if let v2 = try? library.symbol("cudaGetDeviceProperties_v2", as: GetProperties.self) {
            getProperties = v2
        } else {
            getProperties = try library.symbol("cudaGetDeviceProperties", as: GetProperties.self)
        }
        errorString = try library.symbol("cudaGetErrorString", as: ErrorString.self)
    }

    /// Number of visible devices; throws "no CUDA runtime found (looked for …)" without a runtime.
    public static func deviceCount() throws(MeasureError) -> Int {
        try CUDARuntime().deviceCount()
    }

    // MARK: - Calls

    func check(_ status: Int32, _ call: String) throws(MeasureError) {
        guard status != 0 else { return }
        let detail = errorString(status).map { String(cString: $0) }
        throw .invalid(CUDAStatus.message(call: call, code: status, in: .runtime, detail: detail))
    }

    func deviceCount() throws(MeasureError) -> Int {
        var devices: Int32 = 0
        let status = getDeviceCount(&devices)
        // No device: zero devices, not an error of the probe.
        if status == 100 { return 0 }
        if status == 35 {
            throw .invalid(
                "cudaGetDeviceCount: the NVIDIA driver is older than this CUDA runtime (\(library.path)); "
                    + "put a runtime of the driver's CUDA version first on LD_LIBRARY_PATH"
            )
        }
        try check(status, "cudaGetDeviceCount")
        return Int(devices)
    }

    func setDevice(_ device: Int) throws(MeasureError) {
        try check(setDeviceCall(Int32(device)), "cudaSetDevice(\(device))")
        // cudaFree(NULL) initialises the primary context, which the driver API (NVRTC modules) then uses.
        try check(free(nil), "cudaFree(NULL)")
    }

    func attribute(_ attribute: Attribute, device: Int) throws(MeasureError) -> Int {
        var value: Int32 = 0
        try check(getAttribute(&value, attribute.rawValue, Int32(device)), "cudaDeviceGetAttribute(\(attribute))")
        return Int(value)
    }

    /// Library names with those of the loaded runtime's major version first, so that cuBLASLt and NVRTC of one
    /// CUDA release are not mixed with a runtime of another.
    func preferringOwnMajor(_ names: [String], stem: String) -> [String] {
        Self.ordered(names, stem: stem, runtimeVersion: try? version(driver: false))
    }

    /// `names` with `<stem>.so.<major of runtimeVersion>` first (versions as CUDA writes them: 12090 is 12.9).
    static func ordered(_ names: [String], stem: String, runtimeVersion: Int?) -> [String] {
        guard let runtimeVersion, runtimeVersion >= 1000 else { return names }
        let own = "\(stem).so.\(runtimeVersion / 1000)"
        return [own] + names.filter { $0 != own }
    }

    func version(driver: Bool) throws(MeasureError) -> Int {
        var value: Int32 = 0
        try check(
            driver ? driverGetVersion(&value) : runtimeGetVersion(&value),
            driver ? "cudaDriverGetVersion" : "cudaRuntimeGetVersion"
        )
        return Int(value)
    }

    /// Total device memory of the current device in bytes.
    func totalMemory() throws(MeasureError) -> Int {
        var free = 0
        var total = 0
        try check(memGetInfo(&free, &total), "cudaMemGetInfo")
        return total
    }

    func deviceName(_ device: Int) throws(MeasureError) -> String {
        // cudaDeviceProp is about 1 KiB; 16 KiB leaves room for future fields.
        let properties = UnsafeMutableRawPointer.allocate(byteCount: 16 << 10, alignment: 16)
        defer { properties.deallocate() }
        properties.initializeMemory(as: UInt8.self, repeating: 0, count: 16 << 10)
        try check(getProperties(properties, Int32(device)), "cudaGetDeviceProperties")
        return String(cString: properties.assumingMemoryBound(to: CChar.self))
    }

    func copy(
        to destination: UnsafeMutableRawPointer,
        from source: UnsafeRawPointer,
        bytes: Int,
        _ kind: CopyKind
    ) throws(MeasureError) {
        try check(memcpy(destination, source, bytes, kind.rawValue), "cudaMemcpy(\(kind), \(bytes) bytes)")
    }

    func copyAsync(
        to destination: UnsafeMutableRawPointer,
        from source: UnsafeRawPointer,
        bytes: Int,
        _ kind: CopyKind,
        stream: OpaquePointer? = nil
    ) throws(MeasureError) {
        try check(
            memcpyAsync(destination, source, bytes, kind.rawValue, stream),
            "cudaMemcpyAsync(\(kind), \(bytes) bytes)"
        )
    }

    func synchronize() throws(MeasureError) {
        try check(deviceSynchronize(), "cudaDeviceSynchronize")
    }
}
