import Catalogue
import Foundation

/// The CUDA backend's entry point: the runtime is loaded with dlopen so that Parity builds and runs where CUDA
/// is absent, and says clearly what it looked for.
public enum CUDARuntime {
    public static let libraryNames = [
        "libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0",
        "/usr/local/cuda/lib64/libcudart.so", "/usr/local/cuda/targets/x86_64-linux/lib/libcudart.so",
    ]

    typealias GetDeviceCount = @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32

    /// Number of visible devices; throws "no CUDA runtime found (looked for …)" without a runtime.
    public static func deviceCount() throws(MeasureError) -> Int {
        let library = try SharedLibrary(names: libraryNames, what: "CUDA runtime")
        let count = try library.symbol("cudaGetDeviceCount", as: GetDeviceCount.self)
        var devices: Int32 = 0
        let status = count(&devices)
        guard status == 0 else { throw .invalid("cudaGetDeviceCount failed with CUDA error \(status)") }
        return Int(devices)
    }
}
