/// The parts of the CUDA driver API (libcuda) that load and launch NVRTC output: the runtime API has no way to
/// load a module compiled at run time. Uses the primary context that `CUDARuntime.setDevice` made current.
final class CUDADriver {
    static let libraryNames = ["libcuda.so.1", "libcuda.so", "/usr/lib/x86_64-linux-gnu/libcuda.so.1"]

    typealias Initialise = @convention(c) (UInt32) -> Int32
    typealias ModuleLoadData = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafeRawPointer?) -> Int32
    typealias ModuleUnload = @convention(c) (OpaquePointer?) -> Int32
    typealias ModuleGetFunction =
        @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    typealias LaunchKernel =
        @convention(c) (
            OpaquePointer?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, OpaquePointer?,
            UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        ) -> Int32
    typealias ErrorName = @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32

    /// One kernel argument; every kind is 8 bytes, as the kernels here take pointers, sizes and doubles.
    enum Argument {
        case pointer(UnsafeMutableRawPointer)
        case count(Int)
        case double(Double)
    }

    let library: SharedLibrary
    let moduleLoadData: ModuleLoadData
    let moduleUnload: ModuleUnload
    let moduleGetFunction: ModuleGetFunction
    let launchKernel: LaunchKernel
    let errorName: ErrorName

    init() throws(MeasureError) {
        let library = try SharedLibrary(names: Self.libraryNames, what: "CUDA driver (libcuda.so.1)")
        self.library = library
        let initialise = try library.symbol("cuInit", as: Initialise.self)
        moduleLoadData = try library.symbol("cuModuleLoadData", as: ModuleLoadData.self)
        moduleUnload = try library.symbol("cuModuleUnload", as: ModuleUnload.self)
        moduleGetFunction = try library.symbol("cuModuleGetFunction", as: ModuleGetFunction.self)
        launchKernel = try library.symbol("cuLaunchKernel", as: LaunchKernel.self)
        errorName = try library.symbol("cuGetErrorName", as: ErrorName.self)
        try check(initialise(0), "cuInit")
    }

    func check(_ status: Int32, _ call: String) throws(MeasureError) {
        guard status != 0 else { return }
        var name: UnsafePointer<CChar>?
        _ = errorName(status, &name)
        throw .invalid(
            CUDAStatus.message(call: call, code: status, in: .driver, detail: name.map { String(cString: $0) })
        )
    }

    /// Loads a cubin or PTX image into the current context.
    func loadModule(_ image: [UInt8]) throws(MeasureError) -> OpaquePointer {
        var module: OpaquePointer?
        let status = image.withUnsafeBytes { moduleLoadData(&module, $0.baseAddress) }
        try check(status, "cuModuleLoadData")
        guard let module else { throw .invalid("cuModuleLoadData returned no module") }
        return module
    }

    func function(_ name: String, in module: OpaquePointer) throws(MeasureError) -> OpaquePointer {
        var function: OpaquePointer?
        try check(moduleGetFunction(&function, module, name), "cuModuleGetFunction(\(name))")
        guard let function else { throw .invalid("cuModuleGetFunction(\(name)) returned no function") }
        return function
    }

    /// Launches `function` on the default stream with a one-dimensional grid.
    func launch(
        _ function: OpaquePointer,
        blocks: Int,
        threads: Int,
        arguments: [Argument]
    ) throws(MeasureError) {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: 8 * max(1, arguments.count), alignment: 8)
        let parameters = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(1, arguments.count))
        defer {
            storage.deallocate()
            parameters.deallocate()
        }
        for (index, argument) in arguments.enumerated() {
            let slot = storage + 8 * index
            switch argument {
            case .pointer(let pointer): slot.storeBytes(of: UInt(bitPattern: pointer), as: UInt.self)
            case .count(let count): slot.storeBytes(of: UInt64(count), as: UInt64.self)
            case .double(let value): slot.storeBytes(of: value, as: Double.self)
            }
            parameters[index] = slot
        }
        // cuLaunchKernel copies the parameter values before it returns.
        try check(
            launchKernel(function, UInt32(blocks), 1, 1, UInt32(threads), 1, 1, 0, nil, parameters, nil),
            "cuLaunchKernel"
        )
    }
}
