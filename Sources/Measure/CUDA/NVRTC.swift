import Foundation

/// The CUDA run-time compiler (libnvrtc), loaded with dlopen: turns CUDA C++ source into a cubin or PTX image
/// for the device at hand, so that the probe carries no prebuilt device code.
final class NVRTC {
    static let libraryNames = [
        "libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2",
        "/usr/local/cuda/lib64/libnvrtc.so", "/usr/local/cuda/targets/x86_64-linux/lib/libnvrtc.so",
    ]

    typealias Create =
        @convention(c) (
            UnsafeMutablePointer<OpaquePointer?>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32,
            UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?
        ) -> Int32
    typealias Compile = @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    typealias Size = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>?) -> Int32
    typealias Read = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int32
    typealias Destroy = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Int32

    let library: SharedLibrary
    let create: Create
    let compile: Compile
    let logSize: Size
    let log: Read
    let ptxSize: Size
    let ptx: Read
    let cubinSize: Size?
    let cubin: Read?
    let destroy: Destroy

    init(names: [String] = libraryNames) throws(MeasureError) {
        let library = try SharedLibrary(names: names, what: "NVRTC (CUDA run-time compiler)")
        self.library = library
        create = try library.symbol("nvrtcCreateProgram", as: Create.self)
        compile = try library.symbol("nvrtcCompileProgram", as: Compile.self)
        logSize = try library.symbol("nvrtcGetProgramLogSize", as: Size.self)
        log = try library.symbol("nvrtcGetProgramLog", as: Read.self)
        ptxSize = try library.symbol("nvrtcGetPTXSize", as: Size.self)
        ptx = try library.symbol("nvrtcGetPTX", as: Read.self)
        // nvrtcGetCUBIN exists since CUDA 11.1.
        cubinSize = try? library.symbol("nvrtcGetCUBINSize", as: Size.self)
        cubin = try? library.symbol("nvrtcGetCUBIN", as: Read.self)
        destroy = try library.symbol("nvrtcDestroyProgram", as: Destroy.self)
    }

    private func check(_ status: Int32, _ call: String, detail: String? = nil) throws(MeasureError) {
        guard status != 0 else { return }
        throw .invalid(CUDAStatus.message(call: call, code: status, in: .nvrtc, detail: detail))
    }

    /// Compiles `source` with each option set in turn until one succeeds; returns the image (cubin or PTX, with
    /// a terminating NUL for PTX as cuModuleLoadData expects).
    func compile(
        source: String,
        name: String,
        attempts: [(options: [String], cubin: Bool)]
    ) throws(MeasureError) -> [UInt8] {
        var lastError = MeasureError.invalid("NVRTC: no compile options")
        for attempt in attempts where !attempt.cubin || (cubinSize != nil && cubin != nil) {
            do throws(MeasureError) {
                return try compileOnce(source: source, name: name, options: attempt.options, cubin: attempt.cubin)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private func compileOnce(
        source: String,
        name: String,
        options: [String],
        cubin wantsCubin: Bool
    ) throws(MeasureError) -> [UInt8] {
        var program: OpaquePointer?
        try check(create(&program, source, name, 0, nil, nil), "nvrtcCreateProgram")
        defer { _ = destroy(&program) }
        let cOptions = options.map { UnsafePointer<CChar>(strdup($0)) }
        defer { for option in cOptions { Foundation.free(UnsafeMutablePointer(mutating: option)) } }
        let status = cOptions.withUnsafeBufferPointer { compile(program, Int32(options.count), $0.baseAddress) }
        if status != 0 {
            try check(status, "nvrtcCompileProgram(\(options.joined(separator: " ")))", detail: programLog(program))
        }
        var size = 0
        if wantsCubin, let cubinSize, let cubin {
            try check(cubinSize(program, &size), "nvrtcGetCUBINSize")
            var image = [UInt8](repeating: 0, count: size)
            let status = image.withUnsafeMutableBytes {
                cubin(program, $0.baseAddress?.assumingMemoryBound(to: CChar.self))
            }
            try check(status, "nvrtcGetCUBIN")
            return image
        }
        try check(ptxSize(program, &size), "nvrtcGetPTXSize")
        var image = [UInt8](repeating: 0, count: size + 1)
        let readStatus = image.withUnsafeMutableBytes {
            ptx(program, $0.baseAddress?.assumingMemoryBound(to: CChar.self))
        }
        try check(readStatus, "nvrtcGetPTX")
        return image
    }

    private func programLog(_ program: OpaquePointer?) -> String {
        var size = 0
        guard logSize(program, &size) == 0, size > 1 else { return "" }
        var text = [CChar](repeating: 0, count: size + 1)
        guard log(program, &text) == 0 else { return "" }
        let utf8 = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: utf8, as: UTF8.self).split(separator: "\n").prefix(5).joined(separator: "; ")
    }
}
