public import Catalogue
import Foundation

/// The `max_batch_size` that `trtllm-bench throughput` runs with when its command gives none (TensorRT-LLM's
/// perf-overview commands give none): `tensorrt_llm/bench/benchmark/utils/general.py` `get_settings` calls
/// `get_benchmark_engine_settings`, which for FP8, NVFP4 and unquantised checkpoints computes
/// `tensorrt_llm/bench/build/tuning.py` `calc_engine_setting` with `--tp`, `--pp`, the data set's mean input and
/// output lengths and `--kv_cache_free_gpu_mem_fraction` (default 0.90):
///
/// - KV bytes per token: 2 · layers · max(tp, num_key_value_heads) · head_size · KV bytes (FP8 1, NVFP4 ½,
///   else 2), with the Hugging Face config's `num_key_value_heads` and `head_dim` (hidden ÷ heads when the
///   config has none);
/// - engine size: the checkpoint's parameter count × weight bytes (FP8 1, NVFP4 ½, else 2), all in GiB, and the
///   GPU memory NVML's total in GiB (about the vendor's "GB" figure);
/// - requests in the KV cache: (tp · pp · GPU memory − engine size) · fraction ÷ (KV bytes per token · (ISL +
///   OSL));
/// - `finetune_setting`: raw = min(requests, 4096) ÷ pp; below 256 the batch is max(64, 32 · ⌈raw ÷ 32⌉), below
///   1024 128 · ⌈raw ÷ 128⌉, else 256 · ⌈raw ÷ 256⌉.
///
/// The runtime executor of each attention-DP rank and each pipeline micro-batch admits at most that many
/// requests (with attention DP, `tensorrt_llm/_torch/pyexecutor/executor_request_queue.py`
/// `_schedule_attention_dp_requests` places a request on a rank only while that rank's active requests are below
/// `max_num_active_requests`). The formula does not know MLA: DeepSeek-V3's config states `num_key_value_heads` 128 and no
/// `head_dim`, so it counts 2 · 128 · 56 elements per token and layer where the latent cache holds 576, and the
/// batch it sets, not the KV cache, bounds the DeepSeek runs.
public enum TRTLLMBenchSettings {
    /// `kv_cache_free_gpu_mem_fraction`'s default in `trtllm-bench throughput`.
    public static let defaultKVFraction = 0.90

    /// Bytes per element of a precision in `tuning.py`'s `BYTES_PER_ELEM` (FP8 1, NVFP4 ½, anything else 2).
    static func bytes(_ precision: Precision) -> Double {
        switch precision {
        case .fp8: 1
        case .fp4: 0.5
        default: 2
        }
    }

    /// The parameter count Hugging Face reports for the checkpoint (the safetensors element count): an NVFP4
    /// checkpoint stores two 4-bit weights per byte element plus one FP8 scale per 16 weights, so it counts
    /// (½ + 1⁄16) of the weights.
    static func checkpointParameters(_ model: ModelArch, weights: Precision) -> Double {
        let params = model.publishedParams?.value ?? model.totalParams
        return weights == .fp4 ? params * (0.5 + 1.0 / 16) : params
    }

    /// `max_batch_size` per executor (attention-DP rank, pipeline micro-batch) for `tp` GPUs of tensor (or
    /// attention-DP) parallelism and `pp` stages, or nil when the formula finds no room (trtllm-bench refuses).
    public static func maxBatchSize(
        model: ModelArch,
        chip: Chip,
        tp: Int,
        pp: Int,
        weights: Precision,
        kv: Precision,
        inputTokens: Int,
        outputTokens: Int,
        kvFraction: Double = defaultKVFraction
    ) -> Int? {
        let gib = 1_073_741_824.0
        let headSize = model.mla != nil ? Double(model.hiddenSize / model.heads) : Double(model.headDim)
        let kvHeads = Double(max(tp, model.kvHeads))
        let bytesPerToken = 2 * Double(model.layers) * kvHeads * headSize * bytes(kv) / gib
        let gpus = Double(max(1, tp) * max(1, pp))
        let engine = checkpointParameters(model, weights: weights) * bytes(weights) / gib
        // NVML's total memory, which the heuristic reads (`get_device_memory`, in GiB), is the vendor's "GB"
        // figure in GiB: nvidia-smi reports 143,771 MiB (140.4 GiB) on an H200 sold as 141 GB, 81,559 MiB
        // (79.6 GiB) on an 80 GB H100.
        let available = gpus * chip.memory.capacityBytes.value / 1e9 - engine
        let requests = available * kvFraction / (bytesPerToken * Double(max(1, inputTokens + outputTokens)))
        guard requests >= 1 else { return nil }
        let raw = min(requests, 4096) / Double(max(1, pp))
        if raw < 256 { return max(64, 32 * Int((raw / 32).rounded(.up))) }
        if raw < 1024 { return 128 * Int((raw / 128).rounded(.up)) }
        return 256 * Int((raw / 256).rounded(.up))
    }
}
