/// Names of the status codes the CUDA libraries return, for error messages that say what failed and how.
/// Values from cuda_runtime_api.h / driver_types.h, cublas_api.h, nvrtc.h and nccl.h.
enum CUDAStatus {
    enum Library: String, Sendable {
        case runtime = "CUDA runtime"
        case driver = "CUDA driver"
        case cublas = "cuBLASLt"
        case nvrtc = "NVRTC"
        case nccl = "NCCL"
    }

    /// The symbolic name of `code` in `library`, or `nil` when this table does not know it.
    static func name(_ code: Int32, in library: Library) -> String? {
        switch library {
        case .runtime:
            [
                0: "cudaSuccess", 1: "cudaErrorInvalidValue", 2: "cudaErrorMemoryAllocation",
                3: "cudaErrorInitializationError", 35: "cudaErrorInsufficientDriver", 46: "cudaErrorDevicesUnavailable",
                100: "cudaErrorNoDevice", 101: "cudaErrorInvalidDevice", 209: "cudaErrorNoKernelImageForDevice",
                222: "cudaErrorUnsupportedPtxVersion", 700: "cudaErrorIllegalAddress", 999: "cudaErrorUnknown",
            ][code]
        case .driver:
            [
                0: "CUDA_SUCCESS", 1: "CUDA_ERROR_INVALID_VALUE", 2: "CUDA_ERROR_OUT_OF_MEMORY",
                3: "CUDA_ERROR_NOT_INITIALIZED", 100: "CUDA_ERROR_NO_DEVICE", 200: "CUDA_ERROR_INVALID_IMAGE",
                201: "CUDA_ERROR_INVALID_CONTEXT", 209: "CUDA_ERROR_NO_BINARY_FOR_GPU", 218: "CUDA_ERROR_INVALID_PTX",
                222: "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", 500: "CUDA_ERROR_NOT_FOUND",
                700: "CUDA_ERROR_ILLEGAL_ADDRESS", 701: "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
            ][code]
        case .cublas:
            [
                0: "CUBLAS_STATUS_SUCCESS", 1: "CUBLAS_STATUS_NOT_INITIALIZED", 3: "CUBLAS_STATUS_ALLOC_FAILED",
                7: "CUBLAS_STATUS_INVALID_VALUE", 8: "CUBLAS_STATUS_ARCH_MISMATCH", 11: "CUBLAS_STATUS_MAPPING_ERROR",
                13: "CUBLAS_STATUS_EXECUTION_FAILED", 14: "CUBLAS_STATUS_INTERNAL_ERROR",
                15: "CUBLAS_STATUS_NOT_SUPPORTED", 16: "CUBLAS_STATUS_LICENSE_ERROR",
            ][code]
        case .nvrtc:
            [
                0: "NVRTC_SUCCESS", 1: "NVRTC_ERROR_OUT_OF_MEMORY", 2: "NVRTC_ERROR_PROGRAM_CREATION_FAILURE",
                3: "NVRTC_ERROR_INVALID_INPUT", 4: "NVRTC_ERROR_INVALID_PROGRAM", 5: "NVRTC_ERROR_INVALID_OPTION",
                6: "NVRTC_ERROR_COMPILATION", 7: "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE",
            ][code]
        case .nccl:
            [
                0: "ncclSuccess", 1: "ncclUnhandledCudaError", 2: "ncclSystemError", 3: "ncclInternalError",
                4: "ncclInvalidArgument", 5: "ncclInvalidUsage", 6: "ncclRemoteError", 7: "ncclInProgress",
                8: "ncclTimeout",
            ][code]
        }
    }

    /// One line for a failed call: `cublasLtMatmul failed: CUBLAS_STATUS_NOT_SUPPORTED (15) — detail`.
    static func message(call: String, code: Int32, in library: Library, detail: String? = nil) -> String {
        let name = name(code, in: library) ?? "\(library.rawValue) status"
        let suffix = detail.map { $0.isEmpty ? "" : " — \($0)" } ?? ""
        return "\(call) failed: \(name) (\(code))\(suffix)"
    }
}
