/// NCCL (libnccl), loaded with dlopen: one communicator per visible device in this process (ncclCommInitAll),
/// the collectives nccl-tests measures, all-to-all as grouped send/receive pairs as nccl-tests does it.
final class NCCL {
    static let libraryNames = ["libnccl.so.2", "libnccl.so", "/usr/lib/x86_64-linux-gnu/libnccl.so.2"]

    typealias InitAll = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32, UnsafePointer<Int32>?) -> Int32
    typealias Destroy = @convention(c) (OpaquePointer?) -> Int32
    typealias Group = @convention(c) () -> Int32
    /// ncclAllReduce(send, recv, count, datatype, op, comm, stream) and ncclReduceScatter (recvcount).
    typealias Reduce =
        @convention(c) (
            UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?
        ) -> Int32
    /// ncclAllGather(send, recv, sendcount, datatype, comm, stream).
    typealias Gather =
        @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, OpaquePointer?, OpaquePointer?) ->
        Int32
    /// ncclSend(send, count, datatype, peer, comm, stream) / ncclRecv(recv, count, datatype, peer, comm, stream).
    typealias PointToPoint =
        @convention(c) (UnsafeMutableRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Int32
    typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?

    /// ncclDataType_t ncclFloat32 and ncclRedOp_t ncclSum (nccl.h).
    static let float32: Int32 = 7
    static let sum: Int32 = 0

    let library: SharedLibrary
    let initAll: InitAll
    let destroy: Destroy
    let groupStart: Group
    let groupEnd: Group
    let allReduce: Reduce
    let reduceScatter: Reduce
    let allGather: Gather
    let send: PointToPoint
    let receive: PointToPoint
    let errorString: ErrorString

    init() throws(MeasureError) {
        let library = try SharedLibrary(names: Self.libraryNames, what: "NCCL")
        self.library = library
        initAll = try library.symbol("ncclCommInitAll", as: InitAll.self)
        destroy = try library.symbol("ncclCommDestroy", as: Destroy.self)
        groupStart = try library.symbol("ncclGroupStart", as: Group.self)
        groupEnd = try library.symbol("ncclGroupEnd", as: Group.self)
        allReduce = try library.symbol("ncclAllReduce", as: Reduce.self)
        reduceScatter = try library.symbol("ncclReduceScatter", as: Reduce.self)
        allGather = try library.symbol("ncclAllGather", as: Gather.self)
        send = try library.symbol("ncclSend", as: PointToPoint.self)
        receive = try library.symbol("ncclRecv", as: PointToPoint.self)
        errorString = try library.symbol("ncclGetErrorString", as: ErrorString.self)
    }

    func check(_ status: Int32, _ call: String) throws(MeasureError) {
        guard status != 0 else { return }
        let detail = errorString(status).map { String(cString: $0) }
        throw .invalid(CUDAStatus.message(call: call, code: status, in: .nccl, detail: detail))
    }

    /// Runs `body` between ncclGroupStart and ncclGroupEnd (always ending the group).
    func group(_ body: () throws(MeasureError) -> Void) throws(MeasureError) {
        try check(groupStart(), "ncclGroupStart")
        do throws(MeasureError) {
            try body()
        } catch {
            _ = groupEnd()
            throw error
        }
        try check(groupEnd(), "ncclGroupEnd")
    }
}
