"""Unit tests of probes/torch_probe.py that run without PyTorch: the missing-torch exit, and the pure sizing,
counting, tolerance and record-format functions. The measurements themselves need a device (scripts/gpu-check).

    python3 -m unittest discover -s Tests/probes
"""

import datetime
import json
import os
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "probes"))

import torch_probe  # noqa: E402


class MissingTorchTests(unittest.TestCase):
    def test_exits_with_one_clear_line_without_torch(self):
        try:
            import torch  # noqa: F401

            self.skipTest("PyTorch is installed here")
        except ImportError:
            pass
        run = subprocess.run(
            [sys.executable, os.path.join(ROOT, "probes", "torch_probe.py"), "--device", "cuda"],
            capture_output=True,
            text=True,
        )
        self.assertEqual(run.returncode, torch_probe.EXIT_NO_TORCH)
        self.assertEqual(run.stdout, "")
        self.assertEqual(run.stderr.strip().splitlines(), [torch_probe.MISSING_TORCH])


class PureFunctionTests(unittest.TestCase):
    def test_plan_matches_the_cuda_backend(self):
        # The Swift CUDASuitePlan: quick 4096³ / 256 MiB copies, full 8192³ / 1 GiB copies.
        self.assertEqual(torch_probe.suite_plan("full")["gemm_size"], 8192)
        self.assertEqual(torch_probe.suite_plan("full")["copy_bytes"], 1 << 30)
        self.assertEqual(torch_probe.suite_plan("quick")["gemm_size"], 4096)
        self.assertEqual(torch_probe.suite_plan("quick")["copy_bytes"], 256 << 20)

    def test_counting(self):
        self.assertEqual(torch_probe.gemm_operations(2, 3, 4), 48)
        self.assertEqual(torch_probe.copy_bytes_moved("d2d", 1000), 2000)
        self.assertEqual(torch_probe.copy_bytes_moved("h2d", 1000), 1000)
        self.assertEqual(torch_probe.rates(100.0, [0.5, 0.0, 2.0]), [200.0, 50.0])
        self.assertEqual(torch_probe.median([3.0, 1.0, 2.0, 10.0]), 2.5)

    def test_precisions_follow_compute_capability(self):
        self.assertEqual(torch_probe.precisions_for("cuda", (9, 0)), ["fp32", "tf32", "bf16", "fp16", "fp8", "int8"])
        self.assertEqual(torch_probe.precisions_for("cuda", (8, 0)), ["fp32", "tf32", "bf16", "fp16", "int8"])
        self.assertEqual(torch_probe.precisions_for("cuda", (7, 0)), ["fp32", "fp16"])
        self.assertEqual(torch_probe.precisions_for("npu", None), ["fp32", "bf16", "fp16"])

    def test_tolerance(self):
        # bf16 output: 2 · 2^-8 · |100| = 0.78125, plus 2^-18 · 0.
        self.assertTrue(torch_probe.within_tolerance("bf16", 100.78, 100.0, 0.0))
        self.assertFalse(torch_probe.within_tolerance("bf16", 100.79, 100.0, 0.0))
        self.assertTrue(torch_probe.within_tolerance("int8", 12.0, 12.0, 99.0))
        self.assertFalse(torch_probe.within_tolerance("int8", 13.0, 12.0, 99.0))

    def test_record_has_the_measurement_fields(self):
        moment = datetime.datetime(2026, 11, 29, 10, 0, 0, 500000, tzinfo=datetime.timezone.utc)
        line = torch_probe.format_record(
            torch_probe.record(
                "h200-sxm", "gemm", "bf16", "FLOP/s", [7.0e14, float("nan"), 7.1e14], 10,
                {"m": 8192, "n": 8192, "k": 8192}, "probe:torch-cuda",
                {"name": "NVIDIA H200", "memoryBytes": 1.5e11, "driver": None}, "gpu host", moment, "passed",
            )
        )
        parsed = json.loads(line)
        self.assertEqual(parsed["schema"], "parity.measurement/1")
        self.assertEqual(parsed["time"], "2026-11-29T10:00:00Z")
        self.assertEqual(parsed["samples"], [7.0e14, 7.1e14])
        self.assertEqual(parsed["device"], {"name": "NVIDIA H200", "memoryBytes": 1.5e11})
        self.assertEqual(parsed["id"], "probe:torch-cuda-gemm-bf16-gpu-host-1795946400")
        self.assertNotIn("\n", line)

    def test_record_refuses_empty_samples_and_unknown_checks(self):
        moment = datetime.datetime.now(datetime.timezone.utc)
        with self.assertRaises(ValueError):
            torch_probe.record("x", "d2d", None, "B/s", [0.0], 1, {}, "b", {"name": "d"}, "h", moment, "passed")
        with self.assertRaises(ValueError):
            torch_probe.record("x", "d2d", None, "B/s", [1.0], 1, {}, "b", {"name": "d"}, "h", moment, "ok")


if __name__ == "__main__":
    unittest.main()
