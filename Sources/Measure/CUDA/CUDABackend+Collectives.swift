import Catalogue
import Foundation

extension CUDABackend {
    /// Elements each rank sends and receives for `collective` when the per-rank buffer holds `count` elements
    /// (nccl-tests' convention: "size" is the larger of the two buffers, and busbw scales algbw by
    /// `Collective.busFactor`).
    static func collectiveCounts(_ collective: Collective, count: Int, ranks: Int) -> (send: Int, receive: Int) {
        switch collective {
        case .allGather: (count / ranks, count)
        case .reduceScatter: (count, count / ranks)
        default: (count, count)
        }
    }

    /// The value rank `rank` should hold at element `index` of its receive buffer when rank r's send buffer is
    /// filled with r + 1 (sums are exact in fp32 for the rank counts of one host).
    static func expectedCollectiveValue(
        _ collective: Collective,
        ranks: Int,
        rank: Int,
        index: Int,
        count: Int
    ) -> Float {
        switch collective {
        case .allReduce, .reduceScatter: Float(ranks * (ranks + 1) / 2)
        case .allGather, .allToAll: Float(index / (count / ranks) + 1)
        case .broadcast: 1
        }
    }

    /// All-reduce, all-gather, reduce-scatter and all-to-all over every visible device, in one process: per
    /// sample, five back-to-back operations timed on the host clock up to the synchronisation of every stream
    /// (nccl-tests' method), after five warm-ups; bus bandwidth from `Collective`.
    func collectives(context: Context, devices: Int) throws(MeasureError) -> [BenchmarkResult] {
        let runtime = context.runtime
        let nccl = try NCCL()
        let ranks = devices
        let count = context.plan.collectiveBytes / 4 / ranks * ranks
        var communicators = [OpaquePointer?](repeating: nil, count: ranks)
        let list = (0..<ranks).map { Int32($0) }
        try nccl.check(initAll(nccl, &communicators, list), "ncclCommInitAll(\(ranks))")
        defer { for communicator in communicators { _ = nccl.destroy(communicator) } }
        var streams: [OpaquePointer?] = []
        var sends: [DeviceMemory] = []
        var receives: [DeviceMemory] = []
        defer {
            for (rank, stream) in streams.enumerated() {
                _ = runtime.setDeviceCall(Int32(rank))
                _ = runtime.streamDestroy(stream)
            }
        }
        for rank in 0..<ranks {
            try runtime.check(runtime.setDeviceCall(Int32(rank)), "cudaSetDevice(\(rank))")
            var stream: OpaquePointer?
            try runtime.check(runtime.streamCreate(&stream), "cudaStreamCreate")
            streams.append(stream)
            sends.append(try DeviceMemory(runtime, bytes: count * 4))
            receives.append(try DeviceMemory(runtime, bytes: count * 4))
            let values = [Float](repeating: Float(rank + 1), count: count)
            try runtime.check(
                values.withUnsafeBytes { runtime.memcpy(sends[rank].pointer, $0.baseAddress, count * 4, 1) },
                "cudaMemcpy(hostToDevice, \(count * 4) bytes)"
            )
        }
        func synchronise() throws(MeasureError) {
            for rank in 0..<ranks {
                try runtime.check(runtime.setDeviceCall(Int32(rank)), "cudaSetDevice(\(rank))")
                try runtime.check(runtime.streamSynchronize(streams[rank]), "cudaStreamSynchronize")
            }
        }
        let clock = ContinuousClock()
        var results: [BenchmarkResult] = []
        for collective in [Collective.allReduce, .allGather, .reduceScatter, .allToAll] {
            let counts = Self.collectiveCounts(collective, count: count, ranks: ranks)
            func operation() throws(MeasureError) {
                try nccl.group { () throws(MeasureError) in
                    for rank in 0..<ranks {
                        let send = sends[rank].pointer
                        let receive = receives[rank].pointer
                        let communicator = communicators[rank]
                        let stream = streams[rank]
                        switch collective {
                        case .allReduce:
                            try nccl.check(
                                nccl.allReduce(
                                    send,
                                    receive,
                                    counts.send,
                                    NCCL.float32,
                                    NCCL.sum,
                                    communicator,
                                    stream
                                ),
                                "ncclAllReduce"
                            )
                        case .reduceScatter:
                            try nccl.check(
                                nccl.reduceScatter(
                                    send,
                                    receive,
                                    counts.receive,
                                    NCCL.float32,
                                    NCCL.sum,
                                    communicator,
                                    stream
                                ),
                                "ncclReduceScatter"
                            )
                        case .allGather:
                            try nccl.check(
                                nccl.allGather(send, receive, counts.send, NCCL.float32, communicator, stream),
                                "ncclAllGather"
                            )
                        default:
                            let chunk = count / ranks
                            for peer in 0..<ranks {
                                try nccl.check(
                                    nccl.send(
                                        send + peer * chunk * 4,
                                        chunk,
                                        NCCL.float32,
                                        Int32(peer),
                                        communicator,
                                        stream
                                    ),
                                    "ncclSend"
                                )
                                try nccl.check(
                                    nccl.receive(
                                        receive + peer * chunk * 4,
                                        chunk,
                                        NCCL.float32,
                                        Int32(peer),
                                        communicator,
                                        stream
                                    ),
                                    "ncclRecv"
                                )
                            }
                        }
                    }
                }
            }
            for _ in 0..<5 { try operation() }
            try synchronise()
            let bytes = Double(max(counts.send, counts.receive) * 4)
            var samples: [Double] = []
            for _ in 0..<context.plan.bandwidthRepetitions {
                let start = clock.now
                for _ in 0..<5 { try operation() }
                try synchronise()
                let seconds = (clock.now - start).inSeconds / 5
                samples.append(collective.busBandwidth(bytes: bytes, seconds: seconds, ranks: ranks))
            }
            var passed = true
            for rank in 0..<ranks {
                try runtime.check(runtime.setDeviceCall(Int32(rank)), "cudaSetDevice(\(rank))")
                for index in Swift.stride(from: 0, to: counts.receive, by: max(1, counts.receive / 16)) {
                    var value: Float = 0
                    try runtime.copy(to: &value, from: receives[rank].pointer + index * 4, bytes: 4, .deviceToHost)
                    let expected = Self.expectedCollectiveValue(
                        collective,
                        ranks: ranks,
                        rank: rank,
                        index: index,
                        count: count
                    )
                    if value != expected { passed = false }
                }
            }
            guard let benchmark = BenchmarkResult.Benchmark(rawValue: collective.rawValue) else { continue }
            results.append(
                context.result(
                    benchmark,
                    precision: .fp32,
                    unit: "B/s",
                    samples: samples,
                    warmups: 5,
                    sizes: ["bytes": Int(bytes), "ranks": ranks],
                    passed: passed
                )
            )
        }
        return results
    }

    private func initAll(_ nccl: NCCL, _ communicators: inout [OpaquePointer?], _ list: [Int32]) -> Int32 {
        communicators.withUnsafeMutableBufferPointer { buffer in
            list.withUnsafeBufferPointer { nccl.initAll(buffer.baseAddress, Int32(list.count), $0.baseAddress) }
        }
    }
}
