#!/usr/bin/env python3
"""Parity's PyTorch probe: matmul throughput and copy bandwidth through PyTorch on whatever accelerator is present
(cuda, npu via torch_npu, mlu via torch_mlu, xpu), printed as parity.measurement/1 JSON objects, one per line, on
standard output. Logs go to standard error.

    python3 probes/torch_probe.py --device cuda --suite full --chip h200-sxm

Counting (the same as Parity's CUDA backend, so that ratios compare like with like):
  * GEMM: 2·m·n·k operations per call (FLOP/s; OP/s for int8); bf16 default 8192³ in the full suite.
  * Device copy `dst.copy_(src)`: read + write, 2 × bytes per call (STREAM's copy convention).
  * Pinned host→device and device→host copies: bytes crossing the link, once.
Each sample is one call timed with the device's events after warm-ups; bandwidth samples start after a write of
twice the L2 size, so that the cache is cold.
"""

import argparse
import datetime
import json
import math
import os
import socket
import sys
import time

SCHEMA = "parity.measurement/1"
MISSING_TORCH = (
    "torch_probe: PyTorch is not installed (pip install torch, plus torch_npu or torch_mlu for Ascend or "
    "Cambricon devices); nothing measured"
)
EXIT_NO_TORCH = 3

# ---------------------------------------------------------------------------------------------------------------
# Pure functions: sizes, counting, statistics and the record format (unit-tested without torch).


def suite_plan(suite):
    """Problem sizes and repetitions; the same numbers as Parity's CUDA backend (CUDASuitePlan)."""
    quick = suite == "quick"
    return {
        "gemm_size": 4096 if quick else 8192,
        "gemm_warmups": 3 if quick else 10,
        "gemm_repetitions": 10 if quick else 30,
        "copy_bytes": (256 << 20) if quick else (1 << 30),
        "bandwidth_warmups": 2 if quick else 5,
        "bandwidth_repetitions": 10 if quick else 30,
    }


def gemm_operations(m, n, k):
    """2·m·n·k: one multiply and one add per term."""
    return 2.0 * m * n * k


def copy_bytes_moved(benchmark, size):
    """Bytes a copy of `size` bytes moves: read + write within the device, once across the host link."""
    return 2.0 * size if benchmark == "d2d" else float(size)


def rates(work, seconds):
    """Work per second for each timed repetition; non-positive times are dropped (they carry no information)."""
    return [work / s for s in seconds if s > 0]


def median(values):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def unit_roundoff(precision):
    """Unit roundoff of a matmul's output format (fp8 and int8 outputs are bf16 and int32)."""
    return {"fp32": 2.0**-24, "tf32": 2.0**-24, "bf16": 2.0**-8, "fp16": 2.0**-11, "fp8": 2.0**-8}.get(precision, 0.0)


def within_tolerance(precision, value, reference, absolute_sum):
    """Same rule as Parity's CUDA backend: output rounding plus 2^-18 of Σ|a·b| (exact for int8)."""
    if precision == "int8":
        return value == reference
    return abs(value - reference) <= 2 * unit_roundoff(precision) * abs(reference) + 2.0**-18 * absolute_sum


def precisions_for(device_type, capability):
    """Matmul precisions to measure: on CUDA by compute capability (tf32/bf16 ≥ 8.0, fp8 ≥ 8.9, int8 ≥ 7.5)."""
    if device_type != "cuda":
        return ["fp32", "bf16", "fp16"]
    major_minor = tuple(capability or (0, 0))
    chosen = ["fp32"]
    if major_minor >= (8, 0):
        chosen.append("tf32")
    if major_minor >= (8, 0):
        chosen.append("bf16")
    if major_minor >= (7, 0):
        chosen.append("fp16")
    if major_minor >= (8, 9):
        chosen.append("fp8")
    if major_minor >= (7, 5):
        chosen.append("int8")
    return chosen


def iso_time(moment):
    """ISO-8601 in UTC with a 'Z' and whole seconds (what Parity's JSON decoder reads)."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(chip, benchmark, precision, unit, samples, warmups, sizes, backend, device, host, moment, check):
    """One parity.measurement/1 object (field names as Parity's BenchmarkResult)."""
    if check not in ("passed", "failed", "skipped"):
        raise ValueError(f"check must be passed, failed or skipped, not {check!r}")
    clean = [float(s) for s in samples if isinstance(s, (int, float)) and math.isfinite(s) and s > 0]
    if not clean:
        raise ValueError(f"{benchmark}: no positive finite sample")
    stamp = int(moment.timestamp())
    label = f"{backend}-{benchmark}" + (f"-{precision}" if precision else "") + f"-{host.replace(' ', '-')}-{stamp}"
    result = {
        "schema": SCHEMA,
        "id": label,
        "chip": chip,
        "benchmark": benchmark,
        "unit": unit,
        "samples": clean,
        "warmups": int(warmups),
        "sizes": {key: int(value) for key, value in sizes.items()},
        "backend": backend,
        "device": {key: value for key, value in device.items() if value is not None},
        "host": host,
        "time": iso_time(moment),
        "check": check,
    }
    if precision:
        result["precision"] = precision
    return result


def format_record(result):
    """One JSON line, keys sorted."""
    return json.dumps(result, sort_keys=True, separators=(",", ":"), allow_nan=False)


def log(message):
    print(f"torch_probe: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# The device: torch plus the vendor extension for npu / mlu.


class Accelerator:
    """One device type's module (torch.cuda, torch.npu, torch.mlu, torch.xpu) behind the few calls used here."""

    def __init__(self, torch, device):
        self.torch = torch
        self.type = device.split(":")[0]
        self.index = int(device.split(":")[1]) if ":" in device else 0
        self.module = getattr(torch, self.type, None)
        if self.module is None or not self.module.is_available():
            raise RuntimeError(f"no {self.type} device is available to PyTorch")
        self.device = torch.device(self.type, self.index)
        self.module.set_device(self.index)

    def synchronize(self):
        self.module.synchronize()

    def seconds(self, body):
        """Device time of what `body` enqueues, from events where the backend has them."""
        event = getattr(self.module, "Event", None)
        if event is not None:
            start, stop = event(enable_timing=True), event(enable_timing=True)
            start.record()
            body()
            stop.record()
            stop.synchronize()
            return start.elapsed_time(stop) / 1000.0
        self.synchronize()
        began = time.perf_counter()
        body()
        self.synchronize()
        return time.perf_counter() - began

    def capability(self):
        if self.type == "cuda":
            return self.module.get_device_capability(self.index)
        return None

    def l2_bytes(self):
        properties = self.properties()
        return int(getattr(properties, "L2_cache_size", 0) or 0) or (64 << 20)

    def properties(self):
        getter = getattr(self.module, "get_device_properties", None)
        try:
            return getter(self.index) if getter else None
        except Exception:  # a vendor extension without properties
            return None

    def description(self):
        properties = self.properties()
        name = getattr(properties, "name", None) or self.module.get_device_name(self.index)
        memory = getattr(properties, "total_memory", None)
        versions = [f"torch {self.torch.__version__}"]
        if self.type == "cuda" and self.torch.version.cuda:
            versions.insert(0, f"CUDA runtime {self.torch.version.cuda}")
        return {"name": name, "memoryBytes": float(memory) if memory else None, "driver": ", ".join(versions)}


def load(device):
    """Imports torch and the extension `device` needs; exits with a one-line message when torch is missing."""
    try:
        import torch
    except ImportError:
        print(MISSING_TORCH, file=sys.stderr)
        sys.exit(EXIT_NO_TORCH)
    extension = {"npu": "torch_npu", "mlu": "torch_mlu"}.get(device.split(":")[0])
    if extension:
        try:
            __import__(extension)
        except ImportError:
            print(f"torch_probe: --device {device} needs {extension}, which is not installed", file=sys.stderr)
            sys.exit(EXIT_NO_TORCH)
    return torch


def detect(torch):
    for kind in ("cuda", "npu", "mlu", "xpu"):
        module = getattr(torch, kind, None)
        if module is not None and module.is_available():
            return kind
    return None


# ---------------------------------------------------------------------------------------------------------------
# Measurements.


def measure_gemm(accelerator, precision, plan):
    torch = accelerator.torch
    size = plan["gemm_size"]
    m = n = k = size
    device = accelerator.device
    generator_seed = 7
    torch.manual_seed(generator_seed)
    if precision == "int8":
        a = torch.randint(-8, 8, (m, k), dtype=torch.int8, device=device)
        b = torch.randint(-8, 8, (k, n), dtype=torch.int8, device=device)
        call = lambda: torch._int_mm(a, b)  # noqa: E731
    elif precision == "fp8":
        a = (torch.rand(m, k, device=device) * 2 - 1).to(torch.float8_e4m3fn)
        b = (torch.rand(n, k, device=device) * 2 - 1).to(torch.float8_e4m3fn).t()  # column-major, as required
        one = torch.tensor(1.0, device=device)

        def call():
            out = torch._scaled_mm(a, b, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
            return out[0] if isinstance(out, tuple) else out

    else:
        dtype = {"fp32": torch.float32, "tf32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]
        if accelerator.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
        a = (torch.rand(m, k, device=device) * 2 - 1).to(dtype)
        b = (torch.rand(k, n, device=device) * 2 - 1).to(dtype)
        if precision == "tf32":
            # The device multiplies TF32-rounded inputs; round them here too (nearest even, 10 mantissa bits), as
            # Parity's CUDA backend does, so that the fp64 reference checks the same products.
            a, b = round_to_tf32(torch, a), round_to_tf32(torch, b)
        call = lambda: torch.matmul(a, b)  # noqa: E731
    out = None
    seconds = []
    for repetition in range(plan["gemm_warmups"] + plan["gemm_repetitions"]):
        holder = []
        elapsed = accelerator.seconds(lambda: holder.append(call()))
        out = holder[0]
        if repetition >= plan["gemm_warmups"]:
            seconds.append(elapsed)
    # Check 16 sampled entries against fp64 dot products on the host.
    import random

    chooser = random.Random(6)
    passed = True
    for _ in range(16):
        i, j = chooser.randrange(m), chooser.randrange(n)
        # Basic indexing only: float8 tensors support views and .float(), not every indexing kernel.
        products = a[i].float().cpu().double() * b[:, j].float().cpu().double()
        reference = float(products.sum())
        value = float(out[i, j].float().item())
        if not within_tolerance(precision, value, reference, float(products.abs().sum())):
            passed = False
    if accelerator.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
    return rates(gemm_operations(m, n, k), seconds), {"m": m, "n": n, "k": k}, passed


def round_to_tf32(torch, x):
    """fp32 values rounded to TF32 (10 mantissa bits, round to nearest even), still stored as fp32."""
    bits = x.view(torch.int32)
    rounded = (bits + 0xFFF + ((bits >> 13) & 1)) & ~0x1FFF
    return rounded.view(torch.float32)


def measure_copies(accelerator, plan):
    torch = accelerator.torch
    size = plan["copy_bytes"]
    device = accelerator.device
    flush = torch.empty(2 * accelerator.l2_bytes(), dtype=torch.uint8, device=device)
    host = torch.randint(0, 255, (size,), dtype=torch.uint8).pin_memory()
    back = torch.empty(size, dtype=torch.uint8).pin_memory()
    source = torch.empty(size, dtype=torch.uint8, device=device)
    destination = torch.empty(size, dtype=torch.uint8, device=device)
    cases = [
        ("h2d", lambda: source.copy_(host, non_blocking=True)),
        ("d2h", lambda: back.copy_(source, non_blocking=True)),
        ("d2d", lambda: destination.copy_(source)),
    ]
    measured = []
    for benchmark, body in cases:
        seconds = []
        for repetition in range(plan["bandwidth_warmups"] + plan["bandwidth_repetitions"]):
            flush.zero_()
            elapsed = accelerator.seconds(body)
            if repetition >= plan["bandwidth_warmups"]:
                seconds.append(elapsed)
        measured.append((benchmark, rates(copy_bytes_moved(benchmark, size), seconds)))
    accelerator.synchronize()
    stride = max(1, size // 4096)
    round_trip = bool(torch.equal(back[::stride], host[::stride]))
    device_copy = bool(torch.equal(destination[::stride].cpu(), host[::stride]))
    return [(b, s, {"bytes": size}, device_copy if b == "d2d" else round_trip) for b, s in measured]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chip", default="unknown", help="catalogue id of the measured chip (e.g. h200-sxm)")
    parser.add_argument("--suite", choices=["quick", "full"], default="quick")
    parser.add_argument("--device", default=None, help="cuda, npu, mlu or xpu (optionally :INDEX); default: detect")
    parser.add_argument("--precisions", default=None, help="comma-separated subset of fp32,tf32,bf16,fp16,fp8,int8")
    arguments = parser.parse_args(argv)
    torch = load(arguments.device or "")
    device = arguments.device or detect(torch)
    if device is None:
        print("torch_probe: PyTorch sees no cuda, npu, mlu or xpu device; nothing measured", file=sys.stderr)
        return 2
    try:
        accelerator = Accelerator(torch, device)
    except RuntimeError as error:
        print(f"torch_probe: {error}", file=sys.stderr)
        return 2
    plan = suite_plan(arguments.suite)
    backend = f"probe:torch-{accelerator.type}"
    description = accelerator.description()
    host = socket.gethostname()
    log(f"{description['name']} ({description['driver']}), suite {arguments.suite}")
    precisions = precisions_for(accelerator.type, accelerator.capability())
    if arguments.precisions:
        wanted = arguments.precisions.split(",")
        precisions = [p for p in precisions if p in wanted]
    printed = 0
    for precision in precisions:
        log(f"gemm {precision} {plan['gemm_size']}^3")
        try:
            samples, sizes, passed = measure_gemm(accelerator, precision, plan)
            unit = "OP/s" if precision == "int8" else "FLOP/s"
            moment = datetime.datetime.now(datetime.timezone.utc)
            line = record(arguments.chip, "gemm", precision, unit, samples, plan["gemm_warmups"], sizes, backend,
                          description, host, moment, "passed" if passed else "failed")
            print(format_record(line), flush=True)
            printed += 1
        except Exception as error:  # one precision failing must not hide the others
            log(f"warning: gemm {precision} failed: {type(error).__name__}: {error}")
    log(f"copies ({plan['copy_bytes']} bytes: h2d, d2h, d2d)")
    try:
        for benchmark, samples, sizes, passed in measure_copies(accelerator, plan):
            moment = datetime.datetime.now(datetime.timezone.utc)
            line = record(arguments.chip, benchmark, None, "B/s", samples, plan["bandwidth_warmups"], sizes, backend,
                          description, host, moment, "passed" if passed else "failed")
            print(format_record(line), flush=True)
            printed += 1
    except Exception as error:
        log(f"warning: copies failed: {type(error).__name__}: {error}")
    return 0 if printed else 1


if __name__ == "__main__":
    sys.exit(main())
